import { writeFile } from 'node:fs/promises';
import {
  atomCountWeights,
  finishGeneratedMolecule,
  loadModelDirectory,
  registerOpenchemlibResources,
  type SampleOptions,
  sampleMolecules,
  sampleMoleculesParallel,
  summarizeFinished,
  type Trajectory,
  trajectoryToJson,
  trajectoryToSdfRecords,
  writeSdfFile,
} from '@equimol/core/node';
import type { Argv, CommandModule } from 'yargs';
import { activateBackend, type GlobalArgs, note } from '../context.js';
import { UsageError } from '../errors.js';
import { moleculesText, outputFormat, writeMolecules } from '../files.js';
import { duration, percent, rate } from '../format.js';
import { DEFAULT_MODEL, resolveModelDirectory } from '../models.js';
import { BACKEND_NAMES, integerOption, parseAtomRange, parseShard } from '../options.js';
import { type OutputFile, prepareOutput, writeOutputs } from '../output.js';
import { createProgress } from '../progress.js';

interface SampleArgs extends GlobalArgs {
  count: number;
  output?: string;
  model: string;
  steps?: number;
  sampler: 'ancestral' | 'ddim';
  seed: number;
  atoms?: number;
  atomsRange?: string;
  batchSize: number;
  workers: number;
  format?: string;
  hydrogens: boolean;
  trajectory?: string;
  frames?: number;
  shard?: string;
  backend?: string;
  force: boolean;
}

