import type { Molecule } from '../chem/molecule.js';
import { bondOrderSums, isStableValence, perceiveBonds } from '../chem/perceiveBonds.js';

/** EDM's stability verdict on one molecule (its `check_stability`). */
export interface MoleculeStability {
  /** Whether every atom is stable. */
  stable: boolean;
  /** Number of atoms whose bond-order sum is an allowed valence. */
  stableAtoms: number;
  atoms: number;
  /** Per-atom verdicts, for inspection. */
  atomStable: boolean[];
}

/** Options of the stability metrics. */
export interface StabilityOptions {
  /**
   * Heavy-atom-only molecules: an atom is stable if its bonds do not exceed its valence, the rest
   * being implicit hydrogens. EDM's published metric is for explicit-H molecules (off).
   */
  implicitHydrogens?: boolean;
}

/**
 * EDM's stability of one molecule: bonds perceived from coordinates with EDM's bond-length tables
 * (any bonds stored in the molecule are ignored), then each atom's bond-order sum checked against
 * its allowed valences. Formal charges are not considered, as in EDM.
 */
export function checkStability(mol: Molecule, options: StabilityOptions = {}): MoleculeStability {
  const n = mol.elements.length;
  const sums = bondOrderSums(n, perceiveBonds(mol));
  const atomStable = mol.elements.map((e, i) => isStableValence(e, sums[i]!, options.implicitHydrogens));
  const stableAtoms = atomStable.filter(Boolean).length;
  return { stable: stableAtoms === n, stableAtoms, atoms: n, atomStable };
}
