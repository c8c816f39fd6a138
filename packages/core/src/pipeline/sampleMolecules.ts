import { memoryBudget, type MemoryBudget, resolveMicroBatch } from '../backend/memoryBudget.js';
import type { Bond, Molecule } from '../chem/molecule.js';
import type { Model } from '../modelFormat/modelFormat.js';
import { type ChainFrame, networkPredictor, sampleChain } from '../diffusion/reverseChain.js';
import { createSampler, type SamplerKind } from '../diffusion/samplers.js';
import { checkHeldAtoms, type HeldAtoms, Inpainting } from '../diffusion/inpainting.js';
import { NoiseSchedule } from '../diffusion/schedule.js';
import { heldAtomsField } from './heldAtoms.js';
import type { Trajectory, TrajectoryFrame, TrajectoryMolecule } from '../io/trajectory.js';
import { disposeParameters } from '../model/parameters.js';
import { Rng } from '../random/rng.js';
import { EquimolError } from '../errors.js';

/** Options of `sampleMolecules`. */
export interface SampleOptions {
  /** Number of molecules. */
  count: number;
  /** Seed of the whole campaign; molecule i's randomness depends only on (seed, i). */
  seed?: number;
  /** Index of the first molecule (for shards of a larger campaign): molecules start..start+count−1. */
  startIndex?: number;
  sampler?: SamplerKind;
  /** Denoising steps (default: the model's T). */
  steps?: number;
  /** Noise scale on atom types per ancestral step (default 1 = EDM; see `AncestralOptions.typeNoise`); an error with DDIM. */
  typeNoise?: number;
  /** Most molecules per network evaluation (default 64); fewer where the backend's memory requires it. */
  batchSize?: number;
  /** The memory budget that caps batches (default: the active backend's). */
  memory?: MemoryBudget;
  /** Fixed atom count for every molecule. */
  atoms?: number;
  /** Atom counts drawn from the model's histogram restricted to [min, max]. */
  atomRange?: [number, number];
  /** Keep this many frames per molecule of the denoising chain (0 = none). */
  trajectoryFrames?: number;
  /**
   * Atoms to hold (inpainting): their elements and coordinates are kept, the model generates the
   * rest. They come first in every molecule, at exactly these coordinates, and the new atoms sit in
   * the same frame.
   */
  fixed?: HeldAtoms;
  /** With `fixed`: times each reverse transition is taken, re-noising in between (RePaint; default 1). */
  resample?: number;
  /** Called as molecules finish (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Called with each trajectory frame of molecule `index` as soon as it exists (needs trajectoryFrames). */
  onFrame?: (index: number, frame: TrajectoryFrame) => void;
  /**
   * Threads to sample on (default 1). They need a `parallel` runner: `@equimol/core/node`'s
   * `sampleMolecules` supplies worker threads; without a runner (in a browser, or with plain
   * `@equimol/core`) sampling runs in this thread. The molecules are the same either way.
   */
  workers?: number;
  /** Splits the campaign over `workers` threads (see `ParallelSampling`); set by `@equimol/core/node`. */
  parallel?: ParallelSampling;
}

/**
 * Runs a campaign on `workers` threads, each sampling a range of molecule indices with
 * `sampleMolecules` in its own backend, and returns the molecules in index order. `options` arrive
 * without `workers` and `parallel`. Molecule i depends only on (seed, i), so any split gives the
 * molecules one thread gives.
 */
export type ParallelSampling = (model: Model, options: SampleOptions, workers: number) => Promise<SampleResult>;

/** Generated molecules (heavy atoms or all atoms as the model was trained) and optional trajectories. */
export interface SampleResult {
  molecules: Molecule[];
  trajectory?: Trajectory;
}

/** Thrown for sampling options the model cannot honour (e.g. an atom count it never saw). */
export class SampleOptionsError extends EquimolError {
  constructor(message: string) {
    super(message, { kind: 'usage' });
    this.name = 'SampleOptionsError';
  }
}

/** Per-molecule generator: a hash of (seed, index), so shards and batch sizes give identical molecules. */
export function moleculeRng(seed: number, index: number): Rng {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  return new Rng((h ^ (h >>> 13)) >>> 0);
}

