import type { Molecule as OclMolecule } from 'openchemlib';
import type { Bond, Molecule } from '../chem/molecule.js';
import { perceiveBonds } from '../chem/perceiveBonds.js';
import { canonicalId, toOcl, valenceViolations } from '../chem/openchemlib.js';

/** Verdict of the validity check on one molecule. */
export interface ValidityResult {
  /** Whether the molecule passes the valence check (EDM: RDKit sanitisation). */
  valid: boolean;
  /** Canonical id (OCL idcode, no stereo, implicit H) of the largest fragment, when valid. */
  id?: string;
  /** Number of disconnected fragments. */
  fragments: number;
  /** Why the molecule is invalid, for a chemist, e.g. `N3 has valence 4 (max 3)`. */
  reason?: string;
}

/** Options of the validity check. */
export interface ValidityOptions {
  /** Bonds to check; by default perceived from coordinates with EDM's tables (as EDM does). */
  bonds?: readonly Bond[];
  /** Use the molecule's formal charges (EDM builds neutral atoms: off). */
  useFormalCharges?: boolean;
}

/**
 * EDM's validity of one molecule, with openchemlib in the role of RDKit: build the molecule from
 * its bonds (perceived from coordinates by default) with neutral atoms, let OCL normalise
 * ambiguous groups (neutral 5-valent N=O / N#N to charge-separated form, like RDKit's sanitisation
 * clean-up does for nitro groups and azides), then require that no atom exceeds its allowed valence
 * (RDKit's valence check). Free valences are filled with implicit hydrogens, so missing hydrogens do
 * not make a molecule invalid. The id is that of the largest fragment (EDM's SMILES for uniqueness).
 */
export function checkValidity(mol: Molecule, options: ValidityOptions = {}): ValidityResult {
  const bonds = options.bonds ?? perceiveBonds(mol);
  const { ocl } = toOcl(mol, { bonds, charges: options.useFormalCharges ?? false, coordinates: false });
  ocl.normalizeAmbiguousBonds();
  const violations = valenceViolations(ocl);
  const fragments = fragmentsBySize(ocl);
  if (violations.length > 0) {
    const v = violations[0]!;
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more atoms)` : '';
    return { valid: false, fragments: fragments.length, reason: `${v.element}${v.atom + 1} has valence ${v.occupied} (max ${v.max})${more}` };
  }
  const largest = fragments[0];
  return { valid: true, id: largest ? canonicalId(largest) : '', fragments: fragments.length };
}

/** Fragments of an OCL molecule, largest (most atoms, hydrogens included, as RDKit counts) first. */
function fragmentsBySize(ocl: OclMolecule): OclMolecule[] {
  if (ocl.getAllAtoms() === 0) return [];
  const fragments = ocl.getFragments();
  // A stable sort keeps OCL's order among equal sizes, like Python's max() keeps the first.
  return fragments.map((f, i) => [f, i] as const).sort((x, y) => y[0].getAllAtoms() - x[0].getAllAtoms() || x[1] - y[1]).map(([f]) => f);
}
