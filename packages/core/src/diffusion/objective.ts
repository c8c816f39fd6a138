import * as tf from '@tensorflow/tfjs-core';
import type { MoleculeBatch } from '../data/batch.js';
import type { EgnnDynamics } from '../model/dynamics.js';
import type { ParameterTensors } from '../model/parameters.js';
import { noisyState, type TrainingNoise } from './noise.js';
import { NoiseSchedule } from './schedule.js';

/**
 * Every EDM objective is, per molecule i, wx_i·‖ε_x − ε̂_x‖² + wh_i·‖ε_h − ε̂_h‖² + c_i: the only
 * term that depends on the network is the squared noise error; the weights and constants follow from
 * the schedule and the data alone and are computed in JavaScript (see ./likelihood.ts).
 */
export interface ErrorWeights {
  x: Float32Array;
  h: Float32Array;
}

/**
 * EDM's "simple" L2 objective: the squared error averaged over the (3 + F)·n values of each molecule.
 * EDM divides by the batch's padded atom count instead; dividing by the molecule's own count makes a
 * molecule's loss independent of its batch (and equal to EDM's for unpadded, size-grouped batches).
 */
export function simpleLossWeights(batch: MoleculeBatch, featureWidth: number): ErrorWeights {
  const w = Float32Array.from(batch.atomCounts, (n) => 1 / ((3 + featureWidth) * n));
  return { x: w, h: w };
}

/** z_t for a batch at the noise's timesteps, and the per-molecule time t/T and log SNR_t. */
export function noisyInputs(
  batch: MoleculeBatch,
  noise: TrainingNoise,
  schedule: NoiseSchedule,
  featureWidth: number,
  stepOverride?: Int32Array,
): NoisyInputs {
  const steps = stepOverride ?? noise.steps;
  const gammas = Array.from(steps, (s) => schedule.gammaAtStep(s));
  const alpha = gammas.map(NoiseSchedule.alpha);
  const sigma = gammas.map(NoiseSchedule.sigma);
  const N = batch.maxAtoms;
  return {
    zx: noisyState(batch.positions, noise.epsX, alpha, sigma, N, 3),
    zh: noisyState(batch.features, noise.epsH, alpha, sigma, N, featureWidth),
    t: Float32Array.from(steps, (s) => s / schedule.timesteps),
    logSnr: Float32Array.from(gammas, (g) => -g),
  };
}

/** Noisy network inputs as flat arrays (see `noisyInputs`). */
export interface NoisyInputs {
  zx: Float32Array;
  zh: Float32Array;
  t: Float32Array;
  /** −γ_t per molecule (used by models with `logSnrInput`). */
  logSnr: Float32Array;
}

/** Per-molecule ‖ε_x − ε̂_x‖² and ‖ε_h − ε̂_h‖² as [B] tensors; padded atoms contribute nothing. */
export function noiseErrorTensors(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  batch: MoleculeBatch,
  inputs: NoisyInputs,
  noise: { epsX: Float32Array; epsH: Float32Array },
): { x: tf.Tensor1D; h: tf.Tensor1D } {
  const B = batch.size;
  const N = batch.maxAtoms;
  const F = dynamics.config.nodeFeatures;
  const C = dynamics.config.contextSize;
  const nodeMask = tf.tensor2d(batch.nodeMask, [B, N]);
  const prediction = dynamics.predictNoise(params, {
    zx: tf.tensor3d(inputs.zx, [B, N, 3]),
    zh: tf.tensor3d(inputs.zh, [B, N, F]),
    t: tf.tensor1d(inputs.t),
    nodeMask,
    context: C > 0 ? tf.tensor2d(batch.context, [B, C]) : undefined,
    logSnr: dynamics.config.logSnrInput ? tf.tensor1d(inputs.logSnr) : undefined,
  });
  const hMask = tf.reshape(nodeMask, [B, N, 1]);
  return {
    x: tf.sum(tf.square(tf.sub(tf.tensor3d(noise.epsX, [B, N, 3]), prediction.epsX)), [1, 2]) as tf.Tensor1D,
    h: tf.sum(tf.mul(tf.square(tf.sub(tf.tensor3d(noise.epsH, [B, N, F]), prediction.epsH)), hMask), [1, 2]) as tf.Tensor1D,
  };
}

/** Σ_i wx_i·‖ε_x − ε̂_x‖² + wh_i·‖ε_h − ε̂_h‖² over the batch, as a scalar tensor to differentiate. */
export function weightedNoiseError(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  batch: MoleculeBatch,
  inputs: NoisyInputs,
  noise: { epsX: Float32Array; epsH: Float32Array },
  weights: ErrorWeights,
): tf.Scalar {
  const err = noiseErrorTensors(dynamics, params, batch, inputs, noise);
  return tf.add(tf.sum(tf.mul(err.x, tf.tensor1d(weights.x))), tf.sum(tf.mul(err.h, tf.tensor1d(weights.h)))) as tf.Scalar;
}

/**
 * Per-molecule squared noise errors read back to JavaScript (no gradient), for likelihood estimates.
 * Read asynchronously, so that backends without synchronous readback (WebGPU) can run it too.
 */
export async function noiseErrors(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  batch: MoleculeBatch,
  inputs: NoisyInputs,
  noise: { epsX: Float32Array; epsH: Float32Array },
): Promise<{ x: Float32Array; h: Float32Array }> {
  const err = tf.tidy(() => noiseErrorTensors(dynamics, params, batch, inputs, noise));
  try {
    const [x, h] = await Promise.all([err.x.data(), err.h.data()]);
    return { x: x as Float32Array, h: h as Float32Array };
  } finally {
    err.x.dispose();
    err.h.dispose();
  }
}
