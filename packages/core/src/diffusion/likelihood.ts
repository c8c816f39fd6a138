import type { AtomEncoding } from '../data/atomEncoding.js';
import type { MoleculeBatch } from '../data/batch.js';
import type { EgnnDynamics } from '../model/dynamics.js';
import type { ParameterTensors } from '../model/parameters.js';
import type { Rng } from '../random/rng.js';
import { drawTrainingNoise } from './noise.js';
import { type ErrorWeights, noiseErrors, noisyInputs } from './objective.js';
import { NoiseSchedule } from './schedule.js';
import { EquimolError } from '../errors.js';

// EDM's variational bound on −log p(x, h) (paper eq. 5–8 and appendix): prior KL, the diffusion
// terms L_t = ½·(SNR(s)/SNR(t) − 1)·‖ε − ε̂‖², and L_0 with a Gaussian likelihood for positions and
// discretised likelihoods for the one-hot and integer features. Everything except ‖ε − ε̂‖² is a
// closed form of the schedule and the data, computed here in double precision.

/** Terms of the NLL estimate for each molecule (nats). */
export interface NllTerms {
  nll: Float64Array;
  klPrior: Float64Array;
  diffusion: Float64Array;
  l0: Float64Array;
  constants: Float64Array;
}

/** Weights of the training VLB (EDM's estimator with t ~ U{0…T}, t0_always = false). */
export function trainingVlbWeights(batch: MoleculeBatch, steps: Int32Array, schedule: NoiseSchedule): ErrorWeights {
  const T = schedule.timesteps;
  const x = new Float32Array(batch.size);
  const h = new Float32Array(batch.size);
  for (let b = 0; b < batch.size; b++) {
    const t = steps[b]!;
    if (t === 0) {
      // L_0 on positions: ½‖ε_x − ε̂_x‖² (the feature part of L_0 does not depend on the network).
      x[b] = 0.5 * (T + 1);
      h[b] = 0;
    } else {
      const w = 0.5 * Math.expm1(schedule.gammaAtStep(t) - schedule.gammaAtStep(t - 1)) * (T + 1);
      x[b] = w;
      h[b] = w;
    }
  }
  return { x, h };
}

/** Thrown when a likelihood is asked of a model whose terms equimol's bound does not cover. */
export class LikelihoodUnsupportedError extends EquimolError {
  constructor(message: string) {
    super(message, { kind: 'usage' });
    this.name = 'LikelihoodUnsupportedError';
  }
}

/**
 * EDM's bound covers positions and atom features only: for a model that generates bonds it would need
 * an L_0 and prior term for the bond one-hots, which equimol does not have, so it refuses.
 */
