import * as tf from '@tensorflow/tfjs-core';
import type { Bond } from '../chem/molecule.js';
import { type AtomEncoding, decodeAtoms, featureCount } from '../data/atomEncoding.js';
import { bondClassCount, decodeBondBlock, fillSymmetricBondNoise, symmetrizeBondState } from '../data/bondEncoding.js';
import type { EgnnDynamics } from '../model/dynamics.js';
import type { ParameterTensors } from '../model/parameters.js';
import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import type { Rng } from '../random/rng.js';
import { forwardTransition, zeroPaddedRows } from './noise.js';
import { Ancestral, type ChainState, type Sampler } from './samplers.js';
import { NoiseSchedule } from './schedule.js';

/**
 * The reverse diffusion chain: the loop that runs a sampler (samplers.ts) with a noise predictor,
 * from noise at T to EDM's p(x, h | z_0): positions x̂_0 plus noise of scale σ_0/α_0, features
 * decoded by the atom encoding. A constraint (inpainting) plugs in after every step.
 */

/** A saved state of the chain: unnormalised positions and the features' argmax per atom. */
export interface ChainFrame {
  step: number;
  positions: Float32Array;
  types: Int32Array;
}

/** Result of sampling one padded batch. */
export interface SampledBatch {
  /** [B, N, 3] in Å (zero on padding). */
  positions: Float32Array;
  /** [B, N] index into the element vocabulary (−1 on padding). */
  types: Int32Array;
  /** [B, N] rounded integer feature (atomic number), or empty. */
  charges: Int32Array;
  /** [B, N] generated formal charges (bond models; else empty). */
  formalCharges: Int32Array;
  /** Bond models: each molecule's generated bonds (argmax per pair i < j of its atoms). */
  bonds?: Bond[][];
  frames: ChainFrame[];
}

/**
 * Something the chain must respect besides the model, e.g. atoms held in place (inpainting.ts). It
 * edits the state after every step; RePaint's resampling repeats each transition `resample` times,
 * re-noising in between with the forward process so that the free atoms can agree with the held ones.
 */
export interface ChainConstraint {
  /** Times each transition is taken (1 = no resampling). */
  readonly resample: number;
  /** Imposes the constraint on z, the state at integer step `step`; may draw noise. */
  impose(z: ChainState, step: number, noise: () => ChainState): void;
}

/** Options of `sampleChain`. */
export interface ChainOptions {
  /** Default: EDM's ancestral sampler. */
  sampler?: Sampler;
  /** Denoising transitions (default T). */
  steps?: number;
  /** Frames to keep, evenly spaced from the initial noise to the final sample (0 = none). */
  frames?: number;
  /** Called after each network evaluation. */
  onStep?: (done: number, total: number) => void;
  /** Called with each frame as soon as it is kept (for live animation). */
  onFrame?: (frame: ChainFrame) => void;
  /**
   * Start from this state at `step` instead of pure noise at T, e.g. a real molecule noised to step
   * t, to see what the model makes of it (`scripts/research/denoising-diagnostics.mjs`). Flat normalised
   * [B, N, 3] and [B, N, F] arrays (copied, not modified); `steps` then counts transitions from `step`.
   */
  start?: { step: number; x: Float32Array; h: Float32Array; e?: Float32Array };
  /** Held atoms or another constraint, imposed after every step. */
  constraint?: ChainConstraint;
}

/** ε̂ for a batch state: flat [B, N, 3] and [B, N, F] arrays (and [B, N, N, K] bonds) in, same shapes out. */
export type NoisePredictor = (
  zx: Float32Array,
  zh: Float32Array,
  step: number,
  ze?: Float32Array,
) => { epsX: Float32Array; epsH: Float32Array; epsE?: Float32Array };

/** What the chain needs to know: the schedule, and the atom encoding that gives the features' width and meaning. */
export interface DiffusionProcess {
  schedule: NoiseSchedule;
  encoding: AtomEncoding;
}

