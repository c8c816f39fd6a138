import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EDM_ADAM,
  EDM_QM9_SCHEDULE,
  type EgnnConfig,
  type InterruptSignal,
  interruptExitCode,
  type NoiseScheduleConfig,
  type RunConfigFile,
  runTraining,
  type TrainingRunOptions,
  type TrainingConfig,
} from '@equimol/core/node';
import { activateBackend, note } from '../context.js';
import { UsageError } from '../errors.js';
import { duration } from '../format.js';
import { cliVersion } from '../version.js';
import { createProgress, type Progress } from '../progress.js';
import { integerOption, numberOption } from '../options.js';
import { requireInputFile } from '../output.js';
import { RESUME_OPTIONS, type TrainArgs, trainOptions } from '../commands/train.js';

async function readConfigFile(path: string): Promise<RunConfigFile> {
  requireInputFile(path, '--config');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config ${path}: expected a JSON object with name, dataset, egnn, schedule, training`);
  const known = new Set(['name', 'dataset', 'bonds', 'egnn', 'schedule', 'training', 'init']);
  // A run.json also carries what the trainer recorded about the run: not part of the config.
  const recorded = new Set(['record', 'command', 'interventions']);
  const unknown = Object.keys(parsed).filter((k) => !known.has(k) && !recorded.has(k));
  if (unknown.length > 0) throw new UsageError(`--config ${path}: unknown key(s) ${unknown.join(', ')} (allowed: ${[...known].join(', ')})`);
  const { record: _r, command: _c, interventions: _i, ...config } = parsed as RunConfigFile & Record<string, unknown>;
  return config;
}

/** `equimol train`: a new or resumed training run in a run directory (core's runTraining). */
export async function runTrain(args: TrainArgs): Promise<void> {
  const hidden = integerOption('hidden', args.hidden);
  const layers = integerOption('layers', args.layers);
  const timesteps = integerOption('timesteps', args.timesteps);
  const steps = integerOption('steps', args.steps);
  const epochs = integerOption('epochs', args.epochs);
  const batchSize = integerOption('batch-size', args.batchSize);
  const microBatch = args.microBatch === undefined || args.microBatch === 'auto' ? args.microBatch : integerOption('micro-batch', Number(args.microBatch));
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
  const version = cliVersion();
  if (args.set !== undefined && !args.resume) throw new UsageError('--set changes a run as it continues: use it with --resume (a new run takes its settings from flags or --config)');

  if (args.resume) {
    if (!existsSync(runJson)) throw new UsageError(`${args.out} holds no training run to resume (no run.json); start one with --data`);
    // yargs keeps each option under its dashed name too, as trainOptions spells it.
    const given = args as unknown as Record<string, unknown>;
    const ignored = (Object.keys(trainOptions) as (keyof typeof trainOptions)[]).filter((name) => !RESUME_OPTIONS.includes(name) && given[name] !== undefined);
    if (ignored.length > 0) note(args, `--resume continues with the settings in ${runJson}; ignoring ${ignored.map((name) => `--${name}`).join(', ')}`);
    const backend = await activateBackend(args);
    await trainAndReport(args, { resume: true, set: args.set?.map(String), command, version, backend: backend.name });
    return;
  }

  if (existsSync(runJson)) throw new UsageError(`${args.out} already holds a training run; continue it with --resume or choose another --out`);
  const file: RunConfigFile = args.config !== undefined ? await readConfigFile(args.config) : {};
  const dataset = args.data ?? file.dataset;
  if (dataset === undefined) throw new UsageError('give the dataset with --data FILE.eqd (build one with `equimol data build`)');
  requireInputFile(dataset, '--data');
  if (!/\.eqd$/i.test(dataset)) throw new UsageError(`--data ${dataset}: give a dataset built with \`equimol data build ${dataset} -o data.eqd\``);

  const egnn: Partial<EgnnConfig> = { ...file.egnn };
  if (hidden !== undefined) egnn.hiddenSize = hidden;
  if (layers !== undefined) egnn.layers = layers;
  if (args.logSnrInput !== undefined) egnn.logSnrInput = args.logSnrInput;
  const init = args.initFrom !== undefined ? { fromModel: args.initFrom } : file.init;
  if (init) requireInputFile('fromModel' in init ? join(init.fromModel, 'model.json') : join(init.fromRun, 'run.json'), '--init-from');
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
  set('microBatch', microBatch);
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
  await trainAndReport(args, {
    config: {
      name: args.name ?? file.name ?? 'equimol-run',
      dataset,
      ...((args.bonds ?? file.bonds) ? { bonds: true } : {}),
      egnn,
      ...(schedule ? { schedule } : {}),
      training,
      ...(init ? { init } : {}),
    },
    command,
    version,
    backend: backend.name,
  });
}

/** Core's runTraining with the command's progress reporting, then its closing line. */
async function trainAndReport(args: TrainArgs, options: Omit<TrainingRunOptions, 'outDir' | 'print' | 'onStep' | 'onInterrupt'>): Promise<void> {
  const { print, onStep, finish } = trainingReporter(args.quiet === true);
  const started = performance.now();
  let interrupted: InterruptSignal | null = null;
  const state = await runTraining({ ...options, outDir: args.out, print, onStep, onInterrupt: (signal) => (interrupted = signal) }).finally(finish);
  reportEnd(args, state.step, started, interrupted);
}

/**
 * The closing line of a run. A run stopped by Ctrl-C or SIGTERM has written its checkpoint and model
 * like one that ended, but exits with 128 + the signal's number, as an interrupted command should.
 */
function reportEnd(args: TrainArgs, step: number, started: number, interrupted: InterruptSignal | null): void {
  const model = join(args.out, 'model');
  const took = duration((performance.now() - started) / 1000);
  if (interrupted === null) {
    note(args, `stopped at step ${step} after ${took}; model in ${model} (sample with --model ${model})`);
    return;
  }
  note(args, `${interrupted}: stopped at step ${step} after ${took}; checkpoint in ${join(args.out, 'checkpoints', 'latest.eqt')}, model in ${model}; continue with --out ${args.out} --resume`);
  process.exitCode = interruptExitCode(interrupted);
}

/**
 * Where a run reports: its log lines on stdout (they carry loss, speed and ETA), plus, when stderr is
 * a terminal and the run has a step or epoch limit, a progress bar with time left below them.
 */
function trainingReporter(quiet: boolean): { print: (line: string) => void; onStep: (step: number, finalStep: number | null) => void; finish: () => void } {
  let bar: Progress | null = null;
  let firstStep = -1;
  return {
    print: (line) => (bar ? bar.log(line) : process.stdout.write(`${line}\n`)),
    onStep: (step, finalStep) => {
      if (quiet || finalStep === null || process.stderr.isTTY !== true) return;
      if (firstStep < 0) {
        firstStep = step - 1;
        bar = createProgress('training', finalStep - firstStep, 'steps');
      }
      bar!.update(step - firstStep);
    },
    finish: () => bar?.finish(),
  };
}
