import type { Bond } from '../chem/molecule.js';
import { type AtomEncoding, elementIndex, encodeAtomFeatures, featureCount, vocabularyAtomicNumbers } from '../data/atomEncoding.js';
import { bondClassCount, checkBondsEncodable, encodeBondBlock } from '../data/bondEncoding.js';
import type { ChainConstraint } from './reverseChain.js';
import type { ChainState } from './samplers.js';
import { NoiseSchedule } from './schedule.js';
import { EquimolError } from '../errors.js';

/**
 * Constrained generation by inpainting (RePaint, Lugmayr et al. 2022, as DiffSBDD applies it to
 * molecules): some atoms are held, elements and coordinates, and the model fills in the rest without
 * retraining. After every reverse step the held atoms' state is replaced by a forward-noised copy of
 * the known atoms; `resample` repeats each transition, re-noising in between, so that the free atoms
 * can agree with the held ones.
 *
 * Centre of mass: the model lives in the subspace where the mean position is zero. The free atoms'
 * noise is drawn in that subspace over all atoms (as the sampler does anyway), and the noised held
 * part is translated so that its centroid is where the denoised state had those atoms; the sum of all
 * positions, hence the centre of mass, is then unchanged. At the end one translation carries the
 * molecule into the input frame, and the held atoms are written back with their input coordinates.
 */

/** Atoms to hold: elements and coordinates in Å, in whatever frame the user's file has. */
export interface HeldAtoms {
  elements: string[];
  /** Flat [x0, y0, z0, x1, …], length 3 · elements.length. */
  positions: ArrayLike<number>;
  /**
   * Bonds among the held atoms (0-based, Kekulé), for models that generate bonds: the model keeps
   * them and fills in the rest. Absent: the held atoms' bonds are generated too. Ignored by atom-only models.
   */
  bonds?: Bond[];
  /** Formal charges of the held atoms (bond models; default 0). */
  formalCharges?: number[];
}

/** Held atoms closer than this (Å) are a broken input, not a molecule. */
export const MIN_HELD_DISTANCE = 0.7;

/** Thrown for held atoms that cannot be a molecule's part: none, no 3D coordinates, atoms on top of each other. */
export class HeldAtomsError extends EquimolError {
  constructor(message: string) {
    super(message);
    this.name = 'HeldAtomsError';
  }
}

/**
 * Checks held atoms against a model's encoding: at least one atom, elements in the vocabulary (the
 * error names the atom, 1-based, and the vocabulary), real 3D coordinates, no two atoms closer than
 * 0.7 Å. `source` (e.g. a file name) prefixes the messages; `atomNumbers` (1-based, one per held
 * atom) names the atoms as the user knows them, e.g. their numbers in the file (default 1…k).
 */
export function checkHeldAtoms(held: HeldAtoms, encoding: AtomEncoding, source?: string, atomNumbers?: readonly number[]): void {
  const prefix = source ? `${source}: ` : '';
  const number = (i: number) => atomNumbers?.[i] ?? i + 1;
  const k = held.elements.length;
  if (k === 0) throw new HeldAtomsError(`${prefix}no atoms to hold`);
  if (held.positions.length !== 3 * k) throw new HeldAtomsError(`${prefix}${k} held atoms need ${3 * k} coordinates, got ${held.positions.length}`);
  held.elements.forEach((el, i) => elementIndex(encoding, el, `${prefix}held atom ${number(i)}`));
  if (encoding.bonds && (held.bonds || held.formalCharges)) {
    if (held.formalCharges && held.formalCharges.length !== k) throw new HeldAtomsError(`${prefix}${k} held atoms but ${held.formalCharges.length} formal charges`);
    checkBondsEncodable(encoding.bonds, k, held.bonds ?? [], held.formalCharges, `${prefix}held atoms`);
  }
  const p = held.positions;
  if (k > 1 && Array.from(p).every((v) => v === 0)) throw new HeldAtomsError(`${prefix}the held atoms have no 3D coordinates (all zero)`);
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const d = Math.hypot(p[3 * i]! - p[3 * j]!, p[3 * i + 1]! - p[3 * j + 1]!, p[3 * i + 2]! - p[3 * j + 2]!);
      if (!(d >= MIN_HELD_DISTANCE)) {
        throw new HeldAtomsError(
          `${prefix}held atoms ${number(i)} (${held.elements[i]}) and ${number(j)} (${held.elements[j]}) are ${d.toFixed(2)} Å apart, closer than ${MIN_HELD_DISTANCE} Å`,
        );
      }
    }
  }
}

/**
 * The inpainting constraint for one batch of B molecules padded to N atoms, each holding the same
 * atoms as its first rows (atoms 0…k−1); the sampler generates rows k…n−1.
 */
