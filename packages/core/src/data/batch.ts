import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import type { Rng } from '../random/rng.js';
import { type AtomEncoding, encodeAtomFeatures, featureCount, vocabularyAtomicNumbers } from './atomEncoding.js';
import { bondClassCount, encodeBondBlock } from './bondEncoding.js';
import type { MoleculeDataset } from './dataset.js';

/**
 * A batch of B molecules padded to N atoms, in plain typed arrays (row-major), ready to become
 * tensors on any backend or to be posted to a worker thread. Features are already normalised.
 */
export interface MoleculeBatch {
  size: number;
  maxAtoms: number;
  atomCounts: number[];
  /** [B, N, 3], centre of mass removed per molecule, zero on padding. */
  positions: Float32Array;
  /** [B, N, F]: one-hot / norm[1] then atomic number / norm[2]; zero on padding. */
  features: Float32Array;
  /** [B, N]. */
  nodeMask: Float32Array;
  /** [B, contextSize] or empty. */
  context: Float32Array;
  /**
   * Bond encodings only: [B, N, N, K] bond-class one-hots / bonds.normalization[0], symmetric,
   * "no bond" on unbonded pairs, zero on the diagonal and padding.
   */
  bonds?: Float32Array;
}

/** Collates molecules of a dataset into a normalised batch. */
export function collateBatch(dataset: MoleculeDataset, indices: number[], contextProperties: string[] = []): MoleculeBatch {
  const encoding = dataset.encoding;
  const B = indices.length;
  const atomCounts = indices.map((i) => dataset.atomCount(i));
  const N = Math.max(...atomCounts);
  const F = featureCount(encoding);
  const atomicNumbers = vocabularyAtomicNumbers(encoding);
  const positions = new Float32Array(B * N * 3);
  const features = new Float32Array(B * N * F);
  const nodeMask = new Float32Array(B * N);
  const bondEncoding = encoding.bonds;
  if (bondEncoding && !dataset.hasBonds) throw new Error('the encoding generates bonds but the dataset has none (build it with --bonds)');
  const bonds = bondEncoding ? new Float32Array(B * N * N * bondClassCount(bondEncoding)) : undefined;
  indices.forEach((idx, b) => {
    const start = dataset.atomOffsets[idx]!;
    const charges = bondEncoding ? dataset.formalCharges(idx) : undefined;
    for (let a = 0; a < atomCounts[b]!; a++) {
      const row = b * N + a;
      const type = dataset.elementIndices[start + a]!;
      nodeMask[row] = 1;
      positions.set(dataset.positions.subarray(3 * (start + a), 3 * (start + a) + 3), 3 * row);
      encodeAtomFeatures(encoding, type, features, row, atomicNumbers, charges?.[a]);
    }
    if (bondEncoding) encodeBondBlock(bondEncoding, dataset.bonds(idx), atomCounts[b]!, bonds!, b, N);
  });
  for (let k = 0; k < positions.length; k++) positions[k]! /= encoding.normalization[0];
  removeCenterOfMassInPlace(positions, nodeMask, B, N);
  const context = new Float32Array(B * contextProperties.length);
  indices.forEach((idx, b) =>
    contextProperties.forEach((p, c) => (context[b * contextProperties.length + c] = dataset.properties[p]![idx]!)),
  );
  return { size: B, maxAtoms: N, atomCounts, positions, features, nodeMask, context, ...(bonds ? { bonds } : {}) };
}

/** Rows b0…b1−1 of a batch (keeps its padding width), e.g. to split work across threads. */
export function sliceBatch(batch: MoleculeBatch, b0: number, b1: number, featureWidth: number): MoleculeBatch {
  const N = batch.maxAtoms;
  const C = batch.size > 0 ? batch.context.length / batch.size : 0;
  return {
    size: b1 - b0,
    maxAtoms: N,
    atomCounts: batch.atomCounts.slice(b0, b1),
    positions: batch.positions.slice(b0 * N * 3, b1 * N * 3),
    features: batch.features.slice(b0 * N * featureWidth, b1 * N * featureWidth),
    nodeMask: batch.nodeMask.slice(b0 * N, b1 * N),
    context: batch.context.slice(b0 * C, b1 * C),
    ...(batch.bonds ? { bonds: sliceBondRows(batch.bonds, b0, b1, batch.size) } : {}),
  };
}

/** Molecules b0…b1−1 of a [B, N, N, K] bond block (N and K follow from its length). */
export function sliceBondRows(block: Float32Array, b0: number, b1: number, B: number): Float32Array {
  const perMolecule = block.length / B;
  return block.slice(b0 * perMolecule, b1 * perMolecule);
}

/**
 * An epoch of batches grouped by atom count: molecules of equal size share a batch so that almost
 * no compute goes to padding (QM9 heavy atoms: 83 % have 9). Leftovers of each size are merged
 * into mixed, padded batches. Batch order is shuffled.
 */
export function sizeGroupedBatches(dataset: MoleculeDataset, batchSize: number, rng: Rng, indices?: number[]): number[][] {
  const pool = indices ?? Array.from({ length: dataset.count }, (_, i) => i);
  const bySize = new Map<number, number[]>();
  for (const i of rng.shuffle([...pool])) {
    const n = dataset.atomCount(i);
    let group = bySize.get(n);
    if (!group) bySize.set(n, (group = []));
    group.push(i);
  }
  const batches: number[][] = [];
  const leftovers: number[] = [];
  for (const n of [...bySize.keys()].sort((a, b) => a - b)) {
    const group = bySize.get(n)!;
    let k = 0;
    for (; k + batchSize <= group.length; k += batchSize) batches.push(group.slice(k, k + batchSize));
    leftovers.push(...group.slice(k));
  }
  // Leftovers are sorted by size, so neighbours are similar and padding stays small.
  for (let k = 0; k < leftovers.length; k += batchSize) batches.push(leftovers.slice(k, k + batchSize));
  return rng.shuffle(batches);
}

/** Splits a dataset's indices into train and validation parts by seed. */
export function splitIndices(count: number, validationFraction: number, rng: Rng): { train: number[]; validation: number[] } {
  const all = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const nVal = Math.round(count * validationFraction);
  return { validation: all.slice(0, nVal).sort((a, b) => a - b), train: all.slice(nVal).sort((a, b) => a - b) };
}

export type { AtomEncoding };
