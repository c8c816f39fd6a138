import * as tf from '@tensorflow/tfjs-core';
import { launchKernel } from '../backend/webgpuEdgeKernels.js';
import { CONTROL, OPTIMIZER_KERNELS } from '../backend/webgpuOptimizerKernels.js';
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

export class DeviceOptimizer {
  /** [θ | m | v | vMax], P values each. */
  private packed: tf.Tensor1D;
  private theta: tf.Tensor1D;
  private ema: tf.Tensor1D;
  /** The control record (CONTROL): Adam's step count, clipping history, the step's scalars. */
  private control: tf.Tensor1D;
  private readonly size: number;

  private constructor(state: TrainerState, private readonly amsgrad: boolean) {
    const P = state.params.length;
    this.size = P;
    const packed = new Float32Array(4 * P);
    packed.set(state.params, 0);
    packed.set(state.adam.m, P);
    packed.set(state.adam.v, 2 * P);
    if (amsgrad) packed.set(state.adam.vMax, 3 * P);
    const control = new Float32Array(CONTROL.size);
    control[CONTROL.adamStep] = state.adam.step;
    const recent = state.clipHistory.length ? state.clipHistory.slice(-CONTROL.capacity) : [3000];
    control.set(recent, CONTROL.history + CONTROL.capacity - recent.length);
    control.fill(1, CONTROL.valid + CONTROL.capacity - recent.length, CONTROL.valid + CONTROL.capacity);
    this.packed = tf.tensor1d(packed);
    this.theta = tf.tensor1d(state.params);
    this.ema = tf.tensor1d(state.ema);
    this.control = tf.tensor1d(control);
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
   * mean, adaptive clipping (if `settings.clipGradients`), Adam, EMA with `emaDecay` (0: EMA = θ).
   * A non-finite loss or gradient leaves every state tensor as it was.
   */
  step(gradSum: tf.Tensor1D, lossSum: tf.Scalar, B: number, settings: TrainingConfig, emaDecay: number): void {
    const { beta1, beta2, epsilon, weightDecay, learningRate } = settings.optimizer;
    const P = this.size;
    const run = (kernel: keyof typeof OPTIMIZER_KERNELS, inputs: Record<string, tf.TensorInfo>, ints: Record<string, number>, floats: Record<string, number>, output: number[], workgroups: number): tf.Tensor1D =>
      tf.engine().makeTensorFromTensorInfo(launchKernel(OPTIMIZER_KERNELS[kernel], { H: 1, inputs, ints, floats, output, workgroups })) as tf.Tensor1D;
    const groups = Math.ceil(P / 256);
    const control = run('control', { grad: gradSum, loss: lossSum, ctrl: this.control }, { P, clip: settings.clipGradients ? 1 : 0 }, { B }, [CONTROL.size], 1);
    const amsgrad = this.amsgrad ? 1 : 0;
    const packed = run('adam', { state: this.packed, grad: gradSum, ctrl: control }, { P, amsgrad }, { B, lr: learningRate, beta1, beta2, epsilon, weightDecay }, [4 * P], groups);
    const ema = run('ema', { ema: this.ema, state: packed, ctrl: control }, { P }, { decay: emaDecay }, [P], groups);
    const theta = tf.slice(packed, 0, P);
    this.replace({ packed, theta, ema, control });
  }

  /** The last step's loss (mean over its molecules), gradient norm, clipped and skipped flags. */
  async lastStep(): Promise<StepScalars> {
    return scalarsOf(await this.control.data(), CONTROL.last);
  }

  /** Sums of the per-step scalars since the last call (for a log line); starts a new window. */
  async window(): Promise<StepScalars> {
    const values = Float32Array.from(await this.control.data());
    const sums = scalarsOf(values, CONTROL.sums);
    values.fill(0, CONTROL.sums, CONTROL.sums + 4);
    this.replace({ control: tf.tensor1d(values) });
    return sums;
  }

  /** Reads the whole state back into `state` (its arrays are overwritten): at a checkpoint. */
  async download(state: TrainerState): Promise<void> {
    const P = this.size;
    const [packed, ema, control] = await Promise.all([this.packed.data(), this.ema.data(), this.control.data()]);
    state.params.set(packed!.subarray(0, P));
    state.adam.m.set(packed!.subarray(P, 2 * P));
    state.adam.v.set(packed!.subarray(2 * P, 3 * P));
    if (this.amsgrad) state.adam.vMax.set(packed!.subarray(3 * P, 4 * P));
    state.ema.set(ema!);
    state.adam.step = control![CONTROL.adamStep]!;
    const recent: number[] = [];
    for (let i = 0; i < CONTROL.capacity; i++) if (control![CONTROL.valid + i]) recent.push(control![CONTROL.history + i]!);
    state.clipHistory = recent;
  }

  dispose(): void {
    tf.dispose([this.packed, this.theta, this.ema, this.control]);
  }

  private replace(next: Partial<Record<StateKey, tf.Tensor1D>>): void {
    for (const [key, tensor] of Object.entries(next) as [StateKey, tf.Tensor1D][]) {
      const old = this[key];
      this[key] = tensor;
      if (old !== tensor) old.dispose();
    }
  }
}

type StateKey = 'packed' | 'theta' | 'ema' | 'control';

function scalarsOf(values: ArrayLike<number>, at: number): StepScalars {
  return { loss: values[at]!, gradNorm: values[at + 1]!, clipped: values[at + 2]!, skipped: values[at + 3]! };
}
