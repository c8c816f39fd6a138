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

/** Fraction of all atoms (pooled over the molecules) that are stable: EDM's atom stability. */
export function atomStability(molecules: readonly Molecule[], options: StabilityOptions = {}): number {
  let stable = 0;
  let atoms = 0;
  for (const mol of molecules) {
    const s = checkStability(mol, options);
    stable += s.stableAtoms;
    atoms += s.atoms;
  }
  return atoms === 0 ? 0 : stable / atoms;
}

/** Fraction of molecules whose atoms are all stable: EDM's molecule stability. */
export function moleculeStability(molecules: readonly Molecule[], options: StabilityOptions = {}): number {
  if (molecules.length === 0) return 0;
  return molecules.filter((m) => checkStability(m, options).stable).length / molecules.length;
}
