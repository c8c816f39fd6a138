import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { workerThreadsFor } from '../backend/select.js';
import { createModel } from '../checkpoint/modelBundle.js';
import { evaluateMolecules } from '../metrics/evaluate.js';
import { sampleMolecules } from '../pipeline/sampleMolecules.js';
import { featureCount } from '../data/atomEncoding.js';
import { parseJsonText } from '../io/errors.js';
import { MoleculeDataset } from '../data/dataset.js';
import { type NoiseScheduleConfig, EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { type EgnnConfig, edmEgnnConfig } from '../model/config.js';
import { LocalGradientEngine, type GradientEngine } from '../train/gradientEngine.js';
import { Trainer, type TrainerHooks, type TrainingLogRecord } from '../train/trainer.js';
import { defaultTrainingConfig, type TrainingConfig } from '../train/trainingConfig.js';
import { type TrainerState, trainerStateFromBytes, trainerStateToBytes } from '../train/trainerState.js';
import { writeFileAtomic } from './filesAtomic.js';
import { handleInterrupts, type InterruptHandler, type InterruptSignal } from './interrupts.js';
import { saveModelDirectory } from './modelFiles.js';
import { WorkerGradientEngine } from './workerGradientEngine.js';

/** Everything that defines a run; written to RUNDIR/run.json and re-read on resume. */
export interface RunConfig {
  name: string;
  dataset: string;
  egnn: EgnnConfig;
  schedule: NoiseScheduleConfig;
  training: TrainingConfig;
  /** The command that started the run, for model cards. */
  command?: string;
}

/** Options of `runTraining`. */
export interface TrainingRunOptions {
  outDir: string;
  /** Required for a new run; ignored (taken from run.json) when resuming. */
  config?: {
    name?: string;
    dataset: string;
    egnn?: Partial<EgnnConfig>;
    schedule?: NoiseScheduleConfig;
    training?: Partial<TrainingConfig>;
    command?: string;
  };
  resume?: boolean;
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
      resumeState = trainerStateFromBytes(new Uint8Array(await readFile(latest)), latest).state;
      print(`resuming ${run.name} at step ${resumeState.step} (epoch ${resumeState.epoch})`);
    } else {
      print(`no checkpoint in ${outDir}; starting ${run.name} from scratch`);
    }
  } else {
    if (!options.config) throw new Error('a new training run needs a config (dataset, model, training)');
    const exists = await readFile(runJsonPath).then(() => true, () => false);
    if (exists) throw new Error(`${outDir} already holds a run; use --resume to continue it or choose another directory`);
    const c = options.config;
    const datasetProbe = MoleculeDataset.fromBytes(new Uint8Array(await readFile(c.dataset)), c.dataset);
    const F = featureCount(datasetProbe.encoding);
    run = {
      name: c.name ?? 'equimol-run',
      dataset: c.dataset,
      egnn: { ...edmEgnnConfig(F), ...c.egnn, nodeFeatures: F },
      schedule: c.schedule ?? EDM_QM9_SCHEDULE,
      training: defaultTrainingConfig(c.training),
      command: c.command,
    };
    await writeFileAtomic(runJsonPath, JSON.stringify(run, null, 2) + '\n');
  }
  const logPath = join(outDir, 'train.jsonl');
  if (options.resume) await truncateLog(logPath, resumeState?.step ?? 0);
  const dataset = MoleculeDataset.fromBytes(new Uint8Array(await readFile(run.dataset)), run.dataset);
  const spec = { egnn: run.egnn, schedule: run.schedule, microBatch: run.training.microBatch };
  const workers = workerThreadsFor(options.backend ?? tf.getBackend(), run.training.workers, print);
  const engine: GradientEngine = workers > 1 ? await WorkerGradientEngine.start(spec, workers, options.backend) : new LocalGradientEngine(spec);
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
            command: run.command,
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
        if (reason !== 'periodic') print(`checkpoint written at step ${state.step} (${reason})`);
      },
      onSampleEvaluation: options.hooks?.onSampleEvaluation ?? ((ema, step) => sampleQuality(run, dataset, ema, step)),
      shouldStop: options.shouldStop ?? (() => stopRequested),
      onStep: options.onStep ? (step) => options.onStep!(step, trainer.finalStep()) : undefined,
    };
    return await (options.shouldStop ? trainer.run(hooks) : handleInterrupts(interrupts, () => trainer.run(hooks)));
  } finally {
    await engine.dispose();
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
 * sampler with `sampleSteps` steps) and measure them with EDM's metrics.
 */
async function sampleQuality(run: RunConfig, dataset: MoleculeDataset, ema: Float32Array, step: number): Promise<Record<string, number>> {
  const model = createModel(
    { name: run.name, egnn: run.egnn, schedule: run.schedule, encoding: dataset.encoding, atomCountHistogram: dataset.atomCountHistogram() },
    ema,
  );
  const t0 = Date.now();
  const { molecules } = sampleMolecules(model, { count: run.training.sampleCount, seed: 12345, steps: run.training.sampleSteps, batchSize: run.training.batchSize });
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
