import * as tf from '@tensorflow/tfjs-core';
import { collateBatch, sizeGroupedBatches, splitIndices } from '../data/batch.js';
import { featureCount } from '../data/atomEncoding.js';
import { bondClassCount } from '../data/bondEncoding.js';
import { EquimolError } from '../errors.js';
import type { MoleculeDataset } from '../data/dataset.js';
import { drawTrainingNoise, type TimestepSampling } from '../diffusion/noise.js';
import { simpleLossWeights } from '../diffusion/objective.js';
import { trainingVlbWeights } from '../diffusion/likelihood.js';
import { NoiseSchedule, type NoiseScheduleConfig } from '../diffusion/schedule.js';
import { createModel, type Model } from '../modelFormat/modelFormat.js';
import { type EgnnConfig, edmEgnnConfig } from '../model/config.js';
import type { ParameterLayout } from '../model/parameters.js';
import { EgnnDynamics } from '../model/dynamics.js';
import { Rng } from '../random/rng.js';
import { adamStep, initialAdamState } from './adam.js';
import { updateEma } from './ema.js';
import { DeviceOptimizer } from './deviceOptimizer.js';
import { type GradientEngine, type GradientRequest, LocalGradientEngine } from './gradientEngine.js';
import { AdaptiveGradientClipper } from './gradientClipping.js';
import { defaultTrainingConfig, resetsEmaAt, trainingConfigAt, type TrainingConfig } from './trainingConfig.js';
import type { TrainerState } from './trainerState.js';

/** One line of the training log (written as JSON lines by the CLI). */
/**
 * The state a new run starts from: weights drawn from the run's seed, or `params` when given (a warm
 * start, a run's `init.fromModel`), with the EMA equal to them and fresh Adam moments.
 */
export function initialTrainerState(
  layout: ParameterLayout,
  config: TrainingConfig,
  params: Float32Array = layout.initialise(Rng.stream(config.seed, 'weights')),
): TrainerState {
  return {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    params,
    ema: params.slice(),
    adam: initialAdamState(layout.size, config.optimizer),
    rng: Rng.stream(config.seed, 'training-noise').state(),
    clipHistory: [],
    bestValidationLoss: null,
    elapsedSeconds: 0,
  };
}

export type TrainingLogRecord =
  | {
      type: 'train';
      step: number;
      epoch: number;
      loss: number;
      gradNorm: number;
      clipped: number;
      skipped: number;
      learningRate: number;
      moleculesPerSecond: number;
      elapsedSeconds: number;
    }
  | { type: 'validation'; step: number; epoch: number; loss: number; best: boolean; elapsedSeconds: number }
  | { type: 'samples'; step: number; epoch: number; elapsedSeconds: number; metrics: SampleMetrics };

/** What a sample-quality check logs: figures, and for bond models the name of the judge (`rule`). */
export type SampleMetrics = Record<string, number | string>;

/** Callbacks through which a trainer reports and persists; all optional. */
export interface TrainerHooks {
  onLog?(record: TrainingLogRecord): void | Promise<void>;
  /** Persist state; `reason` says why (periodic, best validation, stop requested, end). */
  onCheckpoint?(state: TrainerState, reason: 'periodic' | 'best' | 'stop' | 'end' | 'failure'): void | Promise<void>;
  /** Sample with the EMA weights and return quality metrics to log. */
  onSampleEvaluation?(emaParams: Float32Array, step: number): Promise<SampleMetrics>;
  /** Polled between steps: true stops after writing a checkpoint (e.g. on Ctrl-C). */
  shouldStop?(): boolean;
  /** Called after every optimiser step (e.g. to move a progress bar). */
  onStep?(step: number): void;
}

/** The model description a trainer needs. */
export interface ModelSpec {
  egnn: EgnnConfig;
  schedule: NoiseScheduleConfig;
}

/**
 * EDM's training loop: size-grouped batches, ε-loss (or VLB), Adam, adaptive gradient clipping and
 * an EMA of the weights, with exact resume. The gradient computation is delegated to an engine, so
 * the same loop runs in one thread, in worker threads or in a browser.
 */
