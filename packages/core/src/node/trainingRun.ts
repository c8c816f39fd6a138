import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type MemoryBudget, memoryBudget, resolveMicroBatch } from '../backend/memoryBudget.js';
import { workerThreadsFor } from '../backend/select.js';
import { transferParameters } from '../model/transferParameters.js';
import { EgnnDynamics } from '../model/dynamics.js';
import { resizeParameters } from '../model/parameters.js';
import { Rng } from '../random/rng.js';
import { loadModelDirectory } from './modelFiles.js';
import { createModel } from '../modelFormat/modelFormat.js';
import { evaluateMolecules } from '../metrics/evaluate.js';
import { generatedGraphQuality } from '../pipeline/finishMolecules.js';
import { sampleMolecules } from '../pipeline/sampleMolecules.js';
import { featureCount } from '../data/atomEncoding.js';
import { bondClassCount } from '../data/bondEncoding.js';
import { parseJsonText } from '../io/errors.js';
import { MoleculeDataset } from '../data/dataset.js';
import { type NoiseScheduleConfig, EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { type EgnnConfig, edmEgnnConfig } from '../model/config.js';
import { LocalGradientEngine, type GradientEngine, type MemoryRetry } from '../train/gradientEngine.js';
import { BondModelMismatchError, initialTrainerState, type SampleMetrics, Trainer, type TrainerHooks, type TrainingLogRecord } from '../train/trainer.js';
import { defaultTrainingConfig, scheduleEntryFromAssignments, type TrainingConfig } from '../train/trainingConfig.js';
import { type TrainerState, trainerStateToBytes } from '../train/trainerState.js';
import { readTrainerStateFile } from './checkpointFiles.js';
import { writeFileAtomic } from './filesAtomic.js';
import { handleInterrupts, type InterruptHandler, type InterruptSignal } from './interrupts.js';
import { saveModelDirectory } from './modelFiles.js';
import { WorkerGradientEngine } from './workerGradientEngine.js';
import { EquimolError } from '../errors.js';

/**
 * Everything that defines a run: written to RUNDIR/run.json by the trainer and re-read on resume.
 * The same file given to `equimol train --config` starts the run again from scratch and takes the
 * same steps (its `record` is then ignored).
 */
export interface RunConfig {
  name: string;
  dataset: string;
  /** The network generates bonds and formal charges (see RunConfigFile.bonds). */
  bonds?: boolean;
  egnn: EgnnConfig;
  schedule: NoiseScheduleConfig;
  /** Training settings, with `training.schedule` holding the changes made during the run. */
  training: TrainingConfig;
  /** Where a new run starts other than from random weights (see RunInit). */
  init?: RunInit;
  /** The command that started the run (runs written before run records existed). */
  command?: string;
  /** What the trainer wrote about how the run was made; not part of the config. */
  record?: RunRecord;
}

/**
 * A warm start. `fromModel`: the weights of a trained model directory, mapped by meaning (elements,
 * inputs) onto this network, with a fresh optimiser. `fromRun`: the whole trainer state of another
 * run's latest checkpoint (weights, EMA, Adam moments, step, data order), continued with this
 * config; a network that gained inputs (e.g. `logSnrInput`) gets zero weights for them, so it
 * computes what the old one did.
 */
export type RunInit = { fromModel: string } | { fromRun: string };

/**
 * A run's config as a user writes it (`equimol train --config`): every part optional, defaults
 * filled in by the trainer, which writes the complete RunConfig to run.json.
 */
export interface RunConfigFile {
  name?: string;
  dataset?: string;
  egnn?: Partial<EgnnConfig>;
  schedule?: NoiseScheduleConfig;
  training?: Partial<TrainingConfig>;
  init?: RunInit;
  /**
   * Generate bonds and formal charges with the atoms (pilot B of issue #21): the dataset must carry
   * them (`equimol data build --bonds`), and the network gets `bondClasses` from its encoding.
   */
  bonds?: boolean;
}

/** The provenance of a run, kept by the trainer in run.json. */
export interface RunRecord {
  /** SHA-256 of the dataset file. */
  datasetSha256: string;
  /** One entry per start or resume, in order, each with the code that ran it. */
  sessions: RunSession[];
}

/**
 * One stretch of a run: from its start or resume to its stop. A resume may run other code than the
 * start did, so each session names its own version and commit (sessions of records written before
 * that may lack them).
 */
export interface RunSession {
  command?: string;
  equimolVersion?: string;
  /** The git commit of equimol's code, with "-dirty" when its work tree had changes; null outside git. */
  gitCommit?: string | null;
  startedAt: string;
  fromStep: number;
  toStep: number;
  wallSeconds: number;
  backend: string;
  workers: number;
  /** The micro-batch each worker uses for molecules of atoms lo…hi (automatic or as configured). */
  microBatches: { atoms: [number, number]; microBatch: number }[];
  /** Steps retried with a smaller micro-batch after a worker ran out of memory. */
  memoryRetries?: { step: number; worker: number; atoms: number; microBatch: number }[];
}

/** Options of `runTraining`. */
export interface TrainingRunOptions {
  outDir: string;
  /** Required for a new run; ignored (taken from run.json) when resuming. */
  config?: RunConfigFile & { dataset: string };
  resume?: boolean;
  /** With `resume`: `key=value` changes (see scheduleEntryFromAssignments) appended to the schedule at the current step. */
  set?: string[];
  /** The command line, recorded in run.json. */
  command?: string;
  /** The equimol version, recorded in run.json. */
  version?: string;
  backend?: string;
  /** Human-readable progress lines. */
  print?: (line: string) => void;
  /** Replaces the default sampling evaluation (EDM's metrics on `sampleCount` molecules every `sampleEvery` steps). */
  hooks?: Pick<TrainerHooks, 'onSampleEvaluation'>;
  /**
   * Polled between steps. Without it, the first SIGINT/SIGTERM stops the run after a checkpoint and
   * a second exits at once (interrupts.ts); with it, signals are left to the caller.
   */
  shouldStop?: () => boolean;
  /** Told which signal stopped the run (default signal handling only), so a command can exit with 128 + its number. */
  onInterrupt?: (signal: InterruptSignal) => void;
  /** Called after every optimiser step with the final step of the run (null when unbounded). */
  onStep?: (step: number, finalStep: number | null) => void;
}

const CHECKPOINTS = 'checkpoints';

/** Newest trainer checkpoint in a run directory, if any. */
export async function latestCheckpoint(outDir: string): Promise<string | null> {
  const dir = join(outDir, CHECKPOINTS);
  const files = await readdir(dir).catch(() => [] as string[]);
  return files.includes('latest.eqt') ? join(dir, 'latest.eqt') : null;
}

/**
 * Trains (or resumes) a run in a directory: run.json, train.jsonl (one JSON record per log line),
 * checkpoints/latest.eqt + step-N.eqt + best.eqt (trainer state, written atomically) and model/ (the
 * EMA weights as a loadable equimol model). Ctrl-C or SIGTERM write a checkpoint and stop (the run
 * returns normally; `onInterrupt` says it was a signal); after kill -9 the last periodic checkpoint is
 * intact and `resume` continues from it.
 */
export async function runTraining(options: TrainingRunOptions): Promise<TrainerState> {
  const print = options.print ?? ((line: string) => console.log(line));
  const outDir = options.outDir;
  await mkdir(join(outDir, CHECKPOINTS), { recursive: true });
  const runJsonPath = join(outDir, 'run.json');
  let run: RunConfig;
  let resumeState: TrainerState | undefined;
  if (options.resume) {
    run = parseJsonText<RunConfig>(await readFile(runJsonPath, 'utf8'), runJsonPath, 'the run configuration');
    const latest = await latestCheckpoint(outDir);
    if (latest) {
      resumeState = (await readTrainerStateFile(latest)).state;
      print(`resuming ${run.name} at step ${resumeState.step} (epoch ${resumeState.epoch})`);
    } else {
      print(`no checkpoint in ${outDir}; starting ${run.name} from scratch`);
    }
    if (options.set?.length) {
      // A change is appended at the step where the run continues; earlier entries stay as they were.
      const entry = scheduleEntryFromAssignments(options.set, resumeState?.step ?? 0, options.command);
      run.training = { ...run.training, schedule: [...(run.training.schedule ?? []), entry] };
      print(`from step ${entry.fromStep}: ${options.set.join(', ')}`);
    }
  } else {
    if (!options.config) throw new Error('a new training run needs a config (dataset, model, training)');
    const exists = await readFile(runJsonPath).then(() => true, () => false);
    if (exists) throw new Error(`${outDir} already holds a run; use --resume to continue it or choose another directory`);
    const c = options.config;
    const datasetProbe = MoleculeDataset.fromBytes(new Uint8Array(await readFile(c.dataset)), c.dataset);
    const F = featureCount(datasetProbe.encoding);
    const K = bondClassCount(datasetProbe.encoding.bonds);
    if (c.bonds && K === 0) throw new BondModelMismatchError(`the config asks for bonds but ${c.dataset} has none: build it with \`equimol data build --bonds\``);
    if (!c.bonds && K > 0) throw new BondModelMismatchError(`${c.dataset} carries bonds (built with --bonds): set "bonds": true in the config, or build the dataset without --bonds`);
    run = {
      name: c.name ?? 'equimol-run',
      dataset: c.dataset,
      ...(c.bonds ? { bonds: true } : {}),
      egnn: { ...edmEgnnConfig(F), ...c.egnn, nodeFeatures: F, ...(K > 0 ? { bondClasses: K } : {}) },
      schedule: c.schedule ?? EDM_QM9_SCHEDULE,
      training: defaultTrainingConfig(c.training),
      ...(c.init ? { init: c.init } : {}),
    };
  }
  const logPath = join(outDir, 'train.jsonl');
  if (options.resume) await truncateLog(logPath, resumeState?.step ?? 0);
  const datasetBytes = new Uint8Array(await readFile(run.dataset));
  const dataset = MoleculeDataset.fromBytes(datasetBytes, run.dataset);
  if (!resumeState && run.init) resumeState = await warmStart(run, dataset, print);

  // Memory: the micro-batch of each atom count, or one clear line before any work when even one
  // molecule does not fit.
  // Worker threads do not apply to a GPU backend (one device): a notice, then one thread.
  const workers = workerThreadsFor(options.backend ?? tf.getBackend(), run.training.workers, print);
  const budget = memoryBudget(options.backend);
  const microBatches = microBatchPlan(run, dataset, budget, workers);
  print(
    `micro-batches (${run.training.microBatch === 'auto' ? `auto, ${budget.backend} budget ${(budget.usableBytes / 1024 ** 3).toFixed(1)} GiB` : 'as configured'}): ` +
      microBatches.map((m) => `${m.atoms[0] === m.atoms[1] ? m.atoms[0] : `${m.atoms[0]}–${m.atoms[1]}`} atoms: ${m.microBatch}`).join(', '),
  );

  const datasetSha256 = createHash('sha256').update(datasetBytes).digest('hex');
  if (run.record && run.record.datasetSha256 !== datasetSha256) {
    print(`warning: ${run.dataset} is not the dataset this run started with (SHA-256 ${datasetSha256.slice(0, 12)}…, recorded ${run.record.datasetSha256.slice(0, 12)}…)`);
  }
  const session: RunSession = {
    ...(options.command ? { command: options.command } : {}),
    ...(options.version ? { equimolVersion: options.version } : {}),
    gitCommit: gitCommit(),
    startedAt: new Date().toISOString(),
    fromStep: resumeState?.step ?? 0,
    toStep: resumeState?.step ?? 0,
    wallSeconds: 0,
    backend: budget.backend,
    workers,
    microBatches,
  };
  run.record = { datasetSha256, sessions: [...(run.record ? sessionsWithProvenance(run.record) : []), session] };
  const sessionStart = Date.now();
  const writeRunJson = async (step: number): Promise<void> => {
    session.toStep = step;
    session.wallSeconds = Math.round((Date.now() - sessionStart) / 1000);
    await writeFileAtomic(runJsonPath, JSON.stringify(run, null, 2) + '\n');
  };
  await writeRunJson(session.fromStep);

  const spec = { egnn: run.egnn, schedule: run.schedule, microBatch: run.training.microBatch };
  let currentStep = session.fromStep;
  let savedStep = session.fromStep;
  const onRetry = (retry: MemoryRetry): void => {
    print(`warning: training worker ${retry.worker} ran out of memory at step ${currentStep + 1} (${retry.reason}); restarted, retrying with micro-batch ${retry.microBatch} for ${retry.atoms} atoms`);
    (session.memoryRetries ??= []).push({ step: currentStep + 1, worker: retry.worker, atoms: retry.atoms, microBatch: retry.microBatch });
  };
  const engine: GradientEngine =
    workers > 1 ? await WorkerGradientEngine.start(spec, workers, options.backend, { onRetry }) : failingAt(new LocalGradientEngine(spec), process.env['EQUIMOL_TEST_DEVICE_LOST']);
  let stopRequested = false;
  const interrupts: InterruptHandler = {
    onInterrupt: (signal) => {
      stopRequested = true;
      print(`${signal}: finishing this step and writing a checkpoint (press again to exit at once)`);
      options.onInterrupt?.(signal);
    },
    onRepeat: (signal) => print(`${signal} again: exiting now (the last checkpoint is intact)`),
  };
  // From here on the engine's worker threads exist: whatever throws (a checkpoint that does not fit
  // the model, a full disk) must still stop them, or they keep the process alive.
  try {
    const trainer = new Trainer({ egnn: run.egnn, schedule: run.schedule }, dataset, run.training, engine, resumeState);
    print(
      `training ${run.name}: ${trainer.layout.size} parameters, ${trainer.trainIndices.length} training / ${trainer.validationIndices.length} validation molecules, ` +
        `batch ${run.training.batchSize}, ${workers} worker(s)`,
    );

    const exportModel = async (state: TrainerState, dir: string): Promise<void> => {
      const model = createModel(
        {
          name: run.name,
          egnn: run.egnn,
          schedule: run.schedule,
          encoding: dataset.encoding,
          atomCountHistogram: dataset.atomCountHistogram(),
          dataset: dataset.card,
          training: {
            step: state.step,
            epoch: state.epoch + state.batchInEpoch / Math.max(1, Math.ceil(trainer.trainIndices.length / run.training.batchSize)),
            elapsedSeconds: Math.round(state.elapsedSeconds),
            bestValidationLoss: state.bestValidationLoss,
            weights: 'EMA',
            config: run.training,
            command: run.command ?? run.record?.sessions[0]?.command,
          },
        },
        state.ema,
      );
      await saveModelDirectory(model, dir);
    };
    const hooks: TrainerHooks = {
      onLog: async (record: TrainingLogRecord) => {
        await appendFile(logPath, JSON.stringify(record) + '\n');
        if (record.type === 'train') {
          const finalStep = trainer.finalStep();
          const eta = finalStep === null || record.moleculesPerSecond <= 0 ? null : (Math.max(0, finalStep - record.step) * run.training.batchSize) / record.moleculesPerSecond;
          print(
            `step ${record.step} epoch ${record.epoch.toFixed(2)} loss ${record.loss.toFixed(4)} |g| ${record.gradNorm.toFixed(2)} ` +
              `${record.moleculesPerSecond.toFixed(1)} mol/s${record.clipped ? ` clipped ${record.clipped}` : ''}${record.skipped ? ` skipped ${record.skipped}` : ''}` +
              (eta !== null ? ` ETA ${formatDuration(eta)}` : ''),
          );
        } else if (record.type === 'validation') {
          print(`step ${record.step} validation loss ${record.loss.toFixed(4)}${record.best ? ' (best)' : ''}`);
        } else {
          print(`step ${record.step} samples ${JSON.stringify(record.metrics)}`);
        }
      },
      onCheckpoint: async (state, reason) => {
        const bytes = trainerStateToBytes(state, { run: run.name });
        const dir = join(outDir, CHECKPOINTS);
        if (reason !== 'best') savedStep = state.step;
        if (reason === 'best') {
          await writeFileAtomic(join(dir, 'best.eqt'), bytes);
          await exportModel(state, join(outDir, 'model-best'));
          return;
        }
        await writeFileAtomic(join(dir, 'latest.eqt'), bytes);
        await writeFileAtomic(join(dir, `step-${String(state.step).padStart(8, '0')}.eqt`), bytes);
        const old = (await readdir(dir)).filter((f) => /^step-\d+\.eqt$/.test(f)).sort();
        for (const f of old.slice(0, Math.max(0, old.length - run.training.keepCheckpoints))) await rm(join(dir, f), { force: true });
        await exportModel(state, join(outDir, 'model'));
        await writeRunJson(state.step);
        if (reason !== 'periodic') print(`checkpoint written at step ${state.step} (${reason})`);
      },
      onSampleEvaluation: options.hooks?.onSampleEvaluation ?? ((ema, step) => sampleQuality(run, dataset, ema, step)),
      shouldStop: options.shouldStop ?? (() => stopRequested),
      onStep: (step) => {
        currentStep = step;
        options.onStep?.(step, trainer.finalStep());
      },
    };
    try {
      return await (options.shouldStop ? trainer.run(hooks) : handleInterrupts(interrupts, () => trainer.run(hooks)));
    } catch (err) {
      // A failed step (a lost GPU device, a dead worker) is reported with what was kept.
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      const lost = currentStep - savedStep;
      throw new TrainingStoppedError(
        `training stopped at step ${currentStep + 1}: ${reason}; the checkpoint of step ${savedStep} is intact ` +
          `(${lost === 0 ? 'no completed step was lost' : `${lost} completed step${lost === 1 ? '' : 's'} since it were lost`}): continue with --resume`,
        { cause: err },
      );
    }
  } finally {
    await engine.dispose();
  }
}

/** Training ended by a failed step; the message says which checkpoint is intact and what was lost. */
export class TrainingStoppedError extends EquimolError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrainingStoppedError';
  }
}

