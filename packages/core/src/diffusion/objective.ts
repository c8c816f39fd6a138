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
  /** Bond models: the weight of ‖ε_e − ε̂_e‖² summed over the pairs i < j. */
  e?: Float32Array;
}

/**
 * EDM's "simple" L2 objective: the squared error averaged over the (3 + F)·n values of each molecule.
 * EDM divides by the batch's padded atom count instead; dividing by the molecule's own count makes a
 * molecule's loss independent of its batch (and equal to EDM's for unpadded, size-grouped batches).
 */
export function simpleLossWeights(batch: MoleculeBatch, featureWidth: number, bondClasses = 0): ErrorWeights {
  const w = Float32Array.from(batch.atomCounts, (n) => 1 / ((3 + featureWidth) * n));
  if (!batch.bonds || bondClasses === 0) return { x: w, h: w };
  // Bond models add the mean squared error over the molecule's K·n(n−1)/2 bond values: the atom part
  // stays exactly an atom-only model's loss, and the bonds count as much as the atoms, not n/2 times
  // as much (they have that many more values).
  const e = Float32Array.from(batch.atomCounts, (n) => (n > 1 ? 2 / (bondClasses * n * (n - 1)) : 0));
  return { x: w, h: w, e };
}

/** z_t for a batch at the noise's timesteps, and the per-molecule time t/T and log SNR_t. */
export function noisyInputs(
  batch: MoleculeBatch,
  noise: TrainingNoise,
  schedule: NoiseSchedule,
  featureWidth: number,
  stepOverride?: Int32Array,
): NoisyInputs {
  const base = atomNoisyInputs(batch, noise, schedule, featureWidth, stepOverride);
  if (!batch.bonds || !noise.epsE) return base;
  const K = batch.bonds.length / (batch.size * batch.maxAtoms * batch.maxAtoms);
  const gammas = Array.from(stepOverride ?? noise.steps, (s) => schedule.gammaAtStep(s));
  const N = batch.maxAtoms;
  return { ...base, ze: noisyState(batch.bonds, noise.epsE, gammas.map(NoiseSchedule.alpha), gammas.map(NoiseSchedule.sigma), N * N, K) };
}

function atomNoisyInputs(
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
  /** Bond models: z_e [B, N, N, K]. */
  ze?: Float32Array;
}

/** Per-molecule ‖ε_x − ε̂_x‖² and ‖ε_h − ε̂_h‖² as [B] tensors; padded atoms contribute nothing. */
export function noiseErrorTensors(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  batch: MoleculeBatch,
  inputs: NoisyInputs,
  noise: { epsX: Float32Array; epsH: Float32Array; epsE?: Float32Array },
): { x: tf.Tensor1D; h: tf.Tensor1D; e?: tf.Tensor1D } {
  const B = batch.size;
  const N = batch.maxAtoms;
  const F = dynamics.config.nodeFeatures;
  const C = dynamics.config.contextSize;
  const K = dynamics.config.bondClasses ?? 0;
  if (K > 0 && (!inputs.ze || !noise.epsE)) throw new Error('this model generates bonds: the batch needs bonds (a dataset built with --bonds)');
  const nodeMask = tf.tensor2d(batch.nodeMask, [B, N]);
  const prediction = dynamics.predictNoise(params, {
    zx: tf.tensor3d(inputs.zx, [B, N, 3]),
    zh: tf.tensor3d(inputs.zh, [B, N, F]),
    t: tf.tensor1d(inputs.t),
    nodeMask,
    context: C > 0 ? tf.tensor2d(batch.context, [B, C]) : undefined,
    logSnr: dynamics.config.logSnrInput ? tf.tensor1d(inputs.logSnr) : undefined,
    ze: K > 0 ? tf.tensor4d(inputs.ze!, [B, N, N, K]) : undefined,
  });
  const hMask = tf.reshape(nodeMask, [B, N, 1]);
  const errors = {
    x: tf.sum(tf.square(tf.sub(tf.tensor3d(noise.epsX, [B, N, 3]), prediction.epsX)), [1, 2]) as tf.Tensor1D,
    h: tf.sum(tf.mul(tf.square(tf.sub(tf.tensor3d(noise.epsH, [B, N, F]), prediction.epsH)), hMask), [1, 2]) as tf.Tensor1D,
  };
  if (K === 0) return errors;
  // ε_e and ε̂_e are symmetric and zero off the real pairs: half the full sum is the sum over i < j.
  const e = tf.mul(tf.sum(tf.square(tf.sub(tf.tensor4d(noise.epsE!, [B, N, N, K]), prediction.epsE!)), [1, 2, 3]), 0.5) as tf.Tensor1D;
  return { ...errors, e };
}

/** Σ_i wx_i·‖ε_x − ε̂_x‖² + wh_i·‖ε_h − ε̂_h‖² over the batch, as a scalar tensor to differentiate. */
export function weightedNoiseError(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  batch: MoleculeBatch,
  inputs: NoisyInputs,
  noise: { epsX: Float32Array; epsH: Float32Array; epsE?: Float32Array },
  weights: ErrorWeights,
): tf.Scalar {
  const err = noiseErrorTensors(dynamics, params, batch, inputs, noise);
  const atoms = tf.add(tf.sum(tf.mul(err.x, tf.tensor1d(weights.x))), tf.sum(tf.mul(err.h, tf.tensor1d(weights.h)))) as tf.Scalar;
  if (!err.e) return atoms;
  if (!weights.e) throw new Error('a bond model needs loss weights for its bond term');
  return tf.add(atoms, tf.sum(tf.mul(err.e, tf.tensor1d(weights.e)))) as tf.Scalar;
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