export class Trainer {
  readonly layout: ParameterLayout;
  readonly schedule: NoiseSchedule;
  readonly trainIndices: number[];
  readonly validationIndices: number[];
  private state: TrainerState;
  private readonly clipper: AdaptiveGradientClipper;
  private readonly rng: Rng;
  private plan: { epoch: number; batches: number[][] } | null = null;
  /** The optimiser state on the device, when the engine keeps gradients there (a GPU); else null. */
  private device: DeviceOptimizer | null = null;
  private readonly deviceEngine: LocalGradientEngine | null;

  constructor(
    readonly spec: ModelSpec,
    readonly dataset: MoleculeDataset,
    readonly config: TrainingConfig,
    readonly engine: GradientEngine,
    resumeFrom?: TrainerState,
  ) {
    if (spec.egnn.contextSize > 0) {
      // The model and samplers take a context vector, but batches do not carry one yet.
      throw new Error('conditional training (contextSize > 0) is not supported by the trainer yet');
    }
    let previous = 0;
    for (const entry of config.schedule ?? []) {
      if (!Number.isInteger(entry.fromStep) || entry.fromStep < previous) {
        throw new Error(`schedule entries need whole, non-decreasing fromStep values (got ${entry.fromStep} after ${previous})`);
      }
      previous = entry.fromStep;
    }
    for (const step of [0, ...(config.schedule ?? []).map((e) => e.fromStep)]) {
      if (trainingConfigAt(config, step).timestepSampling && config.loss !== 'l2') {
        // The variational bound's estimator assumes uniform t; it would need importance weights.
        throw new Error("timestepSampling needs loss 'l2' (the variational bound assumes uniform timesteps)");
      }
    }
    const K = spec.egnn.bondClasses ?? 0;
    if (K !== bondClassCount(dataset.encoding.bonds)) {
      throw new BondModelMismatchError(
        K > 0 ? 'this network generates bonds but the dataset has none: build it with `equimol data build --bonds`' : 'the dataset carries bonds but the network has no bond classes (bondClasses)',
      );
    }
    if (K > 0 && config.loss !== 'l2') {
      // The bound would need a discretised L_0 for the bond one-hots, which equimol does not have.
      throw new BondModelMismatchError("bond models train with loss 'l2'; the variational bound is not implemented for bonds");
    }
    this.layout = new EgnnDynamics(spec.egnn).layout;
    this.schedule = new NoiseSchedule(spec.schedule);
    const split = splitIndices(dataset.count, config.validationFraction, Rng.stream(config.seed, 'validation-split'));
    this.trainIndices = split.train;
    this.validationIndices = split.validation.slice(0, config.validationSize);
    if (resumeFrom) {
      if (resumeFrom.params.length !== this.layout.size) {
        throw new Error(`checkpoint has ${resumeFrom.params.length} parameters, this model needs ${this.layout.size}`);
      }
      this.state = resumeFrom;
    } else {
      this.state = initialTrainerState(this.layout, config);
    }
    this.clipper = new AdaptiveGradientClipper(50, 3000, this.state.clipHistory.length ? this.state.clipHistory : undefined);
    this.rng = new Rng(this.state.rng);
    this.deviceEngine = engine instanceof LocalGradientEngine && engine.keepsStateOnDevice() ? engine : null;
  }

  /**
   * Whether this trainer keeps parameters, Adam's moments and the EMA on the device (the engine's
   * gradients stay there: the fused webgpu network). Then `current`'s arrays are as of the last
   * checkpoint or `sync`; `run` syncs before every hook that reads them and at the end.
   */
  get onDevice(): boolean {
    return this.deviceEngine !== null;
  }

  /** Reads the device state back into `current` (once; nothing to do on host paths). */
  async sync(): Promise<TrainerState> {
    if (this.device) await this.device.download(this.state);
    return this.state;
  }

