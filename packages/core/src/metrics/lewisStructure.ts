import { assignBondOrders } from '../chem/bondOrders.js';
import { pieceCount } from '../chem/graph.js';
import type { Molecule } from '../chem/molecule.js';
import { canonicalId, toOcl } from '../chem/openchemlib.js';
import { type RdkitModule, type RdkitMol, rdkitAtoms, rdkitMolecule } from '../chem/rdkit.js';

// The judge for drug-like molecules: is the exported Lewis structure (bond orders, formal charges,
// hydrogens as `sample` writes them) a proper molecule? EDM's distance rule reads aromatic rings as
// saturated or as 5-valent carbons; the exported structure is what a chemist and a docking tool see.

/** Verdict on one molecule's Lewis structure. */
export interface LewisVerdict {
  /** RDKit sanitises it, no radical electrons, and (with explicit H) no atom is missing a hydrogen. */
  valid: boolean;
  /** One piece. */
  connected: boolean;
  /** Canonical id of the whole structure (OCL idcode, no stereo), for uniqueness and novelty; when valid. */
  id?: string;
  /** Why not valid, for a chemist. */
  reason?: string;
}

/**
 * The molecule's Lewis structure: its own bonds and charges when it has bonds (an SDF written by
 * `sample`), else the export's assignment from coordinates (`assignBondOrders`).
 */
export function lewisStructure(mol: Molecule): Molecule {
  return mol.bonds && mol.bonds.length > 0 ? mol : assignBondOrders(mol).molecule;
}

/**
 * Judges a Lewis structure with RDKit. Returns the sanitised RDKit molecule without explicit
 * hydrogens for descriptors when valid (the caller deletes it).
 */
export function judgeLewisStructure(rdkit: RdkitModule, structure: Molecule): { verdict: LewisVerdict; heavy?: RdkitMol } {
  const connected = pieceCount(structure.elements.length, (structure.bonds ?? []).map(({ a, b }) => [a, b] as const)) === 1;
  const mol = rdkitMolecule(rdkit, structure);
  if (!mol) return { verdict: { valid: false, connected, reason: 'RDKit cannot sanitise it' } };
  const explicitH = structure.elements.includes('H');
  const atoms = rdkitAtoms(mol);
  const radical = atoms.findIndex((a) => a.nRad > 0);
  const open = explicitH ? atoms.findIndex((a) => a.z !== 1 && a.impHs > 0) : -1;
  const reason =
    radical >= 0 ? `${structure.elements[radical]}${radical + 1} has a radical electron` : open >= 0 ? `${structure.elements[open]}${open + 1} is missing a hydrogen` : undefined;
  if (reason !== undefined) {
    mol.delete();
    return { verdict: { valid: false, connected, reason } };
  }
  mol.remove_hs_in_place();
  return { verdict: { valid: true, connected, id: canonicalId(toOcl(structure, { coordinates: false }).ocl) }, heavy: mol };
}
