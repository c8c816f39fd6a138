import * as tf from '@tensorflow/tfjs-core';
import { type MoleculeBatch, sliceBatch, sliceBondRows } from '../data/batch.js';
import { type ErrorWeights, noiseErrorTensors, noisyInputs, weightedNoiseError } from '../diffusion/objective.js';
import type { TrainingNoise } from '../diffusion/noise.js';
import { NoiseSchedule, type NoiseScheduleConfig } from '../diffusion/schedule.js';
import { memoryBudget, type MemoryBudget, type MicroBatchSetting, resolveMicroBatch } from '../backend/memoryBudget.js';
import type { EgnnConfig } from '../model/config.js';
import type { PassKind } from '../model/memoryEstimate.js';
import { EgnnDynamics } from '../model/dynamics.js';
import { disposeParameters, flatParameters, flatSource, type ParameterTensors } from '../model/parameters.js';
import { webgpuNetworkAvailable } from '../model/webgpuEdges.js';

/** One batch's worth of work: the molecules, their diffusion noise and the loss weights. */
export interface GradientRequest {
  batch: MoleculeBatch;
  noise: TrainingNoise;
  weights: ErrorWeights;
}

/** Σ of weighted per-molecule losses and its gradient with respect to the flat parameters. */
export interface GradientResult {
  lossSum: number;
  grads: Float32Array;
}

/**
 * Computes loss gradients for a parameter vector. In-process (`LocalGradientEngine`) or spread over
 * worker threads (`WorkerGradientEngine` in @equimol/core/node); the trainer does not care which.
 */
export interface GradientEngine {
  compute(params: Float32Array, request: GradientRequest): Promise<GradientResult>;
  /** Loss sum only (no gradient), e.g. for validation. */
  evaluate(params: Float32Array, request: GradientRequest): Promise<number>;
  /** Retries after a worker ran out of memory (see WorkerGradientEngine); absent in-process. */
  readonly retries?: readonly MemoryRetry[];
  dispose(): Promise<void>;
}

/** What a gradient engine needs to know about the model. */
export interface GradientEngineSpec {
  egnn: EgnnConfig;
  schedule: NoiseScheduleConfig;
  /**
   * Most molecules per forward pass in one thread: bounds memory (the wasm heap is capped at 4 GB).
   * 'auto': the largest that the backend's memory budget allows for the batch's atom count.
   */
  microBatch: MicroBatchSetting;
  /** The memory budget for 'auto' (default: that of the thread's backend); tests set a small one. */
  memory?: MemoryBudget;
}

/** A step retried with a smaller micro-batch after a worker ran out of memory. */
export interface MemoryRetry {
  worker: number;
  atoms: number;
  microBatch: number;
  reason: string;
}

/** Rows b0…b1−1 of a request. */
export function sliceRequest(request: GradientRequest, b0: number, b1: number, featureWidth: number): GradientRequest {
  const N = request.batch.maxAtoms;
  return {
    batch: sliceBatch(request.batch, b0, b1, featureWidth),
    noise: {
      steps: request.noise.steps.slice(b0, b1),
      epsX: request.noise.epsX.slice(b0 * N * 3, b1 * N * 3),
      epsH: request.noise.epsH.slice(b0 * N * featureWidth, b1 * N * featureWidth),
      ...(request.noise.epsE ? { epsE: sliceBondRows(request.noise.epsE, b0, b1, request.batch.size) } : {}),
    },
    weights: {
      x: request.weights.x.slice(b0, b1),
      h: request.weights.h.slice(b0, b1),
      ...(request.weights.e ? { e: request.weights.e.slice(b0, b1) } : {}),
    },
  };
}

/** Gradients on the current tfjs backend of this thread, micro-batch by micro-batch. */
export class LocalGradientEngine implements GradientEngine {
  readonly dynamics: EgnnDynamics;
  readonly schedule: NoiseSchedule;

  constructor(readonly spec: GradientEngineSpec) {
    this.dynamics = new EgnnDynamics(spec.egnn);
    this.schedule = new NoiseSchedule(spec.schedule);
  }

  /** The micro-batch for `molecules` molecules padded to `atoms` atoms in a pass of this kind. */
  microBatchFor(atoms: number, molecules: number, kind: PassKind): number {
    return resolveMicroBatch(this.spec.microBatch, this.dynamics.config, atoms, kind, this.spec.memory ?? memoryBudget(), molecules);
  }

  private chunks(request: GradientRequest, kind: PassKind, microBatch?: number): GradientRequest[] {
    const F = this.dynamics.config.nodeFeatures;
    const B = request.batch.size;
    const size = microBatch ?? this.microBatchFor(request.batch.maxAtoms, B, kind);
    const out: GradientRequest[] = [];
    for (let b0 = 0; b0 < B; b0 += size) out.push(B <= size ? request : sliceRequest(request, b0, Math.min(B, b0 + size), F));
    return out;
  }

  /**
   * Parameters on the backend for the passes of one call: one flat θ where the fused webgpu network
   * runs (its gradient is then one flat tensor too), else one tensor per parameter.
   */
  parameterTensors(params: Float32Array): ParameterTensors {
    const layout = this.dynamics.layout;
    return webgpuNetworkAvailable(this.dynamics.config, layout) ? flatParameters(tf.tensor1d(params), layout) : layout.toTensors(params);
  }

