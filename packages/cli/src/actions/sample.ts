import { availableParallelism } from 'node:os';
import {
  atomCountWeights,
  createSampler,
  finishSampledMolecule,
  hasFiniteCoordinates,
  loadModelDirectory,
  registerOpenchemlibResources,
  type SampleOptions,
  sampleMolecules,
  summarizeFinished,
  trajectoryFormatOf,
  workerThreadsFor,
  writeMoleculeFile,
  writeTrajectoryFile,
} from '@equimol/core/node';
import { activateBackend, note } from '../context.js';
import { readHeldAtoms } from '../heldAtoms.js';
import { UsageError } from '../errors.js';
import { moleculesText, outputFormat } from '../files.js';
import { duration, percent, rate } from '../format.js';
import { DEFAULT_MODEL, resolveModelDirectory } from '../models.js';
import { integerOption, numberOption, parseAtomRange, parseShard } from '../options.js';
import { type OutputFile, prepareOutput, requireInputFile, writeOutputs } from '../output.js';
import { createProgress } from '../progress.js';
import type { SampleArgs } from '../commands/sample.js';

/** `equimol sample`: molecules from a trained model, written with bonds, hydrogens and EDM's verdicts. */
export async function runSample(args: SampleArgs): Promise<void> {
  const total = integerOption('count', args.count)!;
  const steps = integerOption('steps', args.steps);
  const atoms = integerOption('atoms', args.atoms);
  const atomRange = parseAtomRange(args.atomsRange);
  const batchSize = integerOption('batch-size', args.batchSize)!;
  const requestedWorkers = integerOption('workers', args.workers);
  const seed = integerOption('seed', args.seed, 0)!;
  const typeNoise = numberOption('type-noise', args.typeNoise, 0, 1);
  const frames = integerOption('frames', args.frames);
  const resample = integerOption('resample', args.resample);
  const fixFiles = args.fix ?? [];
  if (fixFiles.length === 0 && args.fixAtoms !== undefined) throw new UsageError('--fix-atoms needs --fix FILE');
  if (fixFiles.length === 0 && resample !== undefined) throw new UsageError('--resample needs --fix FILE');
  for (const file of fixFiles) requireInputFile(file, '--fix');
  if (frames !== undefined && args.trajectory === undefined) throw new UsageError('--frames needs --trajectory FILE');
  const shard = parseShard(args.shard, total);
  const toStdout = args.output === undefined || args.output === '-';
  const format = outputFormat(toStdout ? undefined : args.output, args.format);
  const trajectoryFormat = args.trajectory === undefined ? undefined : trajectoryFormatOf(args.trajectory);
  const modelDir = resolveModelDirectory(args.model ?? DEFAULT_MODEL);

  // Check the outputs before the long computation, so a refused overwrite costs nothing.
  const outputs: OutputFile[] = [];
  const out = toStdout ? undefined : await prepareOutput(args.output!, args.force);
  if (out) outputs.push(out);
  const traj = args.trajectory === undefined ? undefined : await prepareOutput(args.trajectory, args.force);
  if (traj) outputs.push(traj);
  const backend = await activateBackend(args);
  createSampler({ sampler: args.sampler, typeNoise }); // options the sampler has no use for fail here
  const model = await loadModelDirectory(modelDir);
  const fixed = fixFiles.length > 0 ? await readHeldAtoms(fixFiles, args.fixAtoms, model.meta.encoding, model.meta.name, args) : undefined;
  atomCountWeights(model, { atoms, atomRange, fixed }); // impossible sizes fail here, before any work
  const count = shard?.count ?? total;
  // Results do not depend on the thread count (molecule i is seeded by (seed, i)), so use the cores.
  const workers = Math.min(count, workerThreadsFor(backend.name, requestedWorkers ?? (backend.name === 'wasm' || backend.name === 'cpu' ? availableParallelism() : 1), (line) => note(args, line)));
  const progress = createProgress('sampling', count, 'molecules', args.quiet);
  const options: SampleOptions = {
    count,
    seed,
    startIndex: shard?.start ?? 0,
    sampler: args.sampler,
    batchSize,
    workers,
    onProgress: (done) => progress.update(done),
  };
  if (steps !== undefined) options.steps = steps;
  if (typeNoise !== undefined) options.typeNoise = typeNoise;
  if (atoms !== undefined) options.atoms = atoms;
  if (atomRange !== undefined) options.atomRange = atomRange;
  if (fixed !== undefined) options.fixed = fixed;
  if (resample !== undefined) options.resample = resample;
  if (traj) options.trajectoryFrames = frames ?? 100;
  if (shard) note(args, `shard ${shard.index}/${shard.of}: molecules ${shard.start}..${shard.start + shard.count - 1} of ${total}`);

  const started = performance.now();
  progress.update(0);
  const result = await sampleMolecules(model, options);
  progress.finish();
  // Bonds, charges, EDM's verdicts and (for heavy-atom models) hydrogens placed with MMFF94.
  const addHydrogens = args.hydrogens && !model.meta.encoding.elements.includes('H');
  if (addHydrogens) registerOpenchemlibResources();
  const chemistry = createProgress(addHydrogens ? 'bonds and hydrogens' : 'bonds', count, 'molecules', args.quiet);
  // A chain that diverged has no coordinates an SD file can hold: reported, counted as invalid, not written.
  const diverged = result.molecules.filter((m) => !hasFiniteCoordinates(m));
  const finished = result.molecules.map((m, k) => {
    const f = finishSampledMolecule(m, { addHydrogens });
    chemistry.update(k + 1);
    return f;
  });
  chemistry.finish();
  if (diverged.length > 0) {
    const which = diverged.map((m) => `#${m.properties?.index}`).join(', ');
    process.stderr.write(`equimol: ${diverged.length} molecule(s) diverged to non-finite coordinates and are not written: ${which}\n`);
  }
  const molecules = finished.filter((f) => !diverged.includes(f.molecule)).map((f) => f.molecule);

  await writeOutputs(outputs, async () => {
    if (out) await writeMoleculeFile(out.tempPath, molecules, format);
    if (traj && result.trajectory) await writeTrajectoryFile(traj.tempPath, result.trajectory, trajectoryFormat);
  });
  if (toStdout) process.stdout.write(moleculesText(format, molecules));
  const seconds = (performance.now() - started) / 1000;
  const s = summarizeFinished(finished);
  const where = [out ? `→ ${out.path}` : '', traj ? `trajectory → ${traj.path}` : ''].filter(Boolean).join(', ');
  note(
    args,
    `${s.count} molecules in ${duration(seconds)} (${rate(s.count, seconds)} molecules/s): ` +
      `valid ${percent(s.valid / s.count)}, unique ${percent(s.valid > 0 ? s.unique / s.valid : 0)} of valid, stable ${percent(s.stable / s.count)}, connected ${percent(s.connected / s.count)}` +
      (where ? ` ${where}` : ''),
  );
}
