import * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from './trainingConfig.js';
import type { TrainerState } from './trainerState.js';

// The optimiser state on the device, for training on a GPU (issue #18): parameters, Adam's moments
// (with AMSGrad's running maximum), the EMA and the adaptive clipping history stay tensors for the
// whole run, and a step reads nothing back. Scalars (loss, gradient norm) are read only when they
// are logged, and the whole state only when it is checkpointed (`download`).
//
// The same updates as adam.ts, ema.ts and gradientClipping.ts, which run on host arrays for the
// CPU paths (worker threads exchange gradients as arrays there). Decisions that depend on values —
// skipping a non-finite step, clipping — are taken on the device with `where`, so the host never
// waits for them; the Adam step count lives on the device for the same reason.

/** The last step's scalars, or a logging window's sums. */
export interface StepScalars {
  loss: number;
  gradNorm: number;
  clipped: number;
  skipped: number;
}

/** Clipping history capacity (EDM: the last 50 norms), as AdaptiveGradientClipper. */
const HISTORY = 50;

export class DeviceOptimizer {
  private theta: tf.Tensor1D;
  private m: tf.Tensor1D;
  private v: tf.Tensor1D;
  private vMax: tf.Tensor1D;
  private ema: tf.Tensor1D;
  private adamStep: tf.Scalar;
  /** Recent norms, oldest first, the valid ones last (`valid` marks them). */
  private history: tf.Tensor1D;
  private valid: tf.Tensor1D;
  /** [loss, gradNorm, clipped, skipped] of the last step, and their sums since the last `window`. */
  private last: tf.Tensor1D;
  private sums: tf.Tensor1D;

  private constructor(state: TrainerState, private readonly amsgrad: boolean) {
    const size = state.params.length;
    const recent = state.clipHistory.length ? state.clipHistory.slice(-HISTORY) : [3000];
    const history = new Float32Array(HISTORY);
    const valid = new Float32Array(HISTORY);
    history.set(recent, HISTORY - recent.length);
    valid.fill(1, HISTORY - recent.length);
    this.theta = tf.tensor1d(state.params);
    this.m = tf.tensor1d(state.adam.m);
    this.v = tf.tensor1d(state.adam.v);
    this.vMax = tf.tensor1d(amsgrad ? state.adam.vMax : new Float32Array(size));
    this.ema = tf.tensor1d(state.ema);
    this.adamStep = tf.scalar(state.adam.step);
    this.history = tf.tensor1d(history);
    this.valid = tf.tensor1d(valid);
    this.last = tf.zeros([4]);
    this.sums = tf.zeros([4]);
  }

  /** Uploads a trainer state (once, at the start of a run or after a resume). */
  static upload(state: TrainerState, config: TrainingConfig): DeviceOptimizer {
    return new DeviceOptimizer(state, config.optimizer.amsgrad);
  }

  /** The current parameters θ (owned by the optimiser; valid until the next step). */
  get parameters(): tf.Tensor1D {
    return this.theta;
  }

  /** The EMA weights (owned by the optimiser; valid until the next step). */
  get emaParameters(): tf.Tensor1D {
    return this.ema;
  }

  /** EMA ← θ (a run's EMA reset). */
  resetEma(): void {
    this.replace({ ema: tf.clone(this.theta) });
  }