export class Inpainting implements ChainConstraint {
  /** Number of held atoms k. */
  readonly count: number;
  private readonly centroid: [number, number, number];
  /** Known positions, centred on their own centroid and normalised: [k, 3]. */
  private readonly knownX: Float32Array;
  /** Known normalised features: [k, F]. */
  private readonly knownH: Float32Array;
  /** Bond models with held bonds: the known bond block [1, k, k, K] among the held atoms. */
  private readonly knownE?: Float32Array;

  constructor(
    private readonly schedule: NoiseSchedule,
    private readonly encoding: AtomEncoding,
    private readonly held: HeldAtoms,
    private readonly batch: { B: number; N: number },
    readonly resample = 1,
  ) {
    checkHeldAtoms(held, encoding);
    const k = held.elements.length;
    this.count = k;
    const p = held.positions;
    const c: [number, number, number] = [0, 0, 0];
    for (let i = 0; i < k; i++) for (let d = 0; d < 3; d++) c[d] += p[3 * i + d]! / k;
    this.centroid = c;
    const normX = encoding.normalization[0];
    this.knownX = Float32Array.from({ length: 3 * k }, (_, i) => (p[i]! - c[i % 3]!) / normX);
    this.knownH = new Float32Array(k * featureCount(encoding));
    const numbers = vocabularyAtomicNumbers(encoding);
    const charges = encoding.bonds ? held.formalCharges : undefined;
    held.elements.forEach((el, i) => encodeAtomFeatures(encoding, elementIndex(encoding, el), this.knownH, i, numbers, charges?.[i] ?? 0));
    if (encoding.bonds && held.bonds) {
      this.knownE = new Float32Array(k * k * bondClassCount(encoding.bonds));
      encodeBondBlock(encoding.bonds, held.bonds, k, this.knownE, 0, k);
    }
  }

  impose(z: ChainState, step: number, noise: () => ChainState): void {
    const g = this.schedule.gammaAtStep(step);
    const alpha = NoiseSchedule.alpha(g);
    const sigma = NoiseSchedule.sigma(g);
    const { B, N } = this.batch;
    const F = featureCount(this.encoding);
    const k = this.count;
    const n = noise();
    for (let b = 0; b < B; b++) {
      const row0 = b * N;
      // Forward-noised known atoms, z = α·x + σ·ε, then translated onto the held rows' current centroid.
      const noised = new Float32Array(3 * k);
      const shift = [0, 0, 0];
      for (let i = 0; i < 3 * k; i++) {
        noised[i] = alpha * this.knownX[i]! + sigma * n.x[3 * row0 + i]!;
        shift[i % 3]! += (z.x[3 * row0 + i]! - noised[i]!) / k;
      }
      for (let i = 0; i < 3 * k; i++) z.x[3 * row0 + i] = noised[i]! + shift[i % 3]!;
      for (let i = 0; i < k * F; i++) z.h[F * row0 + i] = alpha * this.knownH[i]! + sigma * n.h[F * row0 + i]!;
      if (this.knownE && z.e && n.e) {
        // Pairs among the held atoms: forward-noised known bonds (n.e is symmetric, so this is too).
        const K = bondClassCount(this.encoding.bonds);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const to = ((b * N + i) * N + j) * K;
            const from = (i * k + j) * K;
            for (let c = 0; c < K; c++) z.e[to + c] = alpha * this.knownE[from + c]! + sigma * n.e[to + c]!;
          }
        }
      }
    }
  }

  /**
   * Molecule positions (n atoms, Å, the chain's zero-centre-of-mass frame) in the input frame: all
   * atoms translated so that the held atoms' centroid is the input's, then the held atoms set to
   * exactly their input coordinates.
   */
  toInputFrame(positions: ArrayLike<number>, n: number): Float64Array {
    const k = this.count;
    const shift = [...this.centroid];
    for (let i = 0; i < 3 * k; i++) shift[i % 3]! -= positions[i]! / k;
    const out = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) out[i] = i < 3 * k ? this.held.positions[i]! : positions[i]! + shift[i % 3]!;
    return out;
  }

  /** Element of each atom of an n-atom molecule: the held elements first, then the decoded ones. */
  elements(decoded: string[]): string[] {
    return [...this.held.elements, ...decoded.slice(this.count)];
  }

  /**
   * A bond model's bonds for a generated molecule: exactly the held bonds among the held atoms (when
   * given), the decoded ones wherever a generated atom takes part.
   */
  bonds(decoded: Bond[]): Bond[] {
    const k = this.count;
    if (!this.held.bonds) return decoded;
    return [...this.held.bonds.map((b) => ({ ...b })), ...decoded.filter((b) => b.a >= k || b.b >= k)];
  }

  /** A bond model's formal charges: the held atoms' as given (when given), then the decoded ones. */
  formalCharges(decoded: number[]): number[] {
    const held = this.held.formalCharges;
    return held ? [...held, ...decoded.slice(this.count)] : decoded;
  }
}
