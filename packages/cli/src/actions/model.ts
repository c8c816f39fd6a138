import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { averageCheckpoints, loadModelDirectory, readTrainerStateFile, saveModelDirectory } from '@equimol/core/node';
import { note } from '../context.js';
import { UsageError } from '../errors.js';
import { resolveModelDirectory } from '../models.js';
import { requireInputFile } from '../output.js';
import type { AverageArgs } from '../commands/model.js';

/** `equimol model average`: the mean of checkpoints' EMA weights, saved as a model directory. */
export async function runModelAverage(args: AverageArgs): Promise<void> {
  const checkpoints = args.checkpoints.map(String);
  for (const path of checkpoints) requireInputFile(path, 'checkpoint');
  const modelDir = resolveModelDirectory(args.model);
  // Refused before any work; the directory is then written whole or not at all (saveModelDirectory).
  if (existsSync(args.output)) {
    if (!args.force) throw new UsageError(`${args.output} exists; use --force to overwrite it`);
    // --force replaces a model, never some other directory (saveModelDirectory swaps whole directories).
    const isModel = statSync(args.output).isDirectory() && (existsSync(join(args.output, 'model.json')) || readdirSync(args.output).length === 0);
    if (!isModel) throw new UsageError(`${args.output} exists and is not a model directory; not replacing it`);
  }
  const base = await loadModelDirectory(modelDir);
  const states = [];
  for (const source of checkpoints) states.push({ source, state: (await readTrainerStateFile(source)).state });
  const command = ['equimol', ...process.argv.slice(2)].join(' ');
  const model = averageCheckpoints(base, states, { modelSource: modelDir, command });
  await saveModelDirectory(model, args.output);
  const steps = states.map((s) => s.state.step).sort((a, b) => a - b);
  note(args, `${args.output}: mean of ${states.length} EMA weight sets, steps ${steps[0]}–${steps[steps.length - 1]}`);
}
