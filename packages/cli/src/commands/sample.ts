// The `equimol sample` command: its options, help and examples. The work is in ../actions/sample.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, backendOption, type BuilderArgs, forceOption, gpuOption, modelOption, workersOption } from './sharedOptions.js';

function builder(y: Argv<GlobalArgs>) {
  return y
    .usage('$0 sample [options]\n\nGenerate molecules with the reverse diffusion chain of a trained EDM model and write them with bonds, hydrogens and the data fields SMILES, valid, stable, model, seed, index.')
    .option('count', { alias: 'n', type: 'number', default: 100, describe: 'Number of molecules (of the whole campaign when --shard is given)' })
    .option('output', { alias: 'o', type: 'string', describe: 'Output file (.sdf, .xyz, .json, .npz; .gz to compress); standard output if omitted' })
    .option('model', modelOption)
    .option('steps', { type: 'number', describe: "Denoising steps, strided over the model's T (default: T)" })
    .option('sampler', { choices: ['ancestral', 'ddim'] as const, default: 'ancestral' as const, describe: 'Reverse-process sampler' })
    .option('type-noise', { type: 'number', describe: "Noise scale on atom types per ancestral step, 0–1 (default 1 = EDM's sampler; lower raises validity only by making molecules carbon-richer, see the model card); ancestral sampler only" })
    .option('seed', { type: 'number', default: 0, describe: 'Campaign seed; molecule i depends only on (seed, i)' })
    .option('atoms', { type: 'number', describe: 'Atoms per molecule (heavy atoms for heavy-atom models)' })
    .option('atoms-range', { type: 'string', describe: "Atom counts A-B, drawn from the model's histogram within the range" })
    .option('batch-size', { type: 'number', default: 64, describe: "Most molecules per network evaluation; fewer where one evaluation would not fit the backend's memory (automatic micro-batches; molecules do not change)" })
    .option('workers', workersOption('one per core with tfjs-wasm/cpu, 1 with native TensorFlow, which threads itself'))
    .option('format', { choices: ['sdf', 'xyz', 'json', 'npz'], describe: "Output format (default: from the file name; sdf on standard output; npz: EDM's layout, to a file)" })
    .option('hydrogens', { type: 'boolean', default: true, describe: 'Add hydrogens with 3D coordinates to heavy-atom molecules (--no-hydrogens to keep heavy atoms only)' })
    .option('trajectory', { type: 'string', describe: "Also write the denoising chains (.sdf or .json) for `equimol view`; a bond model's frames carry the bonds it generated at each step" })
    .option('frames', { type: 'number', describe: 'Frames per molecule in --trajectory (default 100)' })
    .option('fix', { type: 'string', array: true, requiresArg: true, describe: 'Hold the atoms of the first record of this file (elements and coordinates) and generate the rest; twice, or a file with two fragments, to design a linker' })
    .option('fix-atoms', { type: 'string', describe: 'Hold only these atoms of the --fix file(s), numbered from 1 as in the SD file, e.g. 1-6,9' })
    .option('resample', { type: 'number', describe: 'With --fix: times each denoising step is taken, re-noising in between so the new atoms fit the held ones (RePaint; default 1)' })
    .option('shard', { type: 'string', describe: 'Make only part i of n of the campaign (1-based); shard outputs concatenated in order equal the unsplit run' })
    .option('backend', backendOption)
    .option('gpu', gpuOption)
    .option('force', forceOption)
    .conflicts('atoms', 'atoms-range')
    .example('$0 sample -n 100 -o out.sdf', '100 molecules with the shipped model')
    .example('$0 sample -n 1000 --steps 500 --sampler ddim -j 2 -o out.sdf.gz', 'faster, strided sampling on two threads')
    .example('$0 sample -n 8 --atoms 9 --trajectory traj.sdf --frames 50 -o mols.sdf', 'nine heavy atoms each, with denoising chains for the viewer')
    .example('$0 sample -n 100 --fix scaffold.sdf --atoms 9 --resample 5 -o decorated.sdf', 'keep a scaffold, generate the rest of 9-atom molecules')
    .example('$0 sample -n 100 --fix a.sdf --fix b.sdf -o linked.sdf', 'link two fragments, each held where it sits')
    .example('$0 sample -n 100000 --seed 7 --shard $SLURM_ARRAY_TASK_ID/50 -o part-$SLURM_ARRAY_TASK_ID.sdf', 'one of 50 array jobs (--array=1-50); cat part-{1..50}.sdf = the whole run');
}

/** Arguments of `equimol sample`. */
export type SampleArgs = ArgsOf<typeof builder>;

/** `equimol sample`: molecules from a trained model, written with bonds, hydrogens and EDM's verdicts. */
export const sampleCommand: CommandModule<GlobalArgs, BuilderArgs<typeof builder>> = {
  command: 'sample',
  describe: 'Generate 3D molecules with a trained model',
  builder,
  handler: async (args) => (await import('../actions/sample.js')).runSample(args),
};