/**
 * Test hook: with EQUIMOL_TEST_DEVICE_LOST=N, the N-th gradient request of the run fails as a lost
 * GPU device does (the trainer's behaviour then can be tested without a GPU).
 */
function failingAt(engine: LocalGradientEngine, at: string | undefined): GradientEngine {
  const n = Number(at);
  if (!at || !Number.isInteger(n) || n < 1) return engine;
  let calls = 0;
  const compute = engine.compute.bind(engine);
  engine.compute = (params, request, microBatch) => {
    if (++calls === n) return Promise.reject(new Error('GPU device was lost (EQUIMOL_TEST_DEVICE_LOST)'));
    return compute(params, request, microBatch);
  };
  return engine;
}

/**
 * The micro-batch of each atom count in the dataset, per worker (a worker gets its share of the
 * batch), as ranges of equal micro-batch. Throws MoleculeTooLargeError naming the largest molecule
 * when one alone does not fit.
 */
function microBatchPlan(run: RunConfig, dataset: MoleculeDataset, budget: MemoryBudget, workers: number): RunSession['microBatches'] {
  const perWorker = Math.ceil(run.training.batchSize / Math.max(1, workers));
  let largest = 0;
  for (let i = 1; i < dataset.count; i++) if (dataset.atomCount(i) > dataset.atomCount(largest)) largest = i;
  const sizes = [...new Set(Array.from({ length: dataset.count }, (_, i) => dataset.atomCount(i)))].sort((a, b) => a - b);
  const what = `molecule ${largest + 1} of ${run.dataset}`;
  const plan: RunSession['microBatches'] = [];
  for (const atoms of sizes) {
    const microBatch = resolveMicroBatch(run.training.microBatch, run.egnn, atoms, 'training', budget, perWorker, what);
    const last = plan[plan.length - 1];
    if (last && last.microBatch === microBatch) last.atoms[1] = atoms;
    else plan.push({ atoms: [atoms, atoms], microBatch });
  }
  return plan;
}

