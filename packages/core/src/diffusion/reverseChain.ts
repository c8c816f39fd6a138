import * as tf from '@tensorflow/tfjs-core';
import type { Bond } from '../chem/molecule.js';
import { type AtomEncoding, decodeAtoms, featureCount } from '../data/atomEncoding.js';
import { bondClassCount, decodeBondBlock, fillSymmetricBondNoise, symmetrizeBondTensor, upperPairMask } from '../data/bondEncoding.js';
import type { EgnnDynamics } from '../model/dynamics.js';
import type { ParameterTensors } from '../model/parameters.js';
import { removeCenterOfMass, removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import type { Rng } from '../random/rng.js';
import { forwardTransition } from './noise.js';
import { Ancestral, type ChainState, type Sampler } from './samplers.js';
import { NoiseSchedule } from './schedule.js';

/**
 * The reverse diffusion chain: the loop that runs a sampler (samplers.ts) with a noise predictor,
 * from noise at T to EDM's p(x, h | z_0): positions x̂_0 plus noise of scale σ_0/α_0, features
 * decoded by the atom encoding. A constraint (inpainting) plugs in after every step.
 *
 * The state lives in tensors on the backend's device for the whole chain (on WebGPU, in GPU memory):
 * network, sampler step, constraint and centre-of-mass projection are tensor ops, and only the frames
 * asked for and the final sample are read back, asynchronously. Noise is still drawn in JavaScript
 * from each molecule's own random stream, in the same order as always, and uploaded, so that a seed
 * gives the same molecules on every backend.
 */

/** A saved state of the chain: unnormalised positions and the features' argmax per atom. */
export interface ChainFrame {
  step: number;
  positions: Float32Array;
  types: Int32Array;
  /** [B, N] formal charges at this step (bond models; else empty). */
  formalCharges: Int32Array;
  /** Bond models: each molecule's bonds at this step, decoded as the sample's are (argmax per pair i < j). */
  bonds?: Bond[][];
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
 * replaces the state after every step; RePaint's resampling repeats each transition `resample` times,
 * re-noising in between with the forward process so that the free atoms can agree with the held ones.
 */
export interface ChainConstraint {
  /** Times each transition is taken (1 = no resampling). */
  readonly resample: number;
  /** z with the constraint imposed, at integer step `step`, as new tensors (called inside tf.tidy); may draw noise. */
  impose(z: ChainState, step: number, noise: () => ChainState): ChainState;
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
   * [B, N, 3] and [B, N, F] arrays (and [B, N, N, K] bonds for bond models; copied, not modified);
   * `steps` then counts transitions from `step`.
   */
  start?: { step: number; x: Float32Array; h: Float32Array; e?: Float32Array };
  /** Held atoms or another constraint, imposed after every step. */
  constraint?: ChainConstraint;
}

/** ε̂ for a batch state: [B, N, 3] and [B, N, F] tensors (and [B, N, N, K] bonds) in, same shapes out (called inside tf.tidy). */
export type NoisePredictor = (
  zx: tf.Tensor3D,
  zh: tf.Tensor3D,
  step: number,
  ze?: tf.Tensor4D,
) => { epsX: tf.Tensor3D; epsH: tf.Tensor3D; epsE?: tf.Tensor4D };

/** ε̂ read back as flat arrays (bonds only for bond models). */
export interface NoiseArrays {
  epsX: Float32Array;
  epsH: Float32Array;
  epsE?: Float32Array;
}

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
): { predict: NoisePredictor; evaluate: (zx: Float32Array, zh: Float32Array, step: number, ze?: Float32Array) => Promise<NoiseArrays>; dispose: () => void } {
  const B = atomCounts.length;
  const N = Math.max(...atomCounts);
  const F = dynamics.config.nodeFeatures;
  const K = dynamics.config.bondClasses ?? 0;
  const mask = new Float32Array(B * N);
  atomCounts.forEach((n, b) => mask.fill(1, b * N, b * N + n));
  const nodeMask = tf.tensor2d(mask, [B, N]);
  const contextTensor = context && context.length ? tf.tensor2d(context, [B, dynamics.config.contextSize]) : undefined;
  const predict: NoisePredictor = (zx, zh, step, ze) => {
    if (K > 0 && !ze) throw new Error('this model generates bonds: the chain must carry a bond state');
    const p = dynamics.predictNoise(params, {
      zx,
      zh,
      t: tf.fill([B], step / schedule.timesteps) as tf.Tensor1D,
      logSnr: dynamics.config.logSnrInput ? (tf.fill([B], -schedule.gammaAtStep(step)) as tf.Tensor1D) : undefined,
      nodeMask,
      context: contextTensor,
      ze: K > 0 ? ze : undefined,
    }, { fused: true });
    const out = { epsX: p.epsX as tf.Tensor3D, epsH: p.epsH as tf.Tensor3D };
    return p.epsE ? { ...out, epsE: p.epsE } : out;
  };
  // ε̂ for flat arrays, read back: for diagnostics and benchmarks, which look at the prediction itself.
  const evaluate = async (zx: Float32Array, zh: Float32Array, step: number, ze?: Float32Array): Promise<NoiseArrays> => {
    const eps = tf.tidy(() => predict(tf.tensor3d(zx, [B, N, 3]), tf.tensor3d(zh, [B, N, F]), step, ze && K > 0 ? tf.tensor4d(ze, [B, N, N, K]) : undefined));
    try {
      const [epsX, epsH, epsE] = await Promise.all([
        eps.epsX.data() as Promise<Float32Array>,
        eps.epsH.data() as Promise<Float32Array>,
        ...(eps.epsE ? [eps.epsE.data() as Promise<Float32Array>] : []),
      ]);
      return epsE ? { epsX: epsX!, epsH: epsH!, epsE } : { epsX: epsX!, epsH: epsH! };
    } finally {
      tf.dispose([eps.epsX, eps.epsH, ...(eps.epsE ? [eps.epsE] : [])]);
    }
  };
  return { predict, evaluate, dispose: () => tf.dispose([nodeMask, ...(contextTensor ? [contextTensor] : [])]) };
}

/**
 * Runs the reverse chain for B molecules with the given atom counts. Noise for molecule b is drawn
 * from rngs[b] only, so a molecule's result does not depend on which others share its batch.
 * Every tensor it makes is disposed when it settles, also when it fails.
 */
export async function sampleChain(
  model: DiffusionProcess,
  predictNoise: NoisePredictor,
  atomCounts: number[],
  rngs: Rng[],
  options: ChainOptions = {},
): Promise<SampledBatch> {
  const { schedule, encoding } = model;
  const sampler = options.sampler ?? new Ancestral();
  const constraint = options.constraint;
  const B = atomCounts.length;
  const N = Math.max(...atomCounts);
  const F = featureCount(encoding);
  const K = bondClassCount(encoding.bonds);
  const nodeMask = new Float32Array(B * N);
  atomCounts.forEach((n, b) => nodeMask.fill(1, b * N, b * N + n));
  const start = options.start;
  if (
    start &&
    (!Number.isInteger(start.step) || start.step < 0 || start.step > schedule.timesteps || start.x.length !== B * N * 3 || start.h.length !== B * N * F || (K > 0 && start.e?.length !== B * N * N * K))
  ) {
    throw new RangeError(`sampleChain: start needs an integer step in 0…${schedule.timesteps} and arrays of ${B * N * 3} and ${B * N * F}${K > 0 ? ` and ${B * N * N * K}` : ''} values`);
  }
  // Drawn in JavaScript, molecule by molecule, atom by atom, then uploaded: the backend never draws.
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
    const state: ChainState = { x: tf.tensor3d(x, [B, N, 3]), h: tf.tensor3d(h, [B, N, F]) };
    if (e) state.e = tf.tensor4d(e, [B, N, N, K]);
    return state;
  };
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
  const readBack = async (x: tf.Tensor, h: tf.Tensor) => {
    const [zx, zh] = await Promise.all([x.data() as Promise<Float32Array>, h.data() as Promise<Float32Array>]);
    return decodeAtoms(encoding, zx, zh, nodeMask);
  };
  // Bonds, like atom types, are read from the state directly: the argmax class of each pair i < j.
  const decodeBonds = (e: Float32Array): Bond[][] => atomCounts.map((n, b) => decodeBondBlock(encoding.bonds!, e, b, n, N));
  const saveFrame = async (step: number, state: ChainState): Promise<void> => {
    const [{ positions, types, formalCharges }, e] = await Promise.all([readBack(state.x, state.h), state.e ? (state.e.data() as Promise<Float32Array>) : undefined]);
    keepFrame({ step, positions, types, formalCharges, ...(e ? { bonds: decodeBonds(e) } : {}) });
  };
  const tensorsOf = (state: ChainState): tf.Tensor[] => [state.x, state.h, ...(state.e ? [state.e] : [])];
  const mask = tf.tensor3d(nodeMask, [B, N, 1]);
  const upperPairs = K > 0 ? tf.tensor4d(upperPairMask(nodeMask, B, N), [B, N, N, 1]) : undefined;
  // Project back to zero centre of mass (and zero padded features) so rounding cannot make them drift,
  // as EDM does; the bond block stays symmetric, zero on the diagonal and on padding.
  const project = (state: ChainState): ChainState => {
    const out: ChainState = { x: removeCenterOfMass(state.x, mask), h: tf.mul(state.h, mask) as tf.Tensor3D };
    if (state.e) out.e = symmetrizeBondTensor(state.e, upperPairs!);
    return out;
  };
  // Replaces the state by next(state) in a tidy scope of its own, disposing the old one.
  let z: ChainState | null = null;
  const advance = (next: (state: ChainState) => ChainState): void => {
    const old = z!;
    const kept = tf.tidy(() => tensorsOf(next(old)));
    z = { x: kept[0] as tf.Tensor3D, h: kept[1] as tf.Tensor3D, ...(kept[2] ? { e: kept[2] as tf.Tensor4D } : {}) };
    tf.dispose(tensorsOf(old));
  };
  try {
    z = start
      ? { x: tf.tensor3d(start.x, [B, N, 3]), h: tf.tensor3d(start.h, [B, N, F]), ...(K > 0 ? { e: tf.tensor4d(start.e!, [B, N, N, K]) } : {}) }
      : drawNoise();
    if (constraint) advance((state) => project(constraint.impose(state, steps[0]!, drawNoise)));
    if (framePoints.has(0) && transitions > 0) await saveFrame(steps[0]!, z);
    let evaluations = 0;
    for (let k = 0; k + 1 < steps.length; k++) {
      const t = steps[k]!;
      const s = steps[k + 1]!;
      const gt = schedule.gammaAtStep(t);
      const gs = schedule.gammaAtStep(s);
      for (let r = 0; r < resample; r++) {
        // RePaint's jump back: z_t ~ q(z_t | z_s), then the same transition again.
        if (r > 0) advance((state) => project(forwardTransition(state, gt, gs, drawNoise())));
        advance((state) => {
          const eps = predictNoise(state.x, state.h, t, state.e);
          const next = sampler.step(state, { x: eps.epsX, h: eps.epsH, ...(eps.epsE ? { e: eps.epsE } : {}) }, gt, gs, drawNoise);
          return project(constraint ? constraint.impose(next, s, drawNoise) : next);
        });
        options.onStep?.(++evaluations, totalEvaluations);
      }
      if (framePoints.has(k + 1) && k + 1 < transitions) await saveFrame(s, z);
    }
    // p(x, h | z_0): x ~ N(x̂_0, σ_0²/α_0²), h from z_0 directly.
    const g0 = schedule.gammaAtStep(0);
    const alpha0 = NoiseSchedule.alpha(g0);
    const sigma0 = NoiseSchedule.sigma(g0);
    const sigmaX = Math.exp(0.5 * g0);
    const last: ChainState = z;
    const x = tf.tidy(() => {
      const eps0 = predictNoise(last.x, last.h, 0, last.e);
      const n = drawNoise();
      const mean = tf.div(tf.sub(last.x, tf.mul(eps0.epsX, sigma0)), alpha0);
      return removeCenterOfMass(tf.add(mean, tf.mul(n.x, sigmaX)) as tf.Tensor3D, mask);
    });
    let result;
    let e: Float32Array | undefined;
    try {
      [result, e] = await Promise.all([readBack(x, last.h), last.e ? (last.e.data() as Promise<Float32Array>) : undefined]);
    } finally {
      x.dispose();
    }
    options.onStep?.(totalEvaluations, totalEvaluations);
    const bonds = e ? decodeBonds(e) : undefined;
    if (framePoints.has(transitions)) keepFrame({ step: 0, positions: result.positions, types: result.types, formalCharges: result.formalCharges, ...(bonds ? { bonds } : {}) });
    return bonds ? { ...result, bonds, frames } : { ...result, frames };
  } finally {
    const state = z as ChainState | null;
    tf.dispose([mask, ...(upperPairs ? [upperPairs] : []), ...(state ? tensorsOf(state) : [])]);
  }
}
