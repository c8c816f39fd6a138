import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EDM_ADAM, EDM_QM9_SCHEDULE, type EgnnConfig, type NoiseScheduleConfig, runTraining, type TrainingConfig } from '@equimol/core/node';
import type { Argv, CommandModule } from 'yargs';
import { activateBackend, type GlobalArgs, note } from '../context.js';
import { UsageError } from '../errors.js';
import { duration } from '../format.js';
import { BACKEND_NAMES, integerOption, numberOption } from '../options.js';
import { requireInputFile } from '../output.js';

interface TrainArgs extends GlobalArgs {
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

/** What a `--config` file may hold; flags given on the command line win. */
interface TrainConfigFile {
  name?: string;
  dataset?: string;
  egnn?: Partial<EgnnConfig>;
  schedule?: NoiseScheduleConfig;
  training?: Partial<TrainingConfig>;
}

async function readConfigFile(path: string): Promise<TrainConfigFile> {
  requireInputFile(path, '--config');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config ${path}: expected a JSON object with name, dataset, egnn, schedule, training`);
  const known = new Set(['name', 'dataset', 'egnn', 'schedule', 'training']);
  const unknown = Object.keys(parsed).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new UsageError(`--config ${path}: unknown key(s) ${unknown.join(', ')} (allowed: ${[...known].join(', ')})`);
  return parsed as TrainConfigFile;
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
  handler: async (args) => {
    const hidden = integerOption('hidden', args.hidden);
    const layers = integerOption('layers', args.layers);
    const timesteps = integerOption('timesteps', args.timesteps);
    const steps = integerOption('steps', args.steps);
    const epochs = integerOption('epochs', args.epochs);
    const batchSize = integerOption('batch-size', args.batchSize);
    const lr = numberOption('lr', args.lr, Number.MIN_VALUE, 1);
    const emaDecay = numberOption('ema-decay', args.emaDecay, 0, 0.999999);
    const seed = integerOption('seed', args.seed, 0);
    const workers = integerOption('workers', args.workers);
    const validationFraction = numberOption('validation-fraction', args.validationFraction, 0, 0.9);
    const validateEvery = integerOption('validate-every', args.validateEvery);
    const checkpointEvery = integerOption('checkpoint-every', args.checkpointEvery);
    const logEvery = integerOption('log-every', args.logEvery);
    const sampleEvery = integerOption('sample-every', args.sampleEvery, 0);
    const sampleCount = integerOption('sample-count', args.sampleCount);
    const sampleSteps = integerOption('sample-steps', args.sampleSteps);
    const runJson = join(args.out, 'run.json');
    const command = ['equimol', ...process.argv.slice(2)].join(' ');
    const print = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };

    if (args.resume) {
      if (!existsSync(runJson)) throw new UsageError(`${args.out} holds no training run to resume (no run.json); start one with --data`);
      const ignored = ['data', 'config', 'name', 'hidden', 'layers', 'timesteps', 'steps', 'epochs', 'batchSize', 'lr', 'emaDecay', 'loss', 'seed', 'workers', 'validationFraction', 'sampleEvery', 'sampleCount', 'sampleSteps'].filter(
        (k) => (args as unknown as Record<string, unknown>)[k] !== undefined,
      );
      if (ignored.length > 0) note(args, `--resume continues with the settings in ${runJson}; ignoring ${ignored.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
      const backend = await activateBackend(args);
      const started = performance.now();
      const state = await runTraining({ outDir: args.out, resume: true, backend: backend.name, print });
      note(args, `stopped at step ${state.step} after ${duration((performance.now() - started) / 1000)}; model in ${join(args.out, 'model')}`);
      return;
    }

    if (existsSync(runJson)) throw new UsageError(`${args.out} already holds a training run; continue it with --resume or choose another --out`);
    const file: TrainConfigFile = args.config !== undefined ? await readConfigFile(args.config) : {};
    const dataset = args.data ?? file.dataset;
    if (dataset === undefined) throw new UsageError('give the dataset with --data FILE.eqd (build one with `equimol data build`)');
    requireInputFile(dataset, '--data');
    if (!/\.eqd$/i.test(dataset)) throw new UsageError(`--data ${dataset}: give a dataset built with \`equimol data build ${dataset} -o data.eqd\``);

    const egnn: Partial<EgnnConfig> = { ...file.egnn };
    if (hidden !== undefined) egnn.hiddenSize = hidden;
    if (layers !== undefined) egnn.layers = layers;
    let schedule = file.schedule;
    if (timesteps !== undefined) schedule = { ...(schedule ?? EDM_QM9_SCHEDULE), timesteps };
    const training: Partial<TrainingConfig> = { ...file.training };
    // The optimiser is one object: a learning rate alone must not drop Adam's other settings.
    training.optimizer = { ...EDM_ADAM, ...file.training?.optimizer, ...(lr !== undefined ? { learningRate: lr } : {}) };
    const set = <K extends keyof TrainingConfig>(key: K, value: TrainingConfig[K] | undefined): void => {
      if (value !== undefined) training[key] = value;
    };
    set('maxSteps', steps);
    set('maxEpochs', epochs);
    set('batchSize', batchSize);
    if (batchSize !== undefined && file.training?.microBatch === undefined) training.microBatch = batchSize;
    set('emaDecay', emaDecay);
    set('loss', args.loss);
    set('seed', seed);
    set('workers', workers);
    set('validationFraction', validationFraction);
    set('validateEvery', validateEvery);
    set('checkpointEvery', checkpointEvery);
    set('logEvery', logEvery);
    set('sampleEvery', sampleEvery);
    set('sampleCount', sampleCount);
    set('sampleSteps', sampleSteps);
    if (training.maxSteps === undefined && training.maxEpochs === undefined) {
      note(args, 'no --steps or --epochs: training runs until Ctrl-C (a checkpoint is written then)');
    }

    const backend = await activateBackend(args);
    const started = performance.now();
    const state = await runTraining({
      outDir: args.out,
      config: { name: args.name ?? file.name ?? 'equimol-run', dataset, egnn, ...(schedule ? { schedule } : {}), training, command },
      backend: backend.name,
      print,
    });
    note(args, `stopped at step ${state.step} after ${duration((performance.now() - started) / 1000)}; model in ${join(args.out, 'model')} (sample with --model ${join(args.out, 'model')})`);
  },
};