  /** Frees the device state after reading it back (a trainer on the device, at the end of its use). */
  async release(): Promise<TrainerState> {
    await this.sync();
    this.device?.dispose();
    this.device = null;
    return this.state;
  }

  /**
   * A trainer for a dataset from a partial config: EDM's EGNN (sized to the dataset's features) and
   * training defaults where nothing is given, and gradients in this thread unless `engine` is given
   * (e.g. WorkerGradientEngine from @equimol/core/node).
   */
  static fromConfig(
    config: { egnn?: Partial<EgnnConfig>; schedule: NoiseScheduleConfig; training?: Partial<TrainingConfig> },
    dataset: MoleculeDataset,
    options: { engine?: GradientEngine } = {},
  ): Trainer {
    const F = featureCount(dataset.encoding);
    const K = bondClassCount(dataset.encoding.bonds);
    const egnn: EgnnConfig = { ...edmEgnnConfig(F), ...config.egnn, nodeFeatures: F, ...(K > 0 ? { bondClasses: K } : {}) };
    const training = defaultTrainingConfig(config.training);
    const engine = options.engine ?? new LocalGradientEngine({ egnn, schedule: config.schedule, microBatch: training.microBatch });
    return new Trainer({ egnn, schedule: config.schedule }, dataset, training, engine);
  }

  /** The model with the current EMA weights (a copy), ready to sample or save. */
  toModel(name = 'equimol-model'): Model {
    const { egnn, schedule } = this.spec;
    return createModel(
      { name, egnn, schedule, encoding: this.dataset.encoding, atomCountHistogram: this.dataset.atomCountHistogram(), dataset: this.dataset.card, training: { step: this.state.step, weights: 'EMA' } },
      this.state.ema.slice(),
    );
  }

  /** The current state (shared, not copied). */
  get current(): TrainerState {
    return this.state;
  }

  /** Batches of one epoch: a pure function of seed and epoch, so a resumed run sees the same ones. */
  private epochPlan(epoch: number): number[][] {
    if (!this.plan || this.plan.epoch !== epoch) {
      const batches = sizeGroupedBatches(this.dataset, this.config.batchSize, Rng.stream(this.config.seed, 'epoch-batches', epoch), this.trainIndices);
      this.plan = { epoch, batches };
    }
    return this.plan.batches;
  }

  private request(indices: number[], rng: Rng, sampling?: TimestepSampling): GradientRequest {
    const F = featureCount(this.dataset.encoding);
    const K = this.spec.egnn.bondClasses ?? 0;
    const batch = collateBatch(this.dataset, indices);
    const noise = drawTrainingNoise(rng, batch.size, batch.maxAtoms, F, batch.nodeMask, this.schedule.timesteps, 0, sampling, K);
    const weights =
      this.config.loss === 'vlb' ? trainingVlbWeights(batch, noise.steps, this.schedule) : simpleLossWeights(batch, F, K);
    return { batch, noise, weights };
  }

  /** Mean loss of the EMA weights on the fixed validation subset, with fixed noise. */
  async validationLoss(): Promise<number> {
    if (this.validationIndices.length === 0) return NaN;
    const rng = Rng.stream(this.config.seed, 'validation-noise');
    let total = 0;
    const plan = sizeGroupedBatches(this.dataset, this.config.batchSize, Rng.stream(this.config.seed, 'validation-batches'), this.validationIndices);
    for (const indices of plan) {
      const request = this.request(indices, rng);
      // On the device the EMA is evaluated where it lives: no state is read back for validation.
      total += this.device ? await this.deviceEngine!.evaluateOnDevice(this.device.emaParameters, request) : await this.engine.evaluate(this.state.ema, request);
    }
    return total / this.validationIndices.length;
  }

  private done(): boolean {
    const { maxSteps, maxEpochs } = this.settings();
    return (maxSteps !== undefined && this.state.step >= maxSteps) || (maxEpochs !== undefined && this.state.epoch >= maxEpochs);
  }

