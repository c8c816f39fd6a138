import * as tf from '@tensorflow/tfjs-core';
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
  /** The known atoms as one padded molecule, [1, N, 3] and [1, N, F] (zero beyond row k), and 1 on rows < k: [1, N, 1]. */
  private readonly padded: { x: Float32Array; h: Float32Array; held: Float32Array };
  /**
   * Bond models with held bonds: the known bond block as one padded molecule, [1, N, N, K] (zero
   * beyond the held atoms), and 1 on the pairs among the held atoms: [1, N, N, 1].
   */
  private readonly paddedE?: { e: Float32Array; held: Float32Array; K: number };

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
    const { N } = batch;
    const F = featureCount(encoding);
    const x = new Float32Array(N * 3);
    const h = new Float32Array(N * F);
    x.set(this.knownX.subarray(0, Math.min(3 * k, 3 * N)));
    h.set(this.knownH.subarray(0, Math.min(k * F, N * F)));
    this.padded = { x, h, held: Float32Array.from({ length: N }, (_, i) => (i < k ? 1 : 0)) };
    if (encoding.bonds && held.bonds) {
      const K = bondClassCount(encoding.bonds);
      const e = new Float32Array(N * N * K);
      encodeBondBlock(encoding.bonds, held.bonds, Math.min(k, N), e, 0, N);
      const pairs = Float32Array.from({ length: N * N }, (_, ij) => (Math.floor(ij / N) < k && ij % N < k ? 1 : 0));
      this.paddedE = { e, held: pairs, K };
    }
  }

  impose(z: ChainState, step: number, noise: () => ChainState): ChainState {
    const g = this.schedule.gammaAtStep(step);
    const alpha = NoiseSchedule.alpha(g);
    const sigma = NoiseSchedule.sigma(g);
    const { N } = this.batch;
    const F = featureCount(this.encoding);
    const n = noise();
    const held = tf.tensor3d(this.padded.held, [1, N, 1]);
    const free = tf.sub(1, held);
    // Forward-noised known atoms, z = α·x + σ·ε, then translated onto the held rows' current centroid.
    const noisedX = tf.add(tf.mul(tf.tensor3d(this.padded.x, [1, N, 3]), alpha), tf.mul(n.x, sigma));
    const shift = tf.div(tf.sum(tf.mul(tf.sub(z.x, noisedX), held), 1, true), this.count);
    const noisedH = tf.add(tf.mul(tf.tensor3d(this.padded.h, [1, N, F]), alpha), tf.mul(n.h, sigma));
    const out: ChainState = {
      x: tf.add(tf.mul(z.x, free), tf.mul(tf.add(noisedX, shift), held)) as tf.Tensor3D,
      h: tf.add(tf.mul(z.h, free), tf.mul(noisedH, held)) as tf.Tensor3D,
    };
    if (z.e) out.e = z.e;
    if (this.paddedE && z.e && n.e) {
      // Pairs among the held atoms: forward-noised known bonds (n.e is symmetric, so this is too).
      const { e, held: pairs, K } = this.paddedE;
      const heldPairs = tf.tensor4d(pairs, [1, N, N, 1]);
      const noisedE = tf.add(tf.mul(tf.tensor4d(e, [1, N, N, K]), alpha), tf.mul(n.e, sigma));
      out.e = tf.add(tf.mul(z.e, tf.sub(1, heldPairs)), tf.mul(noisedE, heldPairs)) as tf.Tensor4D;
    }
    return out;
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