  /**
   * One optimiser step from the gradient of the batch's summed loss over B molecules: gradient
   * mean, adaptive clipping, Adam (AMSGrad), EMA with `emaDecay` (0: EMA = θ). A non-finite loss
   * or gradient leaves every state tensor as it was.
   */
  step(gradSum: tf.Tensor1D, lossSum: tf.Scalar, B: number, settings: TrainingConfig, emaDecay: number): void {
    const { beta1, beta2, epsilon, weightDecay, learningRate } = settings.optimizer;
    const next = tf.tidy(() => {
      const g0 = tf.div(gradSum, B);
      const loss = tf.div(lossSum, B);
      const norm = tf.sqrt(tf.sum(tf.square(g0)));
      const skip = tf.logicalNot(tf.logicalAnd(tf.isFinite(loss), tf.isFinite(norm)));
      // EDM's threshold 1.5·mean + 2·std (unbiased) of the recent norms; a clipped step enters the
      // history at the threshold.
      let g = g0;
      let clipped: tf.Tensor = tf.scalar(false, 'bool');
      let history = this.history;
      let valid = this.valid;
      if (settings.clipGradients) {
        const n = tf.sum(this.valid);
        const mean = tf.div(tf.sum(tf.mul(this.history, this.valid)), n);
        const spread = tf.sum(tf.mul(tf.square(tf.sub(this.history, mean)), this.valid));
        const std = tf.where(tf.greater(n, 1), tf.sqrt(tf.div(spread, tf.maximum(tf.sub(n, 1), 1))), tf.scalar(0));
        const threshold = tf.add(tf.mul(1.5, mean), tf.mul(2, std));
        clipped = tf.logicalAnd(tf.greater(norm, threshold), tf.logicalNot(skip));
        g = tf.mul(g0, tf.where(clipped, tf.div(threshold, tf.add(norm, 1e-6)), tf.scalar(1)));
        const entry = tf.reshape(tf.where(clipped, threshold, norm), [1]);
        history = tf.where(skip, this.history, tf.concat([tf.slice(this.history, 1), entry])) as tf.Tensor1D;
        valid = tf.where(skip, this.valid, tf.concat([tf.slice(this.valid, 1), tf.ones([1])])) as tf.Tensor1D;
      }
      // Adam with torch.optim.Adam's bias correction and L2 weight decay (adam.ts).
      const t = tf.where(skip, this.adamStep, tf.add(this.adamStep, 1));
      const c1 = tf.sub(1, tf.pow(tf.scalar(beta1), t));
      const c2 = tf.sqrt(tf.sub(1, tf.pow(tf.scalar(beta2), t)));
      const gd = weightDecay !== 0 ? tf.add(g, tf.mul(this.theta, weightDecay)) : g;
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(gd, 1 - beta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(gd), 1 - beta2));
      const vMax = this.amsgrad ? tf.maximum(this.vMax, v) : this.vMax;
      const second = this.amsgrad ? vMax : v;
      const update = tf.div(tf.mul(m, tf.div(learningRate, c1)), tf.add(tf.div(tf.sqrt(second), c2), epsilon));
      const theta = tf.where(skip, this.theta, tf.sub(this.theta, update));
      const ema = emaDecay > 0 ? tf.add(tf.mul(this.ema, emaDecay), tf.mul(theta, 1 - emaDecay)) : theta;
      const scalars = tf.stack([loss, norm, tf.cast(clipped, 'float32'), tf.cast(skip, 'float32')]) as tf.Tensor1D;
      return {
        theta,
        m: tf.where(skip, this.m, m),
        v: tf.where(skip, this.v, v),
        vMax: this.amsgrad ? tf.where(skip, this.vMax, vMax) : tf.clone(this.vMax),
        ema: tf.where(skip, this.ema, ema),
        adamStep: t,
        history: tf.clone(history),
        valid: tf.clone(valid),
        last: scalars,
        sums: tf.add(this.sums, scalars),
      };
    });
    this.replace(next as Partial<Record<StateKey, tf.Tensor>>);
  }

  /** The last step's loss (mean over its molecules), gradient norm, clipped and skipped flags. */
  async lastStep(): Promise<StepScalars> {
    return scalarsOf(await this.last.data());
  }

  /** Sums of the per-step scalars since the last call (for a log line); starts a new window. */
  async window(): Promise<StepScalars> {
    const values = await this.sums.data();
    this.replace({ sums: tf.zeros([4]) });
    return scalarsOf(values);
  }

  /** Reads the whole state back into `state` (its arrays are overwritten): at a checkpoint. */
  async download(state: TrainerState): Promise<void> {
    const [theta, m, v, vMax, ema, step, history, valid] = await Promise.all(
      [this.theta, this.m, this.v, this.vMax, this.ema, this.adamStep, this.history, this.valid].map((t) => t.data()),
    );
    state.params.set(theta!);
    state.adam.m.set(m!);
    state.adam.v.set(v!);
    if (this.amsgrad) state.adam.vMax.set(vMax!);
    state.ema.set(ema!);
    state.adam.step = step![0]!;
    const recent: number[] = [];
    history!.forEach((h, i) => {
      if (valid![i]) recent.push(h);
    });
    state.clipHistory = recent;
  }

  dispose(): void {
    tf.dispose([this.theta, this.m, this.v, this.vMax, this.ema, this.adamStep, this.history, this.valid, this.last, this.sums]);
  }

  private replace(next: Partial<Record<StateKey, tf.Tensor>>): void {
    for (const [key, tensor] of Object.entries(next) as [StateKey, tf.Tensor][]) {
      const old = this[key] as tf.Tensor;
      (this as unknown as Record<StateKey, tf.Tensor>)[key] = tensor;
      if (old !== tensor) old.dispose();
    }
  }
}

type StateKey = 'theta' | 'm' | 'v' | 'vMax' | 'ema' | 'adamStep' | 'history' | 'valid' | 'last' | 'sums';

function scalarsOf(values: ArrayLike<number>): StepScalars {
  return { loss: values[0]!, gradNorm: values[1]!, clipped: values[2]!, skipped: values[3]! };
}