/** The trainer state a new run with `init` starts from. */
async function warmStart(run: RunConfig, dataset: MoleculeDataset, print: (line: string) => void): Promise<TrainerState> {
  const init = run.init!;
  const layout = new EgnnDynamics(run.egnn).layout;
  if ('fromRun' in init) {
    const path = join(init.fromRun, CHECKPOINTS, 'latest.eqt');
    const sourceRun = parseJsonText<RunConfig>(await readFile(join(init.fromRun, 'run.json'), 'utf8'), join(init.fromRun, 'run.json'), 'the run configuration');
    const { state } = await readTrainerStateFile(path);
    const from = new EgnnDynamics(sourceRun.egnn).layout;
    const grow = (flat: Float32Array): Float32Array => resizeParameters(from, layout, flat);
    print(`continuing ${sourceRun.name} from step ${state.step} (${path})${from.size !== layout.size ? `, network ${from.size} → ${layout.size} parameters` : ''}`);
    return { ...state, params: grow(state.params), ema: grow(state.ema), adam: { ...state.adam, m: grow(state.adam.m), v: grow(state.adam.v), vMax: grow(state.adam.vMax) } };
  }
  const source = await loadModelDirectory(init.fromModel);
  const fresh = layout.initialise(Rng.stream(run.training.seed, 'weights'));
  const params = transferParameters({ egnn: source.meta.egnn, encoding: source.meta.encoding }, source.params, { egnn: run.egnn, encoding: dataset.encoding }, fresh);
  print(`warm start from ${init.fromModel} (${source.meta.name}, step ${source.meta.training?.step ?? '?'})`);
  return initialTrainerState(layout, run.training, params);
}