/** `equimol sample`: molecules from a trained model, written with bonds, hydrogens and EDM's verdicts. */
export const sampleCommand: CommandModule<GlobalArgs, SampleArgs> = {
  command: 'sample',
  describe: 'Generate 3D molecules with a trained model',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage('$0 sample [options]\n\nGenerate molecules with the reverse diffusion chain of a trained EDM model and write them with bonds, hydrogens and the data fields SMILES, valid, stable, model, seed, index.')
      .option('count', { alias: 'n', type: 'number', default: 100, describe: 'Number of molecules (of the whole campaign when --shard is given)' })
      .option('output', { alias: 'o', type: 'string', describe: 'Output file (.sdf, .sdf.gz, .xyz, .json); standard output if omitted' })
      .option('model', { alias: 'm', type: 'string', default: DEFAULT_MODEL, describe: 'Model name (under data/models, or $EQUIMOL_MODELS) or a model directory' })
      .option('steps', { type: 'number', describe: "Denoising steps, strided over the model's T (default: T)" })
      .option('sampler', { choices: ['ancestral', 'ddim'] as const, default: 'ancestral' as const, describe: 'Reverse-process sampler' })
      .option('seed', { type: 'number', default: 0, describe: "Campaign seed; molecule i depends only on (seed, i)" })
      .option('atoms', { type: 'number', describe: 'Atoms per molecule (heavy atoms for heavy-atom models)' })
      .option('atoms-range', { type: 'string', describe: "Atom counts A-B, drawn from the model's histogram within the range" })
      .option('batch-size', { type: 'number', default: 64, describe: 'Molecules per network evaluation' })
      .option('workers', { alias: 'j', type: 'number', default: 1, describe: 'Worker threads' })
      .option('format', { choices: ['sdf', 'xyz', 'json'], describe: 'Output format (default: from the file name, else sdf)' })
      .option('hydrogens', { type: 'boolean', default: true, describe: 'Add hydrogens with 3D coordinates to heavy-atom molecules (--no-hydrogens to keep heavy atoms only)' })
      .option('trajectory', { type: 'string', describe: 'Also write the denoising chains (.sdf or .json) for `equimol view`' })
      .option('frames', { type: 'number', describe: 'Frames per molecule in --trajectory (default 100)' })
      .option('shard', { type: 'string', describe: 'Make only part i of n of the campaign (1-based); shard outputs concatenated in order equal the unsplit run' })
      .option('backend', { choices: BACKEND_NAMES, describe: 'tfjs backend (default: EQUIMOL_BACKEND, else the fastest available)' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite existing output files' })
      .conflicts('atoms', 'atoms-range')
      .example('$0 sample -n 100 -o out.sdf', '100 molecules with the shipped model')
      .example('$0 sample -n 1000 --steps 500 --sampler ddim -j 2 -o out.sdf.gz', 'faster, strided sampling on two threads')
      .example('$0 sample -n 8 --atoms 9 --trajectory traj.sdf --frames 50 -o mols.sdf', 'nine heavy atoms each, with denoising chains for the viewer')
      .example('$0 sample -n 100000 --seed 7 --shard $SLURM_ARRAY_TASK_ID/50 -o part-$SLURM_ARRAY_TASK_ID.sdf', 'one of 50 array jobs (--array=1-50); cat part-{1..50}.sdf = the whole run') as unknown as Argv<SampleArgs>,
  handler: async (args) => {
    const total = integerOption('count', args.count)!;
    const steps = integerOption('steps', args.steps);
    const atoms = integerOption('atoms', args.atoms);
    const atomRange = parseAtomRange(args.atomsRange);
    const batchSize = integerOption('batch-size', args.batchSize)!;
    const workers = integerOption('workers', args.workers)!;
    const seed = integerOption('seed', args.seed, 0)!;
    const frames = integerOption('frames', args.frames);
    if (frames !== undefined && args.trajectory === undefined) throw new UsageError('--frames needs --trajectory FILE');
    const shard = parseShard(args.shard, total);
    const toStdout = args.output === undefined || args.output === '-';
    const format = outputFormat(toStdout ? undefined : args.output, args.format);
    if (args.trajectory !== undefined && !/\.(sdf|json)$/i.test(args.trajectory)) {
      throw new UsageError(`--trajectory ${args.trajectory}: write the trajectory as .sdf or .json`);
    }
    const modelDir = resolveModelDirectory(args.model);

    // Check the outputs before the long computation, so a refused overwrite costs nothing.
    const outputs: OutputFile[] = [];
    const out = toStdout ? undefined : await prepareOutput(args.output!, args.force);
    if (out) outputs.push(out);
    const traj = args.trajectory === undefined ? undefined : await prepareOutput(args.trajectory, args.force);
    if (traj) outputs.push(traj);
    const backend = await activateBackend(args);
    const model = await loadModelDirectory(modelDir);
    atomCountWeights(model, { atoms, atomRange }); // impossible sizes fail here, before any work
    const count = shard?.count ?? total;
    const progress = createProgress('sampling', count, 'molecules', args.quiet);
    const options: SampleOptions = {
      count,
      seed,
      startIndex: shard?.start ?? 0,
      sampler: args.sampler,
      batchSize,
      onProgress: (done) => progress.update(done),
    };
    if (steps !== undefined) options.steps = steps;
    if (atoms !== undefined) options.atoms = atoms;
    if (atomRange !== undefined) options.atomRange = atomRange;
    if (traj) options.trajectoryFrames = frames ?? 100;
    if (shard) note(args, `shard ${shard.index}/${shard.of}: molecules ${shard.start}..${shard.start + shard.count - 1} of ${total}`);

    const started = performance.now();
    progress.update(0);
    const result = workers > 1 ? await sampleMoleculesParallel(modelDir, options, workers, backend.name) : sampleMolecules(model, options);
    progress.finish();
    // Bonds, charges, EDM's verdicts and (for heavy-atom models) hydrogens placed with MMFF94.
    const addHydrogens = args.hydrogens && !model.meta.encoding.elements.includes('H');
    if (addHydrogens) registerOpenchemlibResources();
    const chemistry = createProgress(addHydrogens ? 'bonds and hydrogens' : 'bonds', count, 'molecules', args.quiet);
    // A chain that diverged has no coordinates an SD file can hold: reported, counted as invalid, not written.
    const diverged = result.molecules.filter((m) => !m.positions.every(Number.isFinite));
    const finished = result.molecules.map((m, k) => {
      const f = diverged.includes(m) ? { valid: false, stable: false, molecule: m } : finishGeneratedMolecule(m, { addHydrogens });
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
      if (out) await writeMolecules(out.tempPath, format, molecules);
      if (traj && result.trajectory) await writeTrajectory(traj.tempPath, result.trajectory);
    });
    if (toStdout) process.stdout.write(moleculesText(format, molecules));
    const seconds = (performance.now() - started) / 1000;
    const s = summarizeFinished(finished);
    const where = [out ? `→ ${out.path}` : '', traj ? `trajectory → ${traj.path}` : ''].filter(Boolean).join(', ');
    note(
      args,
      `${s.count} molecules in ${duration(seconds)} (${rate(s.count, seconds)} molecules/s): ` +
        `valid ${percent(s.valid / s.count)}, unique ${percent(s.valid > 0 ? s.unique / s.valid : 0)} of valid, stable ${percent(s.stable / s.count)}` +
        (where ? ` ${where}` : ''),
    );
  },
};

async function writeTrajectory(path: string, trajectory: Trajectory): Promise<void> {
  if (/\.json$/i.test(path)) await writeFile(path, JSON.stringify(trajectoryToJson(trajectory)) + '\n');
  else await writeSdfFile(path, trajectoryToSdfRecords(trajectory));
}
