import type { MicroBatchSetting } from '../backend/memoryBudget.js';
import type { TimestepSampling } from '../diffusion/noise.js';
import { EDM_ADAM, type AdamConfig } from './adam.js';
import { EquimolError } from '../errors.js';

/** The settings a schedule entry may change during a run. */
export interface ScheduledSettings {
  /** A run extended (or shortened) as it goes. */
  maxSteps?: number;
  maxEpochs?: number;
  optimizer?: Partial<AdamConfig>;
  emaDecay?: number;
  emaWarmup?: boolean;
  clipGradients?: boolean;
  /** null returns to uniform timestep draws. */
  timestepSampling?: TimestepSampling | null;
}

/**
 * A change of a run, declared in its config (like diffusers' step rules): from optimiser step
 * `fromStep` on, `set` holds; `resetEma` sets the EMA to the current weights once, at that step.
 */
export interface ScheduleEntry {
  fromStep: number;
  set?: ScheduledSettings;
  resetEma?: boolean;
  /** Why (free text for the run's readers). */
  note?: string;
}

/** Everything that defines a training run (besides model architecture and data). */
export interface TrainingConfig {
  seed: number;
  /** Molecules per optimiser step (EDM: 64). */
  batchSize: number;
  /** Most molecules per forward pass in one thread; 'auto' (default): the most that fit the backend's memory. */
  microBatch: MicroBatchSetting;
  /** Stop after this many optimiser steps (whichever of steps/epochs comes first). */
  maxSteps?: number;
  /** Stop after this many epochs. */
  maxEpochs?: number;
  optimizer: AdamConfig;
  /** EMA decay (EDM: 0.999); 0 disables EMA. */
  emaDecay: number;
  /**
   * Warm the EMA up: decay min(emaDecay, (1 + t)/(10 + t)) at step t, so early averages are not
   * dominated by the random initial weights (0.999^2500 ≈ 8 % of them still remain after 2,500
   * steps without it). EDM has no warm-up; runs configured without this field have none either.
   */
  emaWarmup?: boolean;
  /** EDM's adaptive gradient clipping. */
  clipGradients: boolean;
  /** 'l2': EDM's simple ε loss; 'vlb': the variational bound. */
  loss: 'l2' | 'vlb';
  /**
   * Non-uniform timestep draws for the training loss (absent: uniform, as EDM). The validation loss
   * always draws uniformly, so it stays comparable across runs. Only with loss 'l2'.
   */
  timestepSampling?: TimestepSampling;
  /** Fraction of the dataset held out for validation. */
  validationFraction: number;
  /** Validation molecules actually evaluated (a fixed subset keeps it cheap and comparable). */
  validationSize: number;
  /** Steps between validation losses. */
  validateEvery: number;
  /** Steps between log records. */
  logEvery: number;
  /** Steps between checkpoints. */
  checkpointEvery: number;
  /** Checkpoints kept besides the best and the latest. */
  keepCheckpoints: number;
  /** Steps between quick sampling evaluations (0 = never). */
  sampleEvery: number;
  /** Molecules sampled at each sampling evaluation. */
  sampleCount: number;
  /** Denoising steps used at each sampling evaluation. */
  sampleSteps: number;
  /** Worker threads (Node); 1 = in-process. */
  workers: number;
  /** Changes during the run, in order of `fromStep`; entries are appended, never rewritten. */
  schedule?: ScheduleEntry[];
}

/** The settings in force for optimiser step `step` (0-based: the step about to be taken). */
export function trainingConfigAt(config: TrainingConfig, step: number): TrainingConfig {
  let current = config;
  for (const entry of config.schedule ?? []) {
    if (entry.fromStep > step || !entry.set) continue;
    const { optimizer, timestepSampling, ...rest } = entry.set;
    current = { ...current, ...rest, optimizer: { ...current.optimizer, ...optimizer } };
    if (timestepSampling !== undefined) {
      const { timestepSampling: _dropped, ...uniform } = current;
      current = timestepSampling === null ? uniform : { ...current, timestepSampling };
    }
  }
  return current;
}

/** Whether a schedule entry resets the EMA at exactly this step. */
export function resetsEmaAt(config: TrainingConfig, step: number): boolean {
  return (config.schedule ?? []).some((entry) => entry.resetEma === true && entry.fromStep === step);
}

