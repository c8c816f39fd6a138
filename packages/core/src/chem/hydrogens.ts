import { ForceFieldMMFF94, Molecule as OclMolecule } from 'openchemlib';
import type { Molecule } from './molecule.js';
import { assignBondOrders } from './bondOrders.js';
import { fromOcl, toOcl } from './openchemlib.js';
import { EquimolError } from '../errors.js';

// Hydrogen completion for heavy-atom generations (EDM's QM9 without H, or any model that emits heavy
// atoms only): hydrogens are added where valences are free, placed by ideal geometry, then relaxed
// with MMFF94 while the generated heavy atoms stay where the model put them.

/** Options of `completeHydrogens`. */
export interface CompleteHydrogensOptions {
  /** Relax the added hydrogens with MMFF94 (default true); off gives the ideal-geometry placement. */
  relax?: boolean;
  /** Force field variant (default `MMFF94`). */
  forceField?: 'MMFF94' | 'MMFF94s' | 'MMFF94s+';
  /** Most minimisation rounds (default 300); see `completeHydrogens`. */
  maxRounds?: number;
}

/** Result of `completeHydrogens`. */
export interface HydrogenCompletion {
  /** The input atoms unchanged (heavy atoms first, in their order), then the added hydrogens. */
  molecule: Molecule;
  addedHydrogens: number;
  /** Whether MMFF94 relaxation ran to convergence. */
  relaxed: boolean;
  /** MMFF94 energy (kcal/mol) of the final structure, when relaxed. */
  energy?: number;
  /** Why relaxation did not run or converge (e.g. atom types MMFF94 does not cover). */
  warning?: string;
}

/** Thrown when openchemlib's force-field resources are missing (call `registerOpenchemlibResources` in Node). */
export class OpenchemlibResourcesError extends EquimolError {
  constructor() {
    super('openchemlib resources are not registered: in Node call registerOpenchemlibResources() from @equimol/core/node; in a browser await Resources.registerFromUrl() from openchemlib');
    this.name = 'OpenchemlibResourcesError';
  }
}

// X–H bond lengths (Å), MMFF94-like equilibrium values; MMFF refines them.
const XH_LENGTH: Readonly<Record<string, number>> = { C: 1.09, N: 1.01, O: 0.96, S: 1.34, P: 1.42, B: 1.19, Si: 1.48 };
/** A round moves hydrogens by less than this (Å): converged. */
const CONVERGED = 0.002;

type Vec = [number, number, number];
const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Vec, b: Vec): Vec => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec, s: number): Vec => [a[0] * s, a[1] * s, a[2] * s];
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: Vec): Vec => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return l === 0 ? [1, 0, 0] : scale(a, 1 / l);
};
/** Any unit vector perpendicular to `a`. */
const perpendicular = (a: Vec): Vec => norm(cross(a, Math.abs(a[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0]));

/**
 * Unit directions for `count` new hydrogens on an atom with existing bond directions `bonds`
 * (unit vectors), for a steric number `steric` (4: sp3, 3: sp2, 2: sp). `reference` (a direction
 * in the plane of a neighbour's substituents) fixes the rotation when only one bond exists.
 */
function hydrogenDirections(bonds: Vec[], count: number, steric: number, reference: Vec | undefined): Vec[] {
  if (count === 0) return [];
  if (bonds.length === 0) {
    const tetra: Vec[] = [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]].map((v) => norm(v as Vec));
    const linear: Vec[] = [[1, 0, 0], [-1, 0, 0]];
    const trigonal: Vec[] = [[1, 0, 0], [-0.5, Math.sqrt(3) / 2, 0], [-0.5, -Math.sqrt(3) / 2, 0]];
    return (steric === 2 ? linear : steric === 3 ? trigonal : tetra).slice(0, count);
  }
  const opposite = norm(scale(bonds.reduce(add, [0, 0, 0] as Vec), -1));
  if (bonds.length === 1) {
    const u = bonds[0]!;
    if (steric === 2) return [scale(u, -1)];
    // Cone of half-angle (180° − bond angle) around −u; azimuth fixed by the reference direction.
    const angle = steric === 3 ? (120 * Math.PI) / 180 : (109.47 * Math.PI) / 180;
    const ref = reference ? norm(sub(reference, scale(u, reference[0] * u[0] + reference[1] * u[1] + reference[2] * u[2]))) : perpendicular(u);
    const ortho = cross(u, ref);
    const out: Vec[] = [];
    const slots = steric === 3 ? 2 : 3;
    for (let k = 0; k < count; k++) {
      const phi = (2 * Math.PI * k) / slots + (steric === 3 ? 0 : Math.PI / 3);
      const side = add(scale(ref, Math.cos(phi)), scale(ortho, Math.sin(phi)));
      out.push(norm(add(scale(u, Math.cos(angle)), scale(side, Math.sin(angle)))));
    }
    return out;
  }
  if (bonds.length === 2 && steric === 4) {
    // Tetrahedral pair in the plane perpendicular to the two bonds' plane.
    const n = norm(cross(bonds[0]!, bonds[1]!));
    const half = (109.47 / 2) * (Math.PI / 180);
    const dirs = [norm(add(scale(opposite, Math.cos(half)), scale(n, Math.sin(half)))), norm(add(scale(opposite, Math.cos(half)), scale(n, -Math.sin(half))))];
    return dirs.slice(0, count);
  }
  return [opposite].slice(0, count);
}

function position(ocl: OclMolecule, atom: number): Vec {
  return [ocl.getAtomX(atom), ocl.getAtomY(atom), ocl.getAtomZ(atom)];
}

