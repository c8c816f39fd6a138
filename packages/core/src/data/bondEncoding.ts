import * as tf from '@tensorflow/tfjs-core';
import type { Bond } from '../chem/molecule.js';
import { EquimolError } from '../errors.js';

/**
 * How a model that generates its own bonds (MiDi, EQGAT-diff) sees them. Every atom pair gets a
 * one-hot over bond classes {none, single, double, triple} and every atom a one-hot over its formal
 * charge, both scaled like EDM's element one-hot so that the noise-free values sit well above the
 * smallest noise level σ_0 (EDM appendix B). The bonds are the SDF's Kekulé bonds as given, never
 * perceived from coordinates: the point of such a model is that it does not inherit perception errors.
 */
export interface BondEncoding {
  /** Bond orders of classes 1…K−1 (class 0 is "no bond"): [1, 2, 3]. */
  orders: number[];
  /** Formal charges of the charge one-hot, in order: [−1, 0, +1]. */
  formalCharges: number[];
  /** Divisors of [bond one-hot, charge one-hot]: [2, 4]. */
  normalization: [number, number];
}

/** equimol's bond encoding: Kekulé orders 1–3, charges −1/0/+1, one-hots ÷2 and ÷4. */
export function kekuleBondEncoding(): BondEncoding {
  return { orders: [1, 2, 3], formalCharges: [-1, 0, 1], normalization: [2, 4] };
}

/** Number of bond classes K, "no bond" included (0 for an encoding without bonds). */
export function bondClassCount(bonds: BondEncoding | undefined): number {
  return bonds ? bonds.orders.length + 1 : 0;
}

/** Thrown for a bond or formal charge that the bond encoding cannot represent; names the molecule. */
export class BondEncodingError extends EquimolError {
  constructor(message: string, where?: string) {
    super(`${where ? where + ': ' : ''}${message}`);
    this.name = 'BondEncodingError';
  }
}

/**
 * Checks a molecule's bonds and charges against the encoding: every order one of its classes, no
 * aromatic bonds (type 4: the training SDFs are Kekulé, and guessing a Kekulé form would be
 * perception), no atom pair bonded twice, every charge in the charge vocabulary.
 */
export function checkBondsEncodable(encoding: BondEncoding, atoms: number, bonds: readonly Bond[], charges: readonly number[] | undefined, where?: string): void {
  const seen = new Set<number>();
  for (const { a, b, order } of bonds) {
    if (order === 4) throw new BondEncodingError(`bond ${a + 1}-${b + 1} is aromatic (type 4); bond models take Kekulé bonds (orders 1–3) as given: kekulise the file first`, where);
    if (!encoding.orders.includes(order)) throw new BondEncodingError(`bond ${a + 1}-${b + 1} has order ${order}, not one of ${encoding.orders.join(', ')}`, where);
    if (a === b || a < 0 || b < 0 || a >= atoms || b >= atoms) throw new BondEncodingError(`bond ${a + 1}-${b + 1} does not join two atoms of the molecule`, where);
    const key = Math.min(a, b) * atoms + Math.max(a, b);
    if (seen.has(key)) throw new BondEncodingError(`atoms ${a + 1} and ${b + 1} are bonded twice`, where);
    seen.add(key);
  }
  (charges ?? []).forEach((c, i) => {
    if (!encoding.formalCharges.includes(c)) {
      throw new BondEncodingError(`atom ${i + 1} has formal charge ${c}; the encoding has ${encoding.formalCharges.map(signed).join(', ')}`, where);
    }
  });
}

function signed(c: number): string {
  return c > 0 ? `+${c}` : String(c);
}

/**
 * Writes one molecule's bond one-hots into a padded [B, N, N, K] block at molecule b: class 0 ("no
 * bond") on every off-diagonal pair of its n atoms unless bonded, both (i, j) and (j, i); diagonal
 * and padding stay zero.
 */