/** The atom-count distribution sampling draws from, after applying `atoms`/`atomRange`. */
export function atomCountWeights(model: { meta: Pick<Model['meta'], 'atomCountHistogram'> }, options: Pick<SampleOptions, 'atoms' | 'atomRange' | 'fixed'>): number[] {
  const hist = model.meta.atomCountHistogram;
  const weights = hist.map((c, n) => (n === 0 ? 0 : c));
  const held = options.fixed?.elements.length ?? 0;
  if (options.atoms !== undefined) {
    if (!Number.isInteger(options.atoms) || options.atoms < 1) throw new SampleOptionsError(`atom count must be a positive integer, got ${options.atoms}`);
    if (options.atoms <= held) throw new SampleOptionsError(`the held part has ${held} atoms: a molecule of ${options.atoms} atoms leaves none to generate`);
    const w = new Array<number>(Math.max(hist.length, options.atoms + 1)).fill(0);
    w[options.atoms] = 1;
    return w;
  }
  if (options.atomRange) {
    const [lo, hi] = options.atomRange;
    const w = weights.map((c, n) => (n >= lo && n <= hi ? c : 0));
    if (w.every((c) => c === 0)) {
      const seen = weights.map((c, n) => (c > 0 ? n : -1)).filter((n) => n > 0);
      throw new SampleOptionsError(
        `the model's training data has no molecules with ${lo}–${hi} atoms (it has ${seen[0]}–${seen[seen.length - 1]}); use --atoms to force a size`,
      );
    }
    if (held > 0 && w.every((c, n) => c === 0 || n <= held)) throw new SampleOptionsError(`the held part has ${held} atoms: no molecule size in ${lo}–${hi} leaves atoms to generate`);
    return w;
  }
  if (held > 0 && weights.every((c, n) => c === 0 || n <= held)) {
    const largest = weights.reduce((m, c, n) => (c > 0 ? n : m), 0);
    throw new SampleOptionsError(`the held part has ${held} atoms, ${held > largest ? 'more than' : 'as many as'} the model's largest molecules (${largest}); use --atoms to ask for more`);
  }
  return weights;
}

/**
 * An atom count from the weights. With k held atoms, a count ≤ k is drawn again from the counts
 * above k; molecules that need no redraw keep the count (and the random numbers) of plain sampling.
 */
function drawAtomCount(rng: Rng, weights: number[], held: number): number {
  const n = rng.categorical(weights);
  return n > held ? n : rng.categorical(weights.map((c, m) => (m > held ? c : 0)));
}

/**
 * Samples molecules with a model: atom counts from its histogram (or as given), then the reverse
 * diffusion chain, batched by atom count so that no compute goes to padding. On `workers` threads
 * where a `parallel` runner is given, else in this thread. Options are checked before any work.
 */
export async function sampleMolecules(model: Model, options: SampleOptions): Promise<SampleResult> {
  const { workers = 1, parallel, ...rest } = options;
  if (!Number.isInteger(workers) || workers < 1) throw new SampleOptionsError(`workers must be an integer ≥ 1, got ${workers}`);
  const threads = Math.min(workers, options.count);
  if (parallel && threads > 1) {
    checkSampleOptions(model, rest);
    return parallel(model, rest, threads);
  }
  return sampleInThisThread(model, rest);
}

/** Throws for options the model cannot honour (sizes, held atoms, sampler options), as sampling would. */
function checkSampleOptions(model: Model, options: SampleOptions): void {
  atomCountWeights(model, options);
  createSampler(options);
  if (options.fixed) checkHeldAtoms(options.fixed, model.meta.encoding);
  checkResample(options);
}

function checkResample(options: SampleOptions): number {
  const resample = options.resample ?? 1;
  if (!Number.isInteger(resample) || resample < 1 || (resample > 1 && !options.fixed)) {
    throw new SampleOptionsError(options.fixed ? `resample must be an integer ≥ 1, got ${resample}` : 'resampling applies only to inpainting (held atoms)');
  }
  return resample;
}