/**
 * A record's sessions, each with the code that ran it. Records written before sessions carried their
 * own kept one version and commit at the top, rewritten at every resume: the last session's, so the
 * pair moves there (earlier sessions' code is unknown and stays unstated).
 */
function sessionsWithProvenance(record: RunRecord & { equimolVersion?: string; gitCommit?: string | null }): RunSession[] {
  const { equimolVersion, gitCommit: commit, sessions } = record;
  const last = sessions[sessions.length - 1];
  if (!last || (equimolVersion === undefined && commit === undefined)) return sessions;
  const moved: RunSession = { ...last };
  if (moved.equimolVersion === undefined && equimolVersion !== undefined) moved.equimolVersion = equimolVersion;
  if (moved.gitCommit === undefined && commit !== undefined) moved.gitCommit = commit;
  return [...sessions.slice(0, -1), moved];
}

/**
 * The commit of equimol's own code (the git work tree this module sits in, not the caller's), with
 * "-dirty" for uncommitted changes; null for an installed package.
 */
function gitCommit(): string | null {
  const options = { cwd: dirname(fileURLToPath(import.meta.url)), encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], options).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], options).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

/**
 * Keeps the records of train.jsonl up to `step` (and any without a step). After kill -9 the log ran
 * ahead of the last checkpoint, and the resumed run logs those steps again; a line torn by the kill
 * is dropped too. Rewritten atomically, so a crash here leaves the old log.
 */