/** EDM's QM9 training settings at equimol's defaults for bookkeeping. */
export function defaultTrainingConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    seed: 0,
    batchSize: 64,
    microBatch: 'auto',
    optimizer: { ...EDM_ADAM },
    emaDecay: 0.999,
    emaWarmup: true,
    clipGradients: true,
    loss: 'l2',
    validationFraction: 0.02,
    validationSize: 512,
    validateEvery: 500,
    logEvery: 50,
    checkpointEvery: 500,
    keepCheckpoints: 2,
    sampleEvery: 0,
    sampleCount: 32,
    sampleSteps: 250,
    workers: 1,
    ...overrides,
  };
}

/** Thrown for a `key=value` change that names no schedulable setting or gives it a wrong value. */
export class ScheduleSettingError extends EquimolError {
  constructor(message: string) {
    super(message, { kind: 'usage' });
    this.name = 'ScheduleSettingError';
  }
}

const NUMBER_SETTINGS = ['optimizer.learningRate', 'optimizer.beta1', 'optimizer.beta2', 'optimizer.epsilon', 'optimizer.weightDecay', 'emaDecay'];
const BOOLEAN_SETTINGS = ['optimizer.amsgrad', 'emaWarmup', 'clipGradients', 'resetEma'];
const COUNT_SETTINGS = ['maxSteps', 'maxEpochs'];
/** The keys `scheduleEntryFromAssignments` accepts. */
export const SCHEDULABLE_KEYS: readonly string[] = [...COUNT_SETTINGS, ...NUMBER_SETTINGS, ...BOOLEAN_SETTINGS, 'timestepSampling'];

/**
 * A schedule entry from `key=value` assignments (e.g. `optimizer.learningRate=5e-5`,
 * `timestepSampling={"lowNoiseShare":0.5,"lowNoiseSteps":300}` or `=null`, `resetEma=true`), taking
 * effect at `fromStep`: what `equimol train --resume --set` appends to a run.
 */
export function scheduleEntryFromAssignments(assignments: readonly string[], fromStep: number, note?: string): ScheduleEntry {
  const entry: ScheduleEntry = { fromStep };
  const set: ScheduledSettings = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq > 0 ? assignment.slice(0, eq).trim() : assignment.trim();
    const text = eq > 0 ? assignment.slice(eq + 1).trim() : '';
    if (eq <= 0 || text === '') throw new ScheduleSettingError(`--set ${assignment}: expected KEY=VALUE`);
    if (!SCHEDULABLE_KEYS.includes(key)) throw new ScheduleSettingError(`--set ${assignment}: ${key} cannot change during a run (allowed: ${SCHEDULABLE_KEYS.join(', ')})`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ScheduleSettingError(`--set ${assignment}: ${text} is not a number, true/false, null or JSON`);
    }
    if (NUMBER_SETTINGS.includes(key) && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new ScheduleSettingError(`--set ${assignment}: ${key} needs a non-negative number`);
    }
    if (COUNT_SETTINGS.includes(key) && !(Number.isInteger(value) && (value as number) >= 1)) {
      throw new ScheduleSettingError(`--set ${assignment}: ${key} needs a whole number ≥ 1`);
    }
    if (BOOLEAN_SETTINGS.includes(key) && typeof value !== 'boolean') throw new ScheduleSettingError(`--set ${assignment}: ${key} needs true or false`);
    if (key === 'timestepSampling' && value !== null && !isTimestepSampling(value)) {
      throw new ScheduleSettingError(`--set ${assignment}: timestepSampling needs null or {"lowNoiseShare": 0–1, "lowNoiseSteps": whole number ≥ 1}`);
    }
    if (key === 'resetEma') {
      if (value === true) entry.resetEma = true;
    } else if (key.startsWith('optimizer.')) {
      set.optimizer = { ...set.optimizer, [key.slice('optimizer.'.length)]: value };
    } else {
      (set as Record<string, unknown>)[key] = value;
    }
  }
  if (Object.keys(set).length > 0) entry.set = set;
  if (note) entry.note = note;
  return entry;
}

function isTimestepSampling(value: unknown): value is TimestepSampling {
  const v = value as Partial<TimestepSampling> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.lowNoiseShare === 'number' && v.lowNoiseShare >= 0 && v.lowNoiseShare <= 1 &&
    Number.isInteger(v.lowNoiseSteps) && (v.lowNoiseSteps as number) >= 1
  );
}