  /**
   * Whether gradients can stay on the device (`computeOnDevice`): the fused webgpu network runs
   * here. The trainer then keeps its optimiser state on the device too (train/deviceOptimizer.ts).
   */
  keepsStateOnDevice(): boolean {
    return webgpuNetworkAvailable(this.dynamics.config, this.dynamics.layout);
  }

  /**
   * The summed loss and its gradient with respect to θ (owned by the caller), both left on the
   * device: nothing is read back.
   */
  async computeOnDevice(theta: tf.Tensor1D, request: GradientRequest): Promise<{ lossSum: tf.Scalar; grads: tf.Tensor1D }> {
    const params = flatParameters(theta, this.dynamics.layout);
    const F = this.dynamics.config.nodeFeatures;
    let total: { lossSum: tf.Scalar; grads: tf.Tensor1D } | null = null;
    for (const part of this.chunks(request, 'training')) {
      const inputs = noisyInputs(part.batch, part.noise, this.schedule, F);
      total = tf.tidy(() => {
        const loss = (): tf.Scalar => weightedNoiseError(this.dynamics, params, part.batch, inputs, part.noise, part.weights);
        const { value, grad } = tf.valueAndGrad(loss)(theta);
        if (!total) return { lossSum: value, grads: grad as tf.Tensor1D };
        const sum = { lossSum: tf.add(total.lossSum, value) as tf.Scalar, grads: tf.add(total.grads, grad) as tf.Tensor1D };
        tf.dispose([total.lossSum, total.grads]);
        return sum;
      });
    }
    if (!total) throw new Error('empty batch');
    return total;
  }

  /** `microBatch` overrides the spec's for this call (a retry after running out of memory). */
  async compute(params: Float32Array, request: GradientRequest, microBatch?: number): Promise<GradientResult> {
    const layout = this.dynamics.layout;
    const names = layout.specs.map((s) => s.name);
    const tensors = this.parameterTensors(params);
    const theta = flatSource(tensors)?.theta;
    const grads = new Float32Array(layout.size);
    let lossSum = 0;
    try {
      for (const part of this.chunks(request, 'training', microBatch)) {
        const F = this.dynamics.config.nodeFeatures;
        const inputs = noisyInputs(part.batch, part.noise, this.schedule, F);
        // Read back asynchronously (WebGPU in Node cannot read synchronously): the loss, and the
        // gradients as one flat vector in the layout's order, two transfers instead of one per tensor.
        const { value, flat } = tf.tidy(() => {
          if (theta) {
            const loss = (): tf.Scalar => weightedNoiseError(this.dynamics, tensors, part.batch, inputs, part.noise, part.weights);
            const { value, grad } = tf.valueAndGrad(loss)(theta);
            return { value, flat: grad };
          }
          const lossOf = (...values: tf.Tensor[]): tf.Scalar => {
            const p = Object.fromEntries(names.map((n, i) => [n, values[i]!]));
            return weightedNoiseError(this.dynamics, p, part.batch, inputs, part.noise, part.weights);
          };
          const { value, grads: g } = tf.valueAndGrads(lossOf)(names.map((n) => tensors[n]!));
          return { value, flat: tf.concat(g.map((t) => tf.reshape(t, [-1]))) };
        });
        try {
          const [loss, data] = await Promise.all([value.data(), flat.data()]);
          lossSum += loss[0]!;
          for (let i = 0; i < data.length; i++) grads[i]! += data[i]!;
        } finally {
          tf.dispose([value, flat]);
        }
      }
    } finally {
      disposeParameters(tensors);
    }
    return { lossSum, grads };
  }

  async evaluate(params: Float32Array, request: GradientRequest, microBatch?: number): Promise<number> {
    const tensors = this.parameterTensors(params);
    try {
      return await this.lossSum(tensors, request, microBatch);
    } finally {
      disposeParameters(tensors);
    }
  }

  /**
   * `evaluate` for θ left on the device (owned by the caller, e.g. the device optimiser's EMA):
   * nothing of θ is read back, only the batch's per-molecule errors that the loss sums.
   */
  async evaluateOnDevice(theta: tf.Tensor1D, request: GradientRequest): Promise<number> {
    // The views of θ are made inside lossSum's tidy scopes, which dispose them; θ stays the caller's.
    return this.lossSum(flatParameters(theta, this.dynamics.layout), request);
  }

  /** Σ of weighted per-molecule losses (no gradient), summed on the host in float64. */
  private async lossSum(tensors: ParameterTensors, request: GradientRequest, microBatch?: number): Promise<number> {
    let lossSum = 0;
    for (const part of this.chunks(request, 'inference', microBatch)) {
      const F = this.dynamics.config.nodeFeatures;
      const inputs = noisyInputs(part.batch, part.noise, this.schedule, F);
      const errors = tf.tidy(() => noiseErrorTensors(this.dynamics, tensors, part.batch, inputs, part.noise));
      try {
        const [x, h, e] = await Promise.all([errors.x.data(), errors.h.data(), errors.e?.data()]);
        for (let b = 0; b < part.batch.size; b++) {
          lossSum += part.weights.x[b]! * x[b]! + part.weights.h[b]! * h[b]!;
          if (e) lossSum += part.weights.e![b]! * e[b]!;
        }
      } finally {
        tf.dispose([errors.x, errors.h, ...(errors.e ? [errors.e] : [])]);
      }
    }
    return lossSum;
  }

  async dispose(): Promise<void> {}
}