export function encodeBondBlock(encoding: BondEncoding, bonds: readonly Bond[], n: number, out: Float32Array, b: number, N: number): void {
  const K = bondClassCount(encoding);
  const value = 1 / encoding.normalization[0];
  const base = b * N * N * K;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out[base + (i * N + j) * K] = value;
  for (const { a, b: c, order } of bonds) {
    const k = encoding.orders.indexOf(order) + 1;
    for (const [i, j] of [[a, c], [c, a]] as const) {
      out[base + (i * N + j) * K] = 0;
      out[base + (i * N + j) * K + k] = value;
    }
  }
}

/**
 * The bonds of molecule b of a state [B, N, N, K]: per pair i < j, the argmax class read from the
 * upper triangle only, so the result is one symmetric graph whatever the lower triangle holds.
 */
export function decodeBondBlock(encoding: BondEncoding, state: Float32Array, b: number, n: number, N: number): Bond[] {
  const K = bondClassCount(encoding);
  const bonds: Bond[] = [];
  const base = b * N * N * K;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const row = base + (i * N + j) * K;
      let best = 0;
      for (let k = 1; k < K; k++) if (state[row + k]! > state[row + best]!) best = k;
      if (best > 0) bonds.push({ a: i, b: j, order: encoding.orders[best - 1] as Bond['order'] });
    }
  }
  return bonds;
}

/**
 * Makes a bond state a valid one in place: the upper triangle mirrored to the lower, the diagonal
 * and pairs involving padded atoms zero. Samplers call it after every step so that rounding cannot
 * break the symmetry.
 */
export function symmetrizeBondState(state: Float32Array, nodeMask: ArrayLike<number>, B: number, N: number, K: number): void {
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      const iReal = nodeMask[b * N + i];
      for (let j = i; j < N; j++) {
        const up = ((b * N + i) * N + j) * K;
        const down = ((b * N + j) * N + i) * K;
        if (i === j || !iReal || !nodeMask[b * N + j]) {
          state.fill(0, up, up + K);
          state.fill(0, down, down + K);
        } else {
          for (let k = 0; k < K; k++) state[down + k] = state[up + k]!;
        }
      }
    }
  }
}

/**
 * The pairs i < j of real atoms of a padded [B, N] mask, as a [B, N, N, 1] mask (flat): the upper
 * triangle that `symmetrizeBondTensor` keeps.
 */
export function upperPairMask(nodeMask: ArrayLike<number>, B: number, N: number): Float32Array {
  const out = new Float32Array(B * N * N);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      if (!nodeMask[b * N + i]) continue;
      for (let j = i + 1; j < N; j++) if (nodeMask[b * N + j]) out[(b * N + i) * N + j] = 1;
    }
  }
  return out;
}

/**
 * `symmetrizeBondState` on the backend's tensors, for a chain whose state stays on the device: the
 * upper triangle of real pairs kept and mirrored to the lower, everything else zero. `upperPairs` is
 * `upperPairMask` as a [B, N, N, 1] tensor. Multiplying by 0/1 and adding zeros is exact, so this gives
 * the array version's values. No tf.tidy of its own: call inside one.
 */
export function symmetrizeBondTensor(state: tf.Tensor4D, upperPairs: tf.Tensor4D): tf.Tensor4D {
  const upper = tf.mul(state, upperPairs);
  return tf.add(upper, tf.transpose(upper, [0, 2, 1, 3])) as tf.Tensor4D;
}

/**
 * Symmetric Gaussian noise for molecule b's bond block: one N(0, 1) draw per class and pair i < j of
 * its n real atoms (in that order, from `normal`), mirrored to (j, i); diagonal and padding zero.
 */
export function fillSymmetricBondNoise(out: Float32Array, normal: () => number, b: number, n: number, N: number, K: number): void {
  const base = b * N * N * K;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const up = base + (i * N + j) * K;
      const down = base + (j * N + i) * K;
      for (let k = 0; k < K; k++) out[up + k] = out[down + k] = normal();
    }
  }
}

/** Charge one-hot index of a formal charge (the encoding has been checked to hold it). */
export function chargeClass(encoding: BondEncoding, charge: number): number {
  return encoding.formalCharges.indexOf(charge);
}
