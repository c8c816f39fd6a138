import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { exitInterrupted, handleInterrupts, type InterruptSignal, type StagedFile, stageFile } from '@equimol/core/node';
import { UsageError } from './errors.js';

// Every file equimol writes goes through core's staged files (a temporary sibling renamed into
// place when complete), so an interrupted run (Ctrl-C, kill, crash) never leaves a half-written SDF
// behind: the target either keeps its old contents or does not exist.

/** An output file: checked up front, written to `tempPath` inside `writeOutputs`, then moved into place. */
export interface OutputFile {
  /** The final path, as the user gave it. */
  readonly path: string;
  /** Where to write meanwhile (same directory, so the final rename is atomic). */
  readonly tempPath: string;
  readonly force: boolean;
  readonly staged: StagedFile;
}

/**
 * Checks that `path` may be written (it does not exist, or `force`; it is not a directory) and
 * picks a temporary sibling for it. Call this before any long computation so that a refused
 * overwrite costs the user nothing.
 */
export async function prepareOutput(path: string, force: boolean): Promise<OutputFile> {
  const target = resolve(path);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new UsageError(`${path} is a directory; give a file name`);
    if (!force) throw new UsageError(`${path} exists; use --force to overwrite it`);
  }
  const staged = await stageFile(target);
  return { path, tempPath: staged.tempPath, force, staged };
}

/** Moves a finished temporary file into place; without `force`, a file that appeared meanwhile is not clobbered. */
async function commit(output: OutputFile): Promise<void> {
  try {
    await output.staged.commit({ replace: output.force });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${output.path} appeared while equimol was working; use --force to overwrite it`);
    throw err;
  }
}

/**
 * Runs `write()`, which writes every output's `tempPath`, and moves them all into place only if it
 * succeeded; on failure the temporary files are removed. Ctrl-C or SIGTERM meanwhile exit at once
 * with 130 or 143, and core removes the temporaries as the process exits.
 */
export async function writeOutputs(outputs: OutputFile[], write: () => Promise<void>): Promise<void> {
  const onInterrupt = (signal: InterruptSignal): void => {
    process.stderr.write(`\nequimol: ${signal}, stopped; no partial output was left behind\n`);
    exitInterrupted(signal);
  };
  await handleInterrupts({ onInterrupt }, async () => {
    try {
      await write();
      // Test-only hook: hold the finished temporary files before they are moved into place, so that
      // test/cli-sample.test.ts can interrupt at a known moment. Not for users; unset, it costs nothing.
      const hold = Number(process.env.EQUIMOL_TEST_HOLD_OUTPUT_MS ?? 0);
      if (hold > 0) await new Promise((done) => setTimeout(done, hold));
      for (const o of outputs) await commit(o);
    } finally {
      await Promise.all(outputs.map((o) => o.staged.discard()));
    }
  });
}

/** Throws a usage error unless `path` is an existing regular file. */
export function requireInputFile(path: string, what = 'input file'): void {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file (${what})`);
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a file (${what})`);
}