export function refuseBondModels(bondClasses: number | undefined): void {
  if (bondClasses) throw new LikelihoodUnsupportedError('the likelihood is not defined for models that generate bonds (EDM\'s bound has no term for them); use atom-only models for --nll');
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Error function to ~1e-13: Maclaurin series for |x| < 3, continued fraction of erfc beyond. */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 3) {
    // erf(z) = 2/√π · Σ (−1)^n z^(2n+1) / (n! (2n+1))
    let term = z;
    let sum = z;
    for (let n = 1; n < 100; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const v = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -v : v;
  }
  // erfc(z) = exp(−z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + …)))), evaluated bottom-up.
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / 2 / f;
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/**
 * log p(h | z_0) per molecule: the integer feature as a Gaussian integrated over [k − ½, k + ½], the
 * one-hot as the same integral around 1, normalised over categories (EDM's discretised likelihood).
 */
export function featureLogLikelihood(batch: MoleculeBatch, z0h: Float32Array, gamma0: number, encoding: AtomEncoding): Float64Array {
  const V = encoding.elements.length;
  const F = V + (encoding.includeCharges ? 1 : 0);
  const [, normCat, normInt] = encoding.normalization;
  const sigma0 = NoiseSchedule.sigma(gamma0);
  const out = new Float64Array(batch.size);
  const N = batch.maxAtoms;
  const logProb = new Float64Array(V);
  for (let b = 0; b < batch.size; b++) {
    let total = 0;
    for (let a = 0; a < N; a++) {
      const row = b * N + a;
      if (!batch.nodeMask[row]) continue;
      let maxLog = -Infinity;
      let trueType = 0;
      for (let v = 0; v < V; v++) {
        if (batch.features[row * F + v]! > 0) trueType = v;
        const centered = z0h[row * F + v]! * normCat - 1;
        const s = sigma0 * normCat;
        logProb[v] = Math.log(normalCdf((centered + 0.5) / s) - normalCdf((centered - 0.5) / s) + 1e-10);
        maxLog = Math.max(maxLog, logProb[v]!);
      }
      let sumExp = 0;
      for (let v = 0; v < V; v++) sumExp += Math.exp(logProb[v]! - maxLog);
      total += logProb[trueType]! - (maxLog + Math.log(sumExp));
      if (encoding.includeCharges) {
        const value = Math.round(batch.features[row * F + V]! * normInt);
        const centered = value - z0h[row * F + V]! * normInt;
        const s = sigma0 * normInt;
        total += Math.log(normalCdf((centered + 0.5) / s) - normalCdf((centered - 0.5) / s) + 1e-10);
      }
    }
    out[b] = total;
  }
  return out;
}

/** KL(q(z_T | x, h) ‖ N(0, I)) per molecule, on the (n − 1)·3-dimensional position subspace. */
export function priorKl(batch: MoleculeBatch, schedule: NoiseSchedule, featureWidth: number): Float64Array {
  const gammaT = schedule.gammaAtStep(schedule.timesteps);
  const alphaT = NoiseSchedule.alpha(gammaT);
  const sigmaT = NoiseSchedule.sigma(gammaT);
  const N = batch.maxAtoms;
  const out = new Float64Array(batch.size);
  for (let b = 0; b < batch.size; b++) {
    const n = batch.atomCounts[b]!;
    const d = (n - 1) * 3;
    let muX2 = 0;
    let klH = 0;
    for (let a = 0; a < N; a++) {
      const row = b * N + a;
      if (!batch.nodeMask[row]) continue;
      for (let k = 0; k < 3; k++) muX2 += (alphaT * batch.positions[row * 3 + k]!) ** 2;
      for (let f = 0; f < featureWidth; f++) {
        const mu = alphaT * batch.features[row * featureWidth + f]!;
        klH += -Math.log(sigmaT) + 0.5 * (sigmaT * sigmaT + mu * mu) - 0.5;
      }
    }
    out[b] = d * -Math.log(sigmaT) + 0.5 * (d * sigmaT * sigmaT + muX2) - 0.5 * d + klH;
  }
  return out;
}

/**
 * Unbiased one-sample estimate of −log p(x, h) per molecule (EDM's evaluation estimator: one random
 * t ∈ {1…T} for the diffusion terms plus an exact t = 0 pass for L_0). Two network evaluations.
 */
export async function estimateNll(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  schedule: NoiseSchedule,
  encoding: AtomEncoding,
  batch: MoleculeBatch,
  rng: Rng,
): Promise<NllTerms> {
  refuseBondModels(dynamics.config.bondClasses);
  const F = dynamics.config.nodeFeatures;
  const T = schedule.timesteps;
  const B = batch.size;
  const N = batch.maxAtoms;
  const noise = drawTrainingNoise(rng, B, N, F, batch.nodeMask, T, 1);
  const errT = await noiseErrors(dynamics, params, batch, noisyInputs(batch, noise, schedule, F), noise);
  const noise0 = drawTrainingNoise(rng, B, N, F, batch.nodeMask, T, 0);
  const zeroSteps = new Int32Array(B);
  const inputs0 = noisyInputs(batch, noise0, schedule, F, zeroSteps);
  const err0 = await noiseErrors(dynamics, params, batch, inputs0, noise0);
  const gamma0 = schedule.gammaAtStep(0);
  const logPh = featureLogLikelihood(batch, inputs0.zh, gamma0, encoding);
  const kl = priorKl(batch, schedule, F);
  const terms: NllTerms = {
    nll: new Float64Array(B),
    klPrior: kl,
    diffusion: new Float64Array(B),
    l0: new Float64Array(B),
    constants: new Float64Array(B),
  };
  for (let b = 0; b < B; b++) {
    const t = noise.steps[b]!;
    const d = (batch.atomCounts[b]! - 1) * 3;
    const snrWeight = Math.expm1(schedule.gammaAtStep(t) - schedule.gammaAtStep(t - 1));
    terms.diffusion[b] = T * 0.5 * snrWeight * (errT.x[b]! + errT.h[b]!);
    // −log of the Gaussian normalising constant of p(x | z_0), σ_x = exp(γ_0 / 2); the ln(norm_x)
    // volume correction of EDM's normalize() adds d·ln(norm_x).
    terms.constants[b] = d * (0.5 * gamma0 + 0.5 * Math.log(2 * Math.PI)) + d * Math.log(encoding.normalization[0]);
    terms.l0[b] = 0.5 * err0.x[b]! - logPh[b]!;
    terms.nll[b] = kl[b]! + terms.diffusion[b]! + terms.constants[b]! + terms.l0[b]!;
  }
  return terms;
}
