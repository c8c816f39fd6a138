import { canonicalIdOfSmiles } from '../chem/openchemlib.js';

/**
 * EDM's uniqueness: distinct canonical ids among the ids of valid molecules, as a fraction of the
 * valid molecules (0 when there are none).
 */
export function uniqueness(validIds: readonly string[]): number {
  return validIds.length === 0 ? 0 : new Set(validIds).size / validIds.length;
}

/** EDM's novelty: the fraction of unique ids that are not in the reference (training) set. */
export function novelty(uniqueIds: Iterable<string>, reference: ReadonlySet<string>): number {
  let unique = 0;
  let novel = 0;
  for (const id of new Set(uniqueIds)) {
    unique++;
    if (!reference.has(id)) novel++;
  }
  return unique === 0 ? 0 : novel / unique;
}

/** Canonical ids of a reference set given as SMILES (e.g. QM9 `train_smiles.txt`), for `novelty`. */
export interface ReferenceSet {
  ids: Set<string>;
  /** SMILES openchemlib could not parse (empty lines are skipped, not counted). */
  unparsed: string[];
}

/** Builds a `ReferenceSet` from SMILES strings, canonicalised the same way as generated molecules. */
export function referenceSetFromSmiles(smiles: Iterable<string>): ReferenceSet {
  const ids = new Set<string>();
  const unparsed: string[] = [];
  for (const raw of smiles) {
    const s = raw.trim();
    if (s === '') continue;
    const id = canonicalIdOfSmiles(s);
    if (id === undefined) unparsed.push(s);
    else ids.add(id);
  }
  return { ids, unparsed };
}
