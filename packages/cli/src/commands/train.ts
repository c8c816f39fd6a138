// The `equimol train` command: its options, help and examples. The work is in ../actions/train.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { BACKEND_NAMES } from '../options.js';

/** Arguments of `equimol train`. */
export interface TrainArgs extends GlobalArgs {
  data?: string;
  out: string;
  config?: string;
  resume: boolean;
  name?: string;
  hidden?: number;
  layers?: number;
  timesteps?: number;
  steps?: number;
  epochs?: number;
  batchSize?: number;
  microBatch?: number;
  lr?: number;
  emaDecay?: number;
  loss?: 'l2' | 'vlb';
  seed?: number;
  workers?: number;
  validationFraction?: number;
  validateEvery?: number;
  checkpointEvery?: number;
  logEvery?: number;
  sampleEvery?: number;
  sampleCount?: number;
  sampleSteps?: number;
  backend?: string;
}

/** `equimol train`: a new or resumed training run in a run directory (core's runTraining). */
export const trainCommand: CommandModule<GlobalArgs, TrainArgs> = {
  command: 'train',
  describe: 'Train a model on a dataset (resumable)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage(
        '$0 train --data DATASET.eqd --out RUNDIR [options]\n\nTrains EDM on a dataset made with `equimol data build`. RUNDIR receives run.json, train.jsonl (one JSON record per log line), checkpoints/ and model/ (EMA weights, usable with `equimol sample --model RUNDIR/model`). Ctrl-C writes a checkpoint and stops; --resume continues from it.',
      )
      .option('data', { type: 'string', describe: 'Dataset file (.eqd) from `equimol data build`' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Run directory' })
      .option('config', { type: 'string', describe: 'JSON file {name, dataset, egnn, schedule, training}; flags override it' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue the run in --out from its latest checkpoint (its run.json decides the settings)' })
      .option('name', { type: 'string', describe: 'Run and model name' })
      .option('hidden', { type: 'number', describe: 'Hidden width of the EGNN (EDM: 256)' })
      .option('layers', { type: 'number', describe: 'EGNN layers (EDM: 9)' })
      .option('timesteps', { type: 'number', describe: 'Diffusion steps T of the polynomial schedule (EDM: 1000)' })
      .option('steps', { type: 'number', describe: 'Stop after this many optimiser steps' })
      .option('epochs', { type: 'number', describe: 'Stop after this many epochs' })
      .option('batch-size', { type: 'number', describe: 'Molecules per step (EDM: 64)' })
      .option('micro-batch', { type: 'number', describe: 'Most molecules per forward pass in one thread (default: the batch size); smaller bounds memory' })
      .option('lr', { type: 'number', describe: 'Learning rate (EDM: 1e-4)' })
      .option('ema-decay', { type: 'number', describe: 'EMA decay of the weights (EDM: 0.999; 0 = off)' })
      .option('loss', { choices: ['l2', 'vlb'] as const, describe: "l2: EDM's simple loss; vlb: the variational bound" })
      .option('seed', { type: 'number', describe: 'Seed of initialisation, batches and noise' })
      .option('workers', { alias: 'j', type: 'number', describe: 'Worker threads for data-parallel gradients' })
      .option('validation-fraction', { type: 'number', describe: 'Share of the dataset held out for validation (default 0.02)' })
      .option('validate-every', { type: 'number', describe: 'Steps between validation losses' })
      .option('checkpoint-every', { type: 'number', describe: 'Steps between checkpoints' })
      .option('log-every', { type: 'number', describe: 'Steps between log lines' })
      .option('sample-every', { type: 'number', describe: "Steps between sample-quality checks (EDM's metrics on EMA samples; default never)" })
      .option('sample-count', { type: 'number', describe: 'Molecules per sample-quality check (default 32)' })
      .option('sample-steps', { type: 'number', describe: 'Denoising steps per sample-quality check (default 250)' })
      .option('backend', { choices: BACKEND_NAMES, describe: 'tfjs backend' })
      .example('$0 train --data qm9-heavy.eqd --out runs/qm9 --steps 100000 -j 2', 'EDM on QM9 without hydrogens')
      .example('$0 train --out runs/qm9 --resume', 'continue after Ctrl-C or a crash')
      .example('$0 train --data mine.eqd --out runs/tiny --hidden 64 --layers 4 --steps 2000', 'a small model on your own data') as unknown as Argv<TrainArgs>,
  handler: async (args) => (await import('../actions/train.js')).runTrain(args),
};
