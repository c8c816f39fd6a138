import { ForceFieldMMFF94, Molecule as OclMolecule } from 'openchemlib';
import { typicalBondLength } from '../chem/bondLengths.js';
import type { Molecule } from '../chem/molecule.js';
import { toOcl } from '../chem/openchemlib.js';
import { atomDistance, bondAngle } from '../geometry/internalCoordinates.js';
import { maxPlaneDeviation } from '../geometry/planarity.js';

// Geometry checks in the spirit of PoseBusters (Buttenschoen, Morris & Deane, Chem. Sci. 2024): is
// a 3D structure physically plausible for its Lewis structure? Bond lengths and angles near
// reference values, no atoms pressed together, flat aromatic rings, and a modest MMFF94 strain.
// Tolerances follow PoseBusters' where it has one (25 % on distances, 0.25 Å ring planarity).

/** Relative tolerance on bond lengths (PoseBusters: 25 % beyond its distance bounds). */
export const BOND_LENGTH_TOLERANCE = 0.25;
/** Degrees an angle may differ from its ideal value (VSEPR by the centre's bonds). */
export const BOND_ANGLE_TOLERANCE = 25;
/** Atoms more than three bonds apart clash when closer than this fraction of their van der Waals radii. */
export const CLASH_FRACTION = 0.7;
/** Largest distance (Å) of an aromatic ring atom from the ring plane (PoseBusters: 0.25 Å). */
export const AROMATIC_PLANARITY_TOLERANCE = 0.25;
/** Largest MMFF94 energy drop (kcal/mol per atom) of a local relaxation for a structure to count as unstrained. */
export const STRAIN_PER_ATOM_TOLERANCE = 1;

// Bondi van der Waals radii (Å), J. Phys. Chem. 68, 441 (1964).
const VDW_RADIUS: Readonly<Record<string, number>> = { H: 1.2, C: 1.7, N: 1.55, O: 1.52, F: 1.47, P: 1.8, S: 1.8, Cl: 1.75, Br: 1.85, I: 1.98 };

/** Results of the geometry checks of one molecule. */
export interface GeometryCheck {
  bondLengthsOk: boolean;
  bondAnglesOk: boolean;
  noClashes: boolean;
  aromaticRingsFlat: boolean;
  /** MMFF94 energy (kcal/mol) per atom; null when MMFF94 has no parameters for the molecule. */
  energyPerAtom: number | null;
  /** Energy drop (kcal/mol) of a local MMFF94 relaxation; null without MMFF94 energy. */
  strain: number | null;
  /** Strain at most `STRAIN_PER_ATOM_TOLERANCE` per atom (false without MMFF94 energy). */
  strainOk: boolean;
  /** Every check passed. */
  passes: boolean;
}

/** Reference length (Å) of a bond: EDM's tables; an aromatic bond is halfway between single and double. */
function referenceLength(a: string, b: string, order: 1 | 2 | 3 | 4): number | undefined {
  if (order !== 4) return (typicalBondLength(a, b, order) ?? NaN) / 100 || undefined;
  const single = typicalBondLength(a, b, 1);
  const double = typicalBondLength(a, b, 2);
  return single !== undefined && double !== undefined ? (single + double) / 200 : undefined;
}

/**
 * PoseBusters-style checks of a molecule with bonds (a Lewis structure, ideally with hydrogens).
 * Needs openchemlib's resources registered for the MMFF94 terms.
 */