async function sampleInThisThread(model: Model, options: SampleOptions): Promise<SampleResult> {
  const seed = options.seed ?? 0;
  const start = options.startIndex ?? 0;
  const encoding = model.meta.encoding;
  const weights = atomCountWeights(model, options);
  const sampler = createSampler(options);
  const fixed = options.fixed;
  if (fixed) checkHeldAtoms(fixed, encoding);
  const resample = checkResample(options);
  const rngs = Array.from({ length: options.count }, (_, k) => moleculeRng(seed, start + k));
  const counts = rngs.map((rng) => drawAtomCount(rng, weights, fixed?.elements.length ?? 0));
  const order = counts.map((_, k) => k).sort((a, b) => counts[a]! - counts[b]! || a - b);
  const batchSize = Math.max(1, options.batchSize ?? 64);
  // Molecule i depends only on (seed, i), so capping batches by memory changes no molecule.
  const budget = options.memory ?? memoryBudget();
  const largest = Math.max(0, ...counts);
  const what = options.atoms !== undefined ? 'the requested molecule' : `the largest molecule drawn from ${model.meta.name}'s size histogram`;
  const batchLimits = new Map<number, number>();
  const batchLimit = (n: number): number => {
    let limit = batchLimits.get(n);
    if (limit === undefined) batchLimits.set(n, (limit = resolveMicroBatch('auto', model.dynamics.config, n, 'inference', budget, batchSize, what)));
    return limit;
  };
  if (largest > 0) batchLimit(largest); // fails before any work when one molecule cannot fit
  const molecules: Molecule[] = new Array(options.count);
  const trajectories: TrajectoryMolecule[] = new Array(options.count);
  const frames = options.trajectoryFrames ?? 0;
  const params = model.dynamics.layout.toTensors(model.params);
  let done = 0;
  try {
    for (let b0 = 0; b0 < order.length; ) {
      // One batch: molecules of the same size, up to batchSize.
      const n = counts[order[b0]!]!;
      let b1 = b0;
      const limit = batchLimit(n);
      while (b1 < order.length && b1 - b0 < limit && counts[order[b1]!] === n) b1++;
      const members = order.slice(b0, b1);
      const memberCounts = members.map((k) => counts[k]!);
      const inpainting = fixed ? new Inpainting(model.schedule, encoding, fixed, { B: members.length, N: n }, resample) : undefined;
      const toMolecule = (b: number, positions: Float32Array, types: Int32Array): { elements: string[]; positions: Float64Array } => {
        const elements: string[] = [];
        const pos = new Float64Array(3 * n);
        for (let a = 0; a < n; a++) {
          elements.push(encoding.elements[types[b * n + a]!]!);
          for (let d = 0; d < 3; d++) pos[3 * a + d] = positions[(b * n + a) * 3 + d]!;
        }
        return inpainting ? { elements: inpainting.elements(elements), positions: inpainting.toInputFrame(pos, n) } : { elements, positions: pos };
      };
      // Bond models: the generated graph and charges as decoded, never re-perceived from coordinates
      // (at every frame, as for the sample, so that a viewer draws the model's own bonds).
      const graphOf = (b: number, decoded: { bonds?: Bond[][]; formalCharges: Int32Array }): Pick<Molecule, 'bonds' | 'formalCharges'> => {
        if (!decoded.bonds) return {};
        const charges = Array.from(decoded.formalCharges.subarray(b * n, (b + 1) * n));
        const bonds = decoded.bonds[b]!;
        return inpainting ? { bonds: inpainting.bonds(bonds), formalCharges: inpainting.formalCharges(charges) } : { bonds, formalCharges: charges };
      };
      const toFrame = (b: number, f: ChainFrame): TrajectoryFrame => {
        const g = model.schedule.gammaAtStep(f.step);
        return { ...toMolecule(b, f.positions, f.types), ...graphOf(b, f), step: f.step, t: f.step / model.schedule.timesteps, gamma: g, snr: NoiseSchedule.snr(g) };
      };
      // Frames are converted once, as they arrive, for both the live callback and the trajectory.
      const memberFrames: TrajectoryFrame[][] = members.map(() => []);
      const collectFrame = (f: ChainFrame): void =>
        members.forEach((k, b) => {
          const frame = toFrame(b, f);
          memberFrames[b]!.push(frame);
          options.onFrame?.(start + k, frame);
        });
      const network = networkPredictor(model.dynamics, params, model.schedule, memberCounts);
      let out;
      try {
        out = await sampleChain(
          { schedule: model.schedule, encoding },
          network.predict,
          memberCounts,
          members.map((k) => rngs[k]!),
          {
            sampler,
            steps: options.steps,
            constraint: inpainting,
            frames,
            onFrame: frames > 0 ? collectFrame : undefined,
          },
        );
      } finally {
        network.dispose();
      }
      members.forEach((k, b) => {
        const mol = toMolecule(b, out.positions, out.types);
        molecules[k] = {
          title: `${model.meta.name} seed ${seed} #${start + k}`,
          ...mol,
          ...graphOf(b, out),
          properties: { model: model.meta.name, seed: String(seed), index: String(start + k), ...(fixed ? { held_atoms: heldAtomsField(fixed.elements.map((_, i) => i)) } : {}) },
        };
        if (frames > 0) {
          trajectories[k] = {
            index: start + k,
            title: molecules[k]!.title,
            frames: memberFrames[b]!,
          };
        }
      });
      done += members.length;
      options.onProgress?.(done, options.count);
      b0 = b1;
    }
  } finally {
    disposeParameters(params);
  }
  return { molecules, trajectory: frames > 0 ? { molecules: trajectories } : undefined };
}
