import { atomicNumber } from '../chem/elements.js';
import { EquimolError } from '../errors.js';
import { type BondEncoding, chargeClass } from './bondEncoding.js';

/**
 * How atoms become node features: a one-hot over an element vocabulary and, optionally, the atomic
 * number as an integer feature (EDM's "charges"). EDM scales them by 1/4 and 1/10 so that their
 * noise-free values stay well above the smallest noise level σ_0 (EDM appendix B).
 */
export interface AtomEncoding {
  /** Element vocabulary in one-hot order, e.g. `['H', 'C', 'N', 'O', 'F']`. */
  elements: string[];
  /** Append the atomic number as an integer feature. */
  includeCharges: boolean;
  /** Divisors for [coordinates, one-hot, integer feature]; EDM: [1, 4, 10]. */
  normalization: [number, number, number];
  /**
   * Bonds and formal charges generated with the atoms (a formal-charge one-hot after the features
   * above, and a bond one-hot per atom pair; see `BondEncoding`). Absent: atoms only, as EDM.
   */
  bonds?: BondEncoding;
}

/** EDM's scaling of positions, one-hot types and atomic numbers: [1, 4, 10]. */
export const EDM_NORMALIZATION: Readonly<[number, number, number]> = [1, 4, 10];

/** EDM's QM9 encodings: with explicit hydrogens, or heavy atoms only. */
export function qm9Encoding(withHydrogens: boolean): AtomEncoding {
  return {
    elements: withHydrogens ? ['H', 'C', 'N', 'O', 'F'] : ['C', 'N', 'O', 'F'],
    includeCharges: true,
    normalization: [...EDM_NORMALIZATION],
  };
}

/** Width of the node feature vector. */
export function featureCount(encoding: AtomEncoding): number {
  return encoding.elements.length + (encoding.includeCharges ? 1 : 0) + (encoding.bonds?.formalCharges.length ?? 0);
}

/** Column of the first formal-charge one-hot value in the node features (bond encodings only). */
export function chargeColumn(encoding: AtomEncoding): number {
  return encoding.elements.length + (encoding.includeCharges ? 1 : 0);
}

/** Thrown when a molecule has an element outside a model's vocabulary. */
export class ElementNotInVocabularyError extends EquimolError {
  constructor(readonly element: string, readonly vocabulary: string[], readonly where?: string) {
    super(
      `${where ? where + ': ' : ''}element ${element} is not in the vocabulary [${vocabulary.join(', ')}]`,
    );
    this.name = 'ElementNotInVocabularyError';
  }
}

/** Index of an element in the vocabulary. */
export function elementIndex(encoding: AtomEncoding, element: string, where?: string): number {
  const i = encoding.elements.indexOf(element);
  if (i < 0) throw new ElementNotInVocabularyError(element, encoding.elements, where);
  return i;
}

/** Atomic numbers of the vocabulary, in one-hot order. */
export function vocabularyAtomicNumbers(encoding: AtomEncoding): number[] {
  return encoding.elements.map(atomicNumber);
}

/**
 * Writes the normalised features of one atom of vocabulary index `type` into row `row` of a flat
 * [rows, F] array: one-hot / norm[1], then the atomic number / norm[2] when charges are included,
 * then (bond encodings) the formal charge's one-hot / bonds.normalization[1].
 */
export function encodeAtomFeatures(encoding: AtomEncoding, type: number, features: Float32Array, row: number, atomicNumbers = vocabularyAtomicNumbers(encoding), formalCharge = 0): void {
  const F = featureCount(encoding);
  const V = encoding.elements.length;
  features[row * F + type] = 1 / encoding.normalization[1];
  if (encoding.includeCharges) features[row * F + V] = atomicNumbers[type]! / encoding.normalization[2];
  if (encoding.bonds) features[row * F + chargeColumn(encoding) + chargeClass(encoding.bonds, formalCharge)] = 1 / encoding.bonds.normalization[1];
}

/** Atoms decoded from a normalised state: positions in Å, vocabulary indices, rounded integer feature. */
export interface DecodedAtoms {
  /** [rows, 3] in Å (zero where the mask is zero). */
  positions: Float32Array;
  /** [rows] index into the vocabulary (−1 where the mask is zero). */
  types: Int32Array;
  /** [rows] rounded integer feature (atomic number), or empty without charges. */
  charges: Int32Array;
  /** [rows] formal charge, the argmax of the charge one-hot (bond encodings only; else empty). */
  formalCharges: Int32Array;
}

/**
 * EDM's decoding of p(x, h | z_0): positions unscaled, the atom type the argmax of the one-hot part,
 * the integer feature rounded. zx: [rows, 3], zh: [rows, F], mask: [rows].
 */
export function decodeAtoms(encoding: AtomEncoding, zx: Float32Array, zh: Float32Array, mask: ArrayLike<number>): DecodedAtoms {
  const F = featureCount(encoding);
  const V = encoding.elements.length;
  const [normX, , normInt] = encoding.normalization;
  const rows = mask.length;
  const positions = Float32Array.from(zx, (v) => v * normX);
  const types = new Int32Array(rows).fill(-1);
  const charges = new Int32Array(encoding.includeCharges ? rows : 0);
  const formal = encoding.bonds?.formalCharges;
  const formalCharges = new Int32Array(formal ? rows : 0);
  const c0 = chargeColumn(encoding);
  for (let row = 0; row < rows; row++) {
    if (!mask[row]) continue;
    let best = 0;
    for (let v = 1; v < V; v++) if (zh[row * F + v]! > zh[row * F + best]!) best = v;
    types[row] = best;
    if (encoding.includeCharges) charges[row] = Math.round(zh[row * F + V]! * normInt);
    if (formal) {
      let k = 0;
      for (let c = 1; c < formal.length; c++) if (zh[row * F + c0 + c]! > zh[row * F + c0 + k]!) k = c;
      formalCharges[row] = formal[k]!;
    }
  }
  return { positions, types, charges, formalCharges };
}
