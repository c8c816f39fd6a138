import { Molecule as OclMolecule } from 'openchemlib';
import type { Bond, Molecule } from './molecule.js';
import { atomicNumber, elementSymbol } from './elements.js';

// The bridge between equimol's `Molecule` and openchemlib (OCL), which equimol uses for valences,
// implicit hydrogens, canonical identifiers, SMILES, molfile details and force fields.

/** An OCL molecule built from an equimol molecule, with the atom index map between the two. */
export interface OclBuild {
  ocl: OclMolecule;
  /** `oclIndex[i]` is the OCL atom of equimol atom `i`. */
  oclIndex: number[];
}

/** Options of `toOcl`. */
export interface ToOclOptions {
  /** Bonds to use instead of `mol.bonds` (e.g. perceived ones). */
  bonds?: readonly Bond[];
  /** Whether to copy formal charges (default true). */
  charges?: boolean;
  /** Whether to copy 3D coordinates (default true). */
  coordinates?: boolean;
}

/**
 * Builds an OCL molecule. Heavy atoms are added before hydrogens because OCL keeps plain hydrogens
 * at the end of its atom table (and would otherwise renumber atoms); `oclIndex` maps the indices.
 * Aromatic bonds (order 4) become OCL delocalized bonds.
 */
export function toOcl(mol: Molecule, options: ToOclOptions = {}): OclBuild {
  const bonds = options.bonds ?? mol.bonds ?? [];
  const n = mol.elements.length;
  const ocl = new OclMolecule(n, bonds.length);
  const oclIndex = new Array<number>(n);
  const order = [...mol.elements.keys()].sort((i, j) => Number(mol.elements[i] === 'H') - Number(mol.elements[j] === 'H') || i - j);
  for (const i of order) {
    const atom = ocl.addAtom(atomicNumber(mol.elements[i]!));
    oclIndex[i] = atom;
    if (options.coordinates ?? true) {
      ocl.setAtomX(atom, mol.positions[3 * i]!);
      ocl.setAtomY(atom, mol.positions[3 * i + 1]!);
      ocl.setAtomZ(atom, mol.positions[3 * i + 2]!);
    }
    const charge = mol.formalCharges?.[i] ?? 0;
    if ((options.charges ?? true) && charge !== 0) ocl.setAtomCharge(atom, charge);
  }
  for (const { a, b, order: o } of bonds) {
    const bond = ocl.addBond(oclIndex[a]!, oclIndex[b]!);
    if (o === 4) ocl.setBondType(bond, OclMolecule.cBondTypeDelocalized);
    else ocl.setBondOrder(bond, o);
  }
  return { ocl, oclIndex };
}

/** An equimol molecule from an OCL molecule (all atoms, explicit hydrogens included, 3D coordinates). */
export function fromOcl(ocl: OclMolecule, title?: string): Molecule {
  ocl.ensureHelperArrays(OclMolecule.cHelperNeighbours);
  const n = ocl.getAllAtoms();
  const elements: string[] = [];
  const positions = new Float64Array(3 * n);
  const formalCharges: number[] = [];
  for (let i = 0; i < n; i++) {
    elements.push(elementSymbol(ocl.getAtomicNo(i)));
    positions[3 * i] = ocl.getAtomX(i);
    positions[3 * i + 1] = ocl.getAtomY(i);
    positions[3 * i + 2] = ocl.getAtomZ(i);
    formalCharges.push(ocl.getAtomCharge(i));
  }
  const bonds: Bond[] = [];
  for (let k = 0; k < ocl.getAllBonds(); k++) {
    const delocalized = ocl.getBondType(k) === OclMolecule.cBondTypeDelocalized;
    const order = delocalized ? 4 : ocl.getBondOrder(k);
    if (order < 1 || order > 4) continue; // metal-ligand or zero-order bonds have no molfile order
    bonds.push({ a: ocl.getBondAtom(0, k), b: ocl.getBondAtom(1, k), order: order as Bond['order'] });
  }
  const mol: Molecule = { elements, positions, bonds, formalCharges };
  if (title !== undefined) mol.title = title;
  return mol;
}

/** An atom whose bonds exceed what OCL allows for its element and charge. */
export interface ValenceViolation {
  /** OCL atom index. */
  atom: number;
  element: string;
  occupied: number;
  max: number;
}

/** Atoms of an OCL molecule whose occupied valence exceeds their maximum valence (hydrogens included). */
export function valenceViolations(ocl: OclMolecule): ValenceViolation[] {
  ocl.ensureHelperArrays(OclMolecule.cHelperNeighbours);
  const out: ValenceViolation[] = [];
  for (let atom = 0; atom < ocl.getAllAtoms(); atom++) {
    const occupied = ocl.getOccupiedValence(atom);
    const max = ocl.getMaxValence(atom);
    if (occupied > max) out.push({ atom, element: elementSymbol(ocl.getAtomicNo(atom)), occupied, max });
  }
  return out;
}

/**
 * Canonical identifier (OCL idcode) of a molecule's constitution, hydrogens implicit and stereo
 * ignored: two molecules are the same compound iff their ids are equal, whatever Kekulé form.
 */
export function canonicalId(ocl: OclMolecule): string {
  const copy = ocl.getCompactCopy();
  copy.removeExplicitHydrogens(false);
  return copy.getCanonizedIDCode(OclMolecule.CANONIZER_NEGLECT_ANY_STEREO_INFORMATION);
}

/** SMILES of a canonical id; the same id always gives the same string. */
export function smilesOfCanonicalId(id: string): string {
  return OclMolecule.fromIDCode(id, false).toIsomericSmiles();
}

/** Canonical id of a SMILES string (see `canonicalId`), or `undefined` if OCL cannot parse it. */
export function canonicalIdOfSmiles(smiles: string): string | undefined {
  try {
    return canonicalId(OclMolecule.fromSmiles(smiles));
  } catch {
    return undefined;
  }
}

/** The constitution of a SMILES string as a molecule (heavy atoms and bonds, no coordinates), e.g. a substructure query. */
export function moleculeOfSmiles(smiles: string): Molecule {
  return fromOcl(OclMolecule.fromSmiles(smiles), smiles);
}