  /** One optimiser step on the next batch; returns the batch's mean loss. */
  async step(): Promise<{ loss: number; gradNorm: number; clipped: boolean; skipped: boolean; molecules: number }> {
    const outcome = await this.advance();
    if (outcome.host) return { ...outcome.host, molecules: outcome.molecules };
    const r = await this.device!.lastStep();
    return { loss: r.loss, gradNorm: r.gradNorm, clipped: r.clipped > 0, skipped: r.skipped > 0, molecules: outcome.molecules };
  }

  /**
   * One optimiser step. On host paths it returns the step's scalars; on the device it reads nothing
   * back (the scalars are summed there until `run` logs them).
   */
  private async advance(): Promise<{ molecules: number; host?: { loss: number; gradNorm: number; clipped: boolean; skipped: boolean } }> {
    const s = this.state;
    let plan = this.epochPlan(s.epoch);
    if (s.batchInEpoch >= plan.length) {
      s.epoch++;
      s.batchInEpoch = 0;
      plan = this.epochPlan(s.epoch);
    }
    const indices = plan[s.batchInEpoch]!;
    const config = this.settings();
    const B = indices.length;
    const request = this.request(indices, this.rng, config.timestepSampling);
    const { emaDecay, emaWarmup } = config;
    const decay = emaDecay > 0 ? (emaWarmup ? Math.min(emaDecay, (1 + s.step) / (10 + s.step)) : emaDecay) : 0;
    let host: { loss: number; gradNorm: number; clipped: boolean; skipped: boolean } | undefined;
    if (this.deviceEngine) {
      this.device ??= DeviceOptimizer.upload(s, config);
      if (resetsEmaAt(this.config, s.step)) this.device.resetEma();
      const { lossSum, grads } = await this.deviceEngine.computeOnDevice(this.device.parameters, request);
      try {
        this.device.step(grads, lossSum, B, config, decay);
      } finally {
        tf.dispose([lossSum, grads]);
      }
    } else {
      if (resetsEmaAt(this.config, s.step)) s.ema.set(s.params);
      const { lossSum, grads } = await this.engine.compute(s.params, request);
      for (let i = 0; i < grads.length; i++) grads[i]! /= B;
      let gradNorm = 0;
      for (let i = 0; i < grads.length; i++) gradNorm += grads[i]! * grads[i]!;
      gradNorm = Math.sqrt(gradNorm);
      let clipped = false;
      // A non-finite loss or gradient skips the update rather than poisoning the weights.
      const skipped = !Number.isFinite(lossSum) || !Number.isFinite(gradNorm);
      if (!skipped) {
        if (config.clipGradients) clipped = this.clipper.clip(grads).clipped;
        adamStep(s.params, grads, s.adam, config.optimizer);
        if (emaDecay > 0) updateEma(s.ema, s.params, decay);
        else s.ema.set(s.params);
      }
      s.clipHistory = this.clipper.recentNorms;
      host = { loss: lossSum / B, gradNorm, clipped, skipped };
    }
    s.step++;
    s.batchInEpoch++;
    if (s.batchInEpoch >= plan.length) {
      s.epoch++;
      s.batchInEpoch = 0;
    }
    s.rng = this.rng.state();
    return { molecules: B, ...(host ? { host } : {}) };
  }

  /** The settings in force for the next step: the config with its schedule entries applied. */
  settings(): TrainingConfig {
    return trainingConfigAt(this.config, this.state.step);
  }

  /** The step at which the run ends (from maxSteps/maxEpochs), or null when unbounded. */
  finalStep(): number | null {
    const stepsPerEpoch = Math.ceil(this.trainIndices.length / this.config.batchSize);
    const { maxSteps, maxEpochs } = this.settings();
    const limits = [maxSteps, maxEpochs !== undefined ? maxEpochs * stepsPerEpoch : undefined];
    const defined = limits.filter((v): v is number => v !== undefined);
    return defined.length ? Math.min(...defined) : null;
  }

