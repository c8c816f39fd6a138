import { atomicNumber } from '../chem/elements.js';

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
  return encoding.elements.length + (encoding.includeCharges ? 1 : 0);
}

/** Thrown when a molecule has an element outside a model's vocabulary. */
export class ElementNotInVocabularyError extends Error {
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