export function checkGeometry(mol: Molecule): GeometryCheck {
  const p = mol.positions;
  const n = mol.elements.length;
  const bonds = mol.bonds ?? [];
  const neighbours: number[][] = mol.elements.map(() => []);
  const maxOrder = new Array<number>(n).fill(1);
  const doubles = new Array<number>(n).fill(0);
  let bondLengthsOk = true;
  for (const { a, b, order } of bonds) {
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
    maxOrder[a] = Math.max(maxOrder[a]!, order);
    maxOrder[b] = Math.max(maxOrder[b]!, order);
    if (order === 2) {
      doubles[a]!++;
      doubles[b]!++;
    }
    const ref = referenceLength(mol.elements[a]!, mol.elements[b]!, order);
    if (ref !== undefined && Math.abs(atomDistance(p, a, b) / ref - 1) > BOND_LENGTH_TOLERANCE) bondLengthsOk = false;
  }
  const { ocl, oclIndex } = toOcl(mol);
  ocl.ensureHelperArrays(OclMolecule.cHelperRings);
  const ourIndex = new Map(oclIndex.map((o, i) => [o, i]));
  const rings = ocl.getRingSet();
  const inSmallRing = new Set<number>();
  // Angles inside 5-membered rings are set by the ring (C–S–C of a thiophene is 92°), not by VSEPR.
  const fiveRingAngles = new Set<string>();
  let aromaticRingsFlat = true;
  for (let r = 0; r < rings.getSize(); r++) {
    const atoms = rings.getRingAtoms(r).map((o) => ourIndex.get(o)!);
    if (rings.getRingSize(r) <= 4) atoms.forEach((i) => inSmallRing.add(i));
    if (rings.getRingSize(r) === 5) atoms.forEach((c, k) => fiveRingAngles.add(angleKey(atoms[(k + 4) % 5]!, c, atoms[(k + 1) % 5]!)));
    if (rings.isAromatic(r) && maxPlaneDeviation(p, atoms) > AROMATIC_PLANARITY_TOLERANCE) aromaticRingsFlat = false;
  }
  let bondAnglesOk = true;
  for (let c = 0; c < n && bondAnglesOk; c++) {
    const list = neighbours[c]!;
    if (list.length < 2 || inSmallRing.has(c)) continue;
    // VSEPR by the centre's bonds: sp (a triple or two doubles), sp2 (a double or aromatic), else sp3,
    // except that a centre with three or more neighbours and a double bond stays trigonal.
    const aromatic = ocl.isAromaticAtom(oclIndex[c]!);
    const ideal = maxOrder[c] === 3 || doubles[c]! >= 2 ? (list.length > 2 ? 109.5 : 180) : maxOrder[c] === 2 || aromatic ? 120 : 109.5;
    const flexible = ideal === 109.5 && (mol.elements[c] === 'N' || mol.elements[c] === 'O'); // amide / aniline N, ester O: 109.5–120°
    for (let i = 0; i < list.length && bondAnglesOk; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if (fiveRingAngles.has(angleKey(list[i]!, c, list[j]!))) continue;
        const theta = bondAngle(p, list[i]!, c, list[j]!);
        const off = flexible ? Math.max(0, Math.min(Math.abs(theta - 109.5), Math.abs(theta - 120))) : Math.abs(theta - ideal);
        if (off > BOND_ANGLE_TOLERANCE) {
          bondAnglesOk = false;
          break;
        }
      }
    }
  }
  const noClashes = !hasClash(mol, neighbours);
  const { energyPerAtom, strain } = mmffStrain(ocl, n);
  const strainOk = strain !== null && strain / n <= STRAIN_PER_ATOM_TOLERANCE;
  return {
    bondLengthsOk,
    bondAnglesOk,
    noClashes,
    aromaticRingsFlat,
    energyPerAtom,
    strain,
    strainOk,
    passes: bondLengthsOk && bondAnglesOk && noClashes && aromaticRingsFlat && strainOk,
  };
}

function angleKey(a: number, c: number, b: number): string {
  return a < b ? `${a}-${c}-${b}` : `${b}-${c}-${a}`;
}

/** Polar hydrogens (on N, O, S) and acceptors (N, O, F) may approach closely: a hydrogen bond is no clash. */
function hydrogenBond(mol: Molecule, neighbours: number[][], s: number, t: number): boolean {
  const polarH = (h: number) => mol.elements[h] === 'H' && neighbours[h]!.some((x) => ['N', 'O', 'S'].includes(mol.elements[x]!));
  const acceptor = (x: number) => ['N', 'O', 'F'].includes(mol.elements[x]!);
  return (polarH(s) && acceptor(t)) || (polarH(t) && acceptor(s));
}

/** Whether two atoms more than three bonds apart are closer than `CLASH_FRACTION` of their vdW radii. */
function hasClash(mol: Molecule, neighbours: number[][]): boolean {
  const n = mol.elements.length;
  for (let s = 0; s < n; s++) {
    // Breadth-first search up to three bonds: those pairs are held by bonds, angles and torsions.
    const near = new Set<number>([s]);
    let frontier = [s];
    for (let depth = 0; depth < 3; depth++) {
      const next: number[] = [];
      for (const a of frontier) for (const b of neighbours[a]!) if (!near.has(b)) (near.add(b), next.push(b));
      frontier = next;
    }
    for (let t = s + 1; t < n; t++) {
      if (near.has(t) || hydrogenBond(mol, neighbours, s, t)) continue;
      const limit = CLASH_FRACTION * ((VDW_RADIUS[mol.elements[s]!] ?? 1.8) + (VDW_RADIUS[mol.elements[t]!] ?? 1.8));
      if (atomDistance(mol.positions, s, t) < limit) return true;
    }
  }
  return false;
}

/** MMFF94 energy per atom and the energy drop of a local relaxation (at most 500 steps). */
function mmffStrain(ocl: OclMolecule, atoms: number): { energyPerAtom: number | null; strain: number | null } {
  try {
    const forceField = new ForceFieldMMFF94(ocl, 'MMFF94');
    const before = forceField.getTotalEnergy();
    if (!Number.isFinite(before)) return { energyPerAtom: null, strain: null };
    forceField.minimise({ maxIts: 500 });
    const after = forceField.getTotalEnergy();
    return { energyPerAtom: before / atoms, strain: Number.isFinite(after) ? Math.max(0, before - after) : null };
  } catch (e) {
    if (e instanceof Error && e.message.includes('resources must be registered')) throw e;
    return { energyPerAtom: null, strain: null }; // atom types MMFF94 does not cover
  }
}