/** A noise predictor backed by an EGNN and its parameters, for one batch's atom mask. */
export function networkPredictor(
  dynamics: EgnnDynamics,
  params: ParameterTensors,
  schedule: NoiseSchedule,
  atomCounts: number[],
  context?: Float32Array,
): { predict: NoisePredictor; dispose: () => void } {
  const B = atomCounts.length;
  const N = Math.max(...atomCounts);
  const F = dynamics.config.nodeFeatures;
  const K = dynamics.config.bondClasses ?? 0;
  const mask = new Float32Array(B * N);
  atomCounts.forEach((n, b) => mask.fill(1, b * N, b * N + n));
  const nodeMask = tf.tensor2d(mask, [B, N]);
  const contextTensor = context && context.length ? tf.tensor2d(context, [B, dynamics.config.contextSize]) : undefined;
  const predict: NoisePredictor = (zx, zh, step, ze) =>
    tf.tidy(() => {
      if (K > 0 && !ze) throw new Error('this model generates bonds: the chain must carry a bond state');
      const p = dynamics.predictNoise(params, {
        zx: tf.tensor3d(zx, [B, N, 3]),
        zh: tf.tensor3d(zh, [B, N, F]),
        t: tf.fill([B], step / schedule.timesteps) as tf.Tensor1D,
        logSnr: dynamics.config.logSnrInput ? (tf.fill([B], -schedule.gammaAtStep(step)) as tf.Tensor1D) : undefined,
        nodeMask,
        context: contextTensor,
        ze: K > 0 ? tf.tensor4d(ze!, [B, N, N, K]) : undefined,
      }, { fused: true });
      const out = { epsX: p.epsX.dataSync() as Float32Array, epsH: p.epsH.dataSync() as Float32Array };
      return p.epsE ? { ...out, epsE: p.epsE.dataSync() as Float32Array } : out;
    });
  return { predict, dispose: () => tf.dispose([nodeMask, ...(contextTensor ? [contextTensor] : [])]) };
}

/**
 * Runs the reverse chain for B molecules with the given atom counts. Noise for molecule b is drawn
 * from rngs[b] only, so a molecule's result does not depend on which others share its batch.
 */
