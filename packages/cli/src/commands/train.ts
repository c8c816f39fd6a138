// The `equimol train` command: its options, help and examples. The work is in ../actions/train.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, backendOption, type BuilderArgs, gpuOption, workersOption } from './sharedOptions.js';

/**
 * The options of `equimol train`, as one table so that the action can tell which of them --resume
 * ignores (all but those in RESUME_OPTIONS): a new option is covered without a second list to update.
 * None has a default besides --resume: "given" means "not undefined".
 */
export const trainOptions = {
  data: { type: 'string', describe: 'Dataset file (.eqd) from `equimol data build`' },
  out: { alias: 'o', type: 'string', demandOption: true, describe: 'Run directory' },
  config: { type: 'string', describe: "JSON file {name, dataset, egnn, schedule, training, init}, e.g. another run's run.json; flags override it" },
  resume: { type: 'boolean', default: false, describe: 'Continue the run in --out from its latest checkpoint (its run.json decides the settings)' },
  set: { type: 'string', array: true, describe: 'With --resume: change a setting from the current step on, e.g. optimizer.learningRate=5e-5, timestepSampling=null, resetEma=true (repeatable; appended to the run\'s schedule)' },
  'init-from': { type: 'string', describe: "Warm start: a trained model directory whose weights are mapped onto the new network (elements by meaning)" },
  name: { type: 'string', describe: 'Run and model name' },
  hidden: { type: 'number', describe: 'Hidden width of the EGNN (EDM: 256)' },
  layers: { type: 'number', describe: 'EGNN layers (EDM: 9)' },
  'log-snr-input': { type: 'boolean', describe: 'Also give the network the noise level log SNR_t beside t/T (not in EDM)' },
  bonds: { type: 'boolean', describe: 'Generate bonds and formal charges with the atoms (needs a dataset built with --bonds)' },
  timesteps: { type: 'number', describe: 'Diffusion steps T of the polynomial schedule (EDM: 1000)' },
  steps: { type: 'number', describe: 'Stop after this many optimiser steps' },
  epochs: { type: 'number', describe: 'Stop after this many epochs' },
  'batch-size': { type: 'number', describe: 'Molecules per step (EDM: 64)' },
  'micro-batch': { type: 'string', describe: "Most molecules per forward pass in one thread: a number, or auto (default): the most that fit the backend's memory for each atom count" },
  lr: { type: 'number', describe: 'Learning rate (EDM: 1e-4)' },
  'ema-decay': { type: 'number', describe: 'EMA decay of the weights (EDM: 0.999; 0 = off)' },
  loss: { choices: ['l2', 'vlb'], describe: "l2: EDM's simple loss; vlb: the variational bound" },
  seed: { type: 'number', describe: 'Seed of initialisation, batches and noise' },
  workers: workersOption('1'),
  'validation-fraction': { type: 'number', describe: 'Share of the dataset held out for validation (default 0.02)' },
  'validate-every': { type: 'number', describe: 'Steps between validation losses' },
  'checkpoint-every': { type: 'number', describe: 'Steps between checkpoints' },
  'log-every': { type: 'number', describe: 'Steps between log lines' },
  'sample-every': { type: 'number', describe: "Steps between sample-quality checks (EDM's metrics on EMA samples; a bond model's judged on its generated graph; default never)" },
  'sample-count': { type: 'number', describe: 'Molecules per sample-quality check (default 32)' },
  'sample-steps': { type: 'number', describe: 'Denoising steps per sample-quality check (default 250)' },
  backend: backendOption,
  gpu: gpuOption,
} as const;

/** The options that still apply with --resume (where the run is, and what computes it). */
export const RESUME_OPTIONS: readonly (keyof typeof trainOptions)[] = ['out', 'resume', 'set', 'backend', 'gpu'];

function builder(y: Argv<GlobalArgs>) {
  return y
    .usage(
      '$0 train --data DATASET.eqd --out RUNDIR [options]\n\nTrains EDM on a dataset made with `equimol data build`. RUNDIR receives run.json, train.jsonl (one JSON record per log line), checkpoints/ and model/ (EMA weights, usable with `equimol sample --model RUNDIR/model`). Ctrl-C writes a checkpoint and the model, then stops (exit status 130); --resume continues from it.',
    )
    .options(trainOptions)
    .example('$0 train --data qm9-heavy.eqd --out runs/qm9 --steps 100000 -j 2', 'EDM on QM9 without hydrogens')
    .example('$0 train --out runs/qm9 --resume', 'continue after Ctrl-C or a crash')
    .example('$0 train --out runs/qm9 --resume --set optimizer.learningRate=5e-5', 'continue with a lower learning rate (recorded in run.json)')
    .example('$0 train --config runs/qm9/run.json --out runs/qm9-again', 'the same run again from scratch')
    .example('$0 train --data mine.eqd --out runs/tiny --hidden 64 --layers 4 --steps 2000', 'a small model on your own data');
}

/** Arguments of `equimol train`. */
export type TrainArgs = ArgsOf<typeof builder>;

/** `equimol train`: a new or resumed training run in a run directory (core's runTraining). */
export const trainCommand: CommandModule<GlobalArgs, BuilderArgs<typeof builder>> = {
  command: 'train',
  describe: 'Train a model on a dataset (resumable)',
  builder,
  handler: async (args) => (await import('../actions/train.js')).runTrain(args),
};
