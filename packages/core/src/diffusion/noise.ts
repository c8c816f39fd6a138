import * as tf from '@tensorflow/tfjs-core';
import { fillSymmetricBondNoise } from '../data/bondEncoding.js';
import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import { NoiseSchedule } from './schedule.js';
import type { Rng } from '../random/rng.js';

/**
 * Gaussian noise for the E(3)-invariant prior: positions in the zero-centre-of-mass subspace
 * (noise projected, so its dimension is (n−1)·3), features ordinary isotropic Gaussians, both zero
 * on padded atoms. Drawn in JavaScript from a seeded Rng so that results do not depend on the
 * backend or on how a batch is split across threads.
 */
export function sampleCenteredNoise(
  rng: Rng,
  B: number,
  N: number,
  F: number,
  nodeMask: Float32Array,
): { x: Float32Array; h: Float32Array } {
  const x = rng.fillNormal(new Float32Array(B * N * 3)) as Float32Array;
  const h = rng.fillNormal(new Float32Array(B * N * F)) as Float32Array;
  zeroPaddedRows(h, nodeMask, F);
  removeCenterOfMassInPlace(x, nodeMask, B, N);
  return { x, h };
}

/** Sets the F values of every padded atom's row to zero, in place. */
export function zeroPaddedRows(h: Float32Array, nodeMask: ArrayLike<number>, F: number): void {
  for (let row = 0; row < nodeMask.length; row++) if (!nodeMask[row]) h.fill(0, row * F, row * F + F);
}

/** Diffusion noise for one training batch: a timestep per molecule and ε for every coordinate/feature. */
export interface TrainingNoise {
  /** Integer timestep per molecule ∈ [lowestStep, T]. */
  steps: Int32Array;
  epsX: Float32Array;
  epsH: Float32Array;
  /** Bond models: ε_e [B, N, N, K], symmetric, zero on the diagonal and padding. */
  epsE?: Float32Array;
}

/** Real atoms of each molecule of a padded [B, N] mask (real atoms come first). */
export function atomCountsOfMask(nodeMask: ArrayLike<number>, B: number, N: number): number[] {
  return Array.from({ length: B }, (_, b) => {
    let n = 0;
    for (let a = 0; a < N; a++) n += nodeMask[b * N + a] ? 1 : 0;
    return n;
  });
}

/**
 * Symmetric bond noise for a batch: molecule by molecule, one N(0, 1) draw per class and pair i < j
 * of its real atoms (`fillSymmetricBondNoise`), so the state stays one undirected graph.
 */
export function sampleBondNoise(normal: (b: number) => number, atomCounts: readonly number[], N: number, K: number): Float32Array {
  const out = new Float32Array(atomCounts.length * N * N * K);
  atomCounts.forEach((n, b) => fillSymmetricBondNoise(out, () => normal(b), b, n, N, K));
  return out;
}

/**
 * How training draws timesteps. EDM draws t uniformly. With `lowNoiseShare` > 0, that share of the
 * molecules draws t uniformly from the lowest `lowNoiseSteps` instead: the last steps of the chain
 * decide bond lengths to the hundredth of an ångström that distance-based bond orders need, and under
 * uniform draws they get few examples (σ_t < 0.1 Å for ~7 % of t). The optimum of the ε loss at each
 * t is unchanged; only where the network's capacity goes.
 */
export interface TimestepSampling {
  lowNoiseShare: number;
  lowNoiseSteps: number;
}

/** Draws t per molecule (EDM: t ~ U{lowestStep…T}; see `TimestepSampling`) and the noise ε. */
export function drawTrainingNoise(
  rng: Rng,
  B: number,
  N: number,
  F: number,
  nodeMask: Float32Array,
  timesteps: number,
  lowestStep = 0,
  sampling?: TimestepSampling,
  bondClasses = 0,
): TrainingNoise {
  const steps = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    // Uniform runs draw exactly as before (no extra random numbers): their seeds keep their meaning.
    const low = sampling !== undefined && sampling.lowNoiseShare > 0 && rng.uniform() < sampling.lowNoiseShare;
    steps[b] = rng.integer(lowestStep, low ? Math.min(sampling!.lowNoiseSteps, timesteps) : timesteps);
  }
  const eps = sampleCenteredNoise(rng, B, N, F, nodeMask);
  // Bond noise comes after everything an atom-only model draws, so its draws are unchanged.
  if (bondClasses === 0) return { steps, epsX: eps.x, epsH: eps.h };
  const epsE = sampleBondNoise(() => rng.normal(), atomCountsOfMask(nodeMask, B, N), N, bondClasses);
  return { steps, epsX: eps.x, epsH: eps.h, epsE };
}

/** z_t = α_t·x + σ_t·ε per molecule (flat arrays, width W per atom). */
export function noisyState(clean: Float32Array, eps: Float32Array, alpha: ArrayLike<number>, sigma: ArrayLike<number>, N: number, W: number): Float32Array {
  const out = new Float32Array(clean.length);
  const perMolecule = N * W;
  for (let k = 0; k < clean.length; k++) {
    const b = Math.floor(k / perMolecule);
    out[k] = alpha[b]! * clean[k]! + sigma[b]! * eps[k]!;
  }
  return out;
}

/**
 * The forward transition q(z_t | z_s) for s < t: z_t = α_{t|s}·z_s + σ_{t|s}·ε, the same for every
 * molecule of a batch, on the backend's tensors (call inside tf.tidy). RePaint uses it to jump back
 * and take a reverse step again.
 */
export function forwardTransition(
  z: { x: tf.Tensor3D; h: tf.Tensor3D; e?: tf.Tensor4D },
  gammaT: number,
  gammaS: number,
  eps: { x: tf.Tensor3D; h: tf.Tensor3D; e?: tf.Tensor4D },
): { x: tf.Tensor3D; h: tf.Tensor3D; e?: tf.Tensor4D } {
  const { sigma2TGivenS, alphaTGivenS } = NoiseSchedule.transition(gammaT, gammaS);
  const sigma = Math.sqrt(sigma2TGivenS);
  const jump = <T extends tf.Tensor>(s: T, e: T): T => tf.add(tf.mul(s, alphaTGivenS), tf.mul(e, sigma)) as T;
  const out = { x: jump(z.x, eps.x), h: jump(z.h, eps.h) };
  return z.e && eps.e ? { ...out, e: jump(z.e, eps.e) } : out;
}