export function sampleChain(
  model: DiffusionProcess,
  predictNoise: NoisePredictor,
  atomCounts: number[],
  rngs: Rng[],
  options: ChainOptions = {},
): SampledBatch {
  const { schedule, encoding } = model;
  const sampler = options.sampler ?? new Ancestral();
  const constraint = options.constraint;
  const B = atomCounts.length;
  const N = Math.max(...atomCounts);
  const F = featureCount(encoding);
  const K = bondClassCount(encoding.bonds);
  const nodeMask = new Float32Array(B * N);
  atomCounts.forEach((n, b) => nodeMask.fill(1, b * N, b * N + n));
  const drawNoise = (): ChainState => {
    const x = new Float32Array(B * N * 3);
    const h = new Float32Array(B * N * F);
    const e = K > 0 ? new Float32Array(B * N * N * K) : undefined;
    for (let b = 0; b < B; b++) {
      const rng = rngs[b]!;
      for (let a = 0; a < atomCounts[b]!; a++) {
        for (let k = 0; k < 3; k++) x[(b * N + a) * 3 + k] = rng.normal();
        for (let f = 0; f < F; f++) h[(b * N + a) * F + f] = rng.normal();
      }
      // Bond noise after the molecule's atom noise: atom-only models draw exactly what they did.
      if (e) fillSymmetricBondNoise(e, () => rng.normal(), b, atomCounts[b]!, N, K);
    }
    removeCenterOfMassInPlace(x, nodeMask, B, N);
    return e ? { x, h, e } : { x, h };
  };
  const start = options.start;
  if (
    start &&
    (!Number.isInteger(start.step) || start.step < 0 || start.step > schedule.timesteps || start.x.length !== B * N * 3 || start.h.length !== B * N * F || (K > 0 && start.e?.length !== B * N * N * K))
  ) {
    throw new RangeError(`sampleChain: start needs an integer step in 0…${schedule.timesteps} and arrays of ${B * N * 3} and ${B * N * F}${K > 0 ? ` and ${B * N * N * K}` : ''} values`);
  }
  const z: ChainState = start
    ? { x: Float32Array.from(start.x), h: Float32Array.from(start.h), ...(K > 0 ? { e: Float32Array.from(start.e!) } : {}) }
    : drawNoise();
  const steps = sampler.timesteps(start ? start.step : schedule.timesteps, options.steps);
  const resample = constraint?.resample ?? 1;
  const transitions = steps.length - 1;
  const totalEvaluations = transitions * resample + 1; // + the final p(x | z_0) evaluation
  const frames: ChainFrame[] = [];
  const wanted = Math.min(options.frames ?? 0, transitions + 1);
  // Frame i is taken after round(i·transitions/(wanted − 1)) transitions; the last one is the sample.
  const framePoints = new Set(Array.from({ length: wanted }, (_, i) => (wanted === 1 ? transitions : Math.round((i * transitions) / (wanted - 1)))));
  const keepFrame = (frame: ChainFrame): void => {
    frames.push(frame);
    options.onFrame?.(frame);
  };
  const saveFrame = (step: number, zx: Float32Array, zh: Float32Array): void => {
    const { positions, types } = decodeAtoms(encoding, zx, zh, nodeMask);
    keepFrame({ step, positions, types });
  };
  // Project back to zero centre of mass so rounding cannot make it drift (as EDM does).
  const project = (): void => {
    removeCenterOfMassInPlace(z.x, nodeMask, B, N);
    zeroPaddedRows(z.h, nodeMask, F);
    if (z.e) symmetrizeBondState(z.e, nodeMask, B, N, K);
  };
  if (constraint) {
    constraint.impose(z, steps[0]!, drawNoise);
    project();
  }
  if (framePoints.has(0) && transitions > 0) saveFrame(steps[0]!, z.x, z.h);
  let evaluations = 0;
  for (let k = 0; k + 1 < steps.length; k++) {
    const t = steps[k]!;
    const s = steps[k + 1]!;
    const gt = schedule.gammaAtStep(t);
    const gs = schedule.gammaAtStep(s);
    for (let r = 0; r < resample; r++) {
      if (r > 0) {
        // RePaint's jump back: z_t ~ q(z_t | z_s), then the same transition again.
        const renoised = forwardTransition(z, gt, gs, drawNoise());
        z.x.set(renoised.x);
        z.h.set(renoised.h);
        if (z.e) z.e.set(renoised.e!);
        project();
      }
      const eps = predictNoise(z.x, z.h, t, z.e);
      sampler.step(z, { x: eps.epsX, h: eps.epsH, ...(eps.epsE ? { e: eps.epsE } : {}) }, gt, gs, drawNoise);
      constraint?.impose(z, s, drawNoise);
      project();
      options.onStep?.(++evaluations, totalEvaluations);
    }
    if (framePoints.has(k + 1) && k + 1 < transitions) saveFrame(s, z.x, z.h);
  }
  // p(x, h | z_0): x ~ N(x̂_0, σ_0²/α_0²), h from z_0 directly.
  const g0 = schedule.gammaAtStep(0);
  const eps0 = predictNoise(z.x, z.h, 0, z.e);
  const alpha0 = NoiseSchedule.alpha(g0);
  const sigma0 = NoiseSchedule.sigma(g0);
  const n = drawNoise();
  const x = new Float32Array(z.x.length);
  const sigmaX = Math.exp(0.5 * g0);
  for (let i = 0; i < x.length; i++) x[i] = (z.x[i]! - sigma0 * eps0.epsX[i]!) / alpha0 + sigmaX * n.x[i]!;
  removeCenterOfMassInPlace(x, nodeMask, B, N);
  options.onStep?.(totalEvaluations, totalEvaluations);
  const result = decodeAtoms(encoding, x, z.h, nodeMask);
  if (framePoints.has(transitions)) keepFrame({ step: 0, positions: result.positions, types: result.types });
  // Bonds, like atom types, are read from z_0 directly: the argmax class of each pair i < j.
  if (!z.e) return { ...result, frames };
  const bonds = atomCounts.map((n, b) => decodeBondBlock(encoding.bonds!, z.e!, b, n, N));
  return { ...result, bonds, frames };
}