/** Steric number guess from the atom's bonds: triple or two doubles → sp, one double/aromatic → sp2, else sp3. */
function stericNumber(ocl: OclMolecule, atom: number): number {
  let doubles = 0;
  let triples = 0;
  for (let k = 0; k < ocl.getAllConnAtoms(atom); k++) {
    const order = ocl.getConnBondOrder(atom, k);
    if (order === 3) triples++;
    if (order === 2) doubles++;
  }
  if (triples > 0 || doubles > 1) return 2;
  if (doubles === 1 || ocl.isAromaticAtom(atom)) return 3;
  // Amide/aniline-type N and O next to a π system stay sp3 here; MMFF flattens them if it should.
  return 4;
}

/**
 * Adds explicit hydrogens to a heavy-atom molecule so that every atom reaches its valence, with 3D
 * coordinates, and relaxes only the hydrogens with openchemlib's MMFF94 (heavy atoms fixed), so the
 * result is ready for docking. Bonds and charges come from `mol` when present, else from
 * `assignBondOrders`. OCL's JavaScript force field has no fixed-atom option, so each round is one
 * minimiser step of all atoms after which the heavy atoms are put back (a projected gradient
 * descent on the hydrogens); rounds repeat until hydrogens stop moving.
 */
export function completeHydrogens(mol: Molecule, options: CompleteHydrogensOptions = {}): HydrogenCompletion {
  const prepared = mol.bonds ? mol : assignBondOrders(mol, { hydrogens: 'implicit' }).molecule;
  const { ocl } = toOcl(prepared);
  ocl.ensureHelperArrays(OclMolecule.cHelperRings);
  const heavy = ocl.getAllAtoms();
  const anchors = new Map<number, Vec>();
  for (let atom = 0; atom < heavy; atom++) anchors.set(atom, position(ocl, atom));
  const plan: { atom: number; dirs: Vec[] }[] = [];
  for (let atom = 0; atom < heavy; atom++) {
    const count = ocl.getImplicitHydrogens(atom);
    if (count === 0) continue;
    const here = position(ocl, atom);
    const bonds: Vec[] = [];
    let reference: Vec | undefined;
    for (let k = 0; k < ocl.getAllConnAtoms(atom); k++) {
      const other = ocl.getConnAtom(atom, k);
      bonds.push(norm(sub(position(ocl, other), here)));
      // A substituent of the neighbour sets the azimuth: keeps =CH2 in plane and -CH3 staggered.
      for (let m = 0; m < ocl.getAllConnAtoms(other) && !reference; m++) {
        const second = ocl.getConnAtom(other, m);
        if (second !== atom) reference = sub(position(ocl, second), position(ocl, other));
      }
    }
    const steric = Math.max(stericNumber(ocl, atom), bonds.length + count > 4 ? 4 : 0);
    plan.push({ atom, dirs: hydrogenDirections(bonds, count, steric, reference) });
  }
  let added = 0;
  for (const { atom, dirs } of plan) {
    const length = XH_LENGTH[ocl.getAtomLabel(atom)] ?? 1.0;
    const here = position(ocl, atom);
    for (const d of dirs) {
      const h = ocl.addAtom(1);
      const p = add(here, scale(d, length));
      ocl.setAtomX(h, p[0]);
      ocl.setAtomY(h, p[1]);
      ocl.setAtomZ(h, p[2]);
      ocl.addBond(atom, h);
      added++;
    }
  }
  const result: HydrogenCompletion = { molecule: mol, addedHydrogens: added, relaxed: false };
  if (options.relax ?? true) relaxHydrogens(ocl, anchors, options, result);
  const completed = fromOcl(ocl, mol.title);
  completed.properties = { ...prepared.properties };
  result.molecule = completed;
  return result;
}

function relaxHydrogens(ocl: OclMolecule, anchors: Map<number, Vec>, options: CompleteHydrogensOptions, result: HydrogenCompletion): void {
  const table = options.forceField ?? 'MMFF94';
  const rounds = options.maxRounds ?? 300;
  const total = ocl.getAllAtoms();
  const snapshot = () => [...Array(total).keys()].map((a) => position(ocl, a));
  try {
    const forceField = new ForceFieldMMFF94(ocl, table);
    if (!Number.isFinite(forceField.getTotalEnergy())) {
      // openchemlib's MMFF94 has no finite energy for some groups (e.g. linear C≡X): nothing to relax.
      result.warning = 'MMFF94 gives no finite energy for this molecule; hydrogens kept at their ideal-geometry positions';
      return;
    }
    for (let round = 0; round < rounds; round++) {
      const before = snapshot();
      // OCL copies the minimised coordinates into the molecule only when `minimise` reports
      // convergence, so unfinished minimisations are lost: an unbounded gradient tolerance makes it
      // accept (and write back) every single step. Each call starts from the molecule's coordinates.
      forceField.minimise({ maxIts: 1, gradTol: Infinity });
      for (const [atom, p] of anchors) {
        ocl.setAtomX(atom, p[0]);
        ocl.setAtomY(atom, p[1]);
        ocl.setAtomZ(atom, p[2]);
      }
      const moved = Math.max(0, ...snapshot().map((p, a) => (anchors.has(a) ? 0 : Math.hypot(...sub(p, before[a]!)))));
      if (moved < CONVERGED) {
        result.relaxed = true;
        break;
      }
    }
    result.energy = new ForceFieldMMFF94(ocl, table).getTotalEnergy();
    if (!result.relaxed) result.warning = `hydrogens still moving after ${rounds} MMFF94 rounds`;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes('resources must be registered')) throw new OpenchemlibResourcesError();
    result.warning = `MMFF94 relaxation failed: ${message}`;
  }
}