async function truncateLog(path: string, step: number): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return;
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => {
    try {
      const record = JSON.parse(line) as { step?: unknown };
      return typeof record.step !== 'number' || record.step <= step;
    } catch {
      return false;
    }
  });
  if (kept.length < lines.length) await writeFileAtomic(path, kept.map((line) => line + '\n').join(''));
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

/**
 * Quality while training: sample `sampleCount` molecules with the EMA weights (fixed seed, strided
 * sampler with `sampleSteps` steps) and measure them with EDM's metrics. A model that generates bonds
 * is judged on its generated graph instead (`rule: 'generated graph'`), as `equimol sample` exports
 * and judges it: EDM's distance rule would judge bonds the model never made.
 */
async function sampleQuality(run: RunConfig, dataset: MoleculeDataset, ema: Float32Array, step: number): Promise<SampleMetrics> {
  const model = createModel(
    { name: run.name, egnn: run.egnn, schedule: run.schedule, encoding: dataset.encoding, atomCountHistogram: dataset.atomCountHistogram() },
    ema,
  );
  const t0 = Date.now();
  const { molecules } = await sampleMolecules(model, { count: run.training.sampleCount, seed: 12345, steps: run.training.sampleSteps, batchSize: run.training.batchSize });
  if (model.meta.generatesBonds) return { step, ...generatedGraphQuality(molecules), seconds: (Date.now() - t0) / 1000 };
  const report = evaluateMolecules(molecules);
  return {
    step,
    molecules: report.molecules,
    atomStability: report.atomStability,
    moleculeStability: report.moleculeStability,
    validity: report.validity,
    connectivity: report.connectivity,
    validAndConnected: report.validAndConnected,
    uniqueness: report.uniqueness,
    seconds: (Date.now() - t0) / 1000,
  };
}