  /** Trains until maxSteps/maxEpochs or until `shouldStop`, logging and checkpointing on the way. */
  async run(hooks: TrainerHooks = {}): Promise<TrainerState> {
    const cfg = this.config;
    let windowLoss = 0;
    let windowNorm = 0;
    let windowSteps = 0;
    let windowClipped = 0;
    let windowSkipped = 0;
    let windowMolecules = 0;
    let windowStart = now();
    let sessionStart = now();
    const baseElapsed = this.state.elapsedSeconds;
    const elapsed = (): number => baseElapsed + (now() - sessionStart) / 1000;
    while (!this.done()) {
      if (hooks.shouldStop?.()) {
        this.state.elapsedSeconds = elapsed();
        // Released before the hook (an optional call would not evaluate its argument without one).
        const state = await this.release();
        await hooks.onCheckpoint?.(state, 'stop');
        return this.state;
      }
      const learningRate = this.settings().optimizer.learningRate;
      let r;
      try {
        r = await this.advance();
      } catch (err) {
        // A failed step changed nothing: persist the state before it, so a resume loses no step.
        // (On the device that state must be read back first; if that fails too, nothing is written.)
        await hooks.onCheckpoint?.(await this.sync(), 'failure');
        throw err;
      }
      if (r.host) {
        windowLoss += r.host.loss;
        windowNorm += r.host.gradNorm;
        windowClipped += r.host.clipped ? 1 : 0;
        windowSkipped += r.host.skipped ? 1 : 0;
      }
      windowSteps++;
      windowMolecules += r.molecules;
      const s = this.state;
      s.elapsedSeconds = elapsed();
      hooks.onStep?.(s.step);
      const epoch = s.epoch + s.batchInEpoch / Math.max(1, this.epochPlan(s.epoch).length);
      if (s.step % cfg.logEvery === 0) {
        // On the device the window's scalars were summed there: the one read-back of a log line.
        if (this.device) ({ loss: windowLoss, gradNorm: windowNorm, clipped: windowClipped, skipped: windowSkipped } = await this.device.window());
        const seconds = (now() - windowStart) / 1000;
        await hooks.onLog?.({
          type: 'train',
          step: s.step,
          epoch,
          loss: windowLoss / windowSteps,
          gradNorm: windowNorm / windowSteps,
          clipped: windowClipped,
          skipped: windowSkipped,
          learningRate,
          moleculesPerSecond: windowMolecules / seconds,
          elapsedSeconds: s.elapsedSeconds,
        });
        windowLoss = windowNorm = windowSteps = windowClipped = windowSkipped = windowMolecules = 0;
        windowStart = now();
      }
      if (cfg.validateEvery > 0 && s.step % cfg.validateEvery === 0 && this.validationIndices.length > 0) {
        const loss = await this.validationLoss();
        const best = s.bestValidationLoss === null || loss < s.bestValidationLoss;
        if (best) s.bestValidationLoss = loss;
        await hooks.onLog?.({ type: 'validation', step: s.step, epoch, loss, best, elapsedSeconds: elapsed() });
        if (best) await hooks.onCheckpoint?.(await this.sync(), 'best');
        windowStart = now();
      }
      if (cfg.sampleEvery > 0 && s.step % cfg.sampleEvery === 0 && hooks.onSampleEvaluation) {
        const metrics = await hooks.onSampleEvaluation((await this.sync()).ema, s.step);
        await hooks.onLog?.({ type: 'samples', step: s.step, epoch, elapsedSeconds: elapsed(), metrics });
        windowStart = now();
      }
      if (cfg.checkpointEvery > 0 && s.step % cfg.checkpointEvery === 0) {
        await hooks.onCheckpoint?.(await this.sync(), 'periodic');
        windowStart = now();
      }
    }
    this.state.elapsedSeconds = elapsed();
    const state = await this.release();
    await hooks.onCheckpoint?.(state, 'end');
    return this.state;
  }
}

/** Thrown when a network and its dataset disagree about bonds. */
export class BondModelMismatchError extends EquimolError {
  constructor(message: string) {
    super(message, { kind: 'usage' });
    this.name = 'BondModelMismatchError';
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
