// The viewer's only door to core's chemistry: bond perception, the SDF writer, formula and the
// validity/stability metrics. Everything else in the viewer goes through these few functions, so that
// when core's API moves only this file changes.
import { atomicNumber, type Bond, type Molecule } from '@equimol/core';

/**
 * Bonds of one trajectory frame, from core's bond perception (the same rules `equimol eval` uses),
 * so bonds appear in the viewer exactly when core would see them.
 */
export function perceiveFrameBonds(mol: Molecule): Bond[] {
  return provisionalPerceiveBonds(mol);
}

/** The molecule (with its bonds) as an MDL V2000 record, for NGL's SDF parser. */
export function moleculeToSdf(mol: Molecule): string {
  return provisionalWriteSdf(mol);
}

/** What the side panel shows about a molecule. Fields core cannot compute yet are `undefined`. */
export interface MoleculeReport {
  formula: string;
  atoms: number;
  bonds: number;
  smiles?: string;
  /** RDKit-style sanitisation of the largest fragment succeeded. */
  valid?: boolean;
  /** Every atom has an allowed valence (EDM's molecule stability). */
  stable?: boolean;
  /** Atoms with an allowed valence, of all atoms (EDM's atom stability). */
  stableAtoms?: number;
  /** Why some of the fields above are missing. */
  note?: string;
}

/** Formula, SMILES and core's validity/stability flags of a molecule whose bonds are set. */
export function describeMolecule(mol: Molecule): MoleculeReport {
  return {
    formula: hillFormula(mol.elements),
    atoms: mol.elements.length,
    bonds: mol.bonds?.length ?? 0,
    note: 'SMILES, validity and stability need core metrics (not in @equimol/core yet)',
  };
}

/** Hill order: C, then H, then the rest alphabetically; without carbon, all alphabetically. */
export function hillFormula(elements: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const e of elements) counts.set(e, (counts.get(e) ?? 0) + 1);
  const hasCarbon = counts.has('C');
  const order = [...counts.keys()].sort((a, b) => {
    if (hasCarbon) {
      const rank = (s: string) => (s === 'C' ? 0 : s === 'H' ? 1 : 2);
      if (rank(a) !== rank(b)) return rank(a) - rank(b);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return order.map((e) => (counts.get(e) === 1 ? e : `${e}${counts.get(e)}`)).join('');
}

// ---------------------------------------------------------------------------------------------------
// PROVISIONAL until core's chem/ and io/ land them (the chemistry helper is writing perceiveBonds and
// the SDF writer): single bonds by covalent radii, a minimal V2000 writer. Delete when switching.

const COVALENT_RADIUS: Record<number, number> = { 1: 0.31, 5: 0.84, 6: 0.76, 7: 0.71, 8: 0.66, 9: 0.57, 14: 1.11, 15: 1.07, 16: 1.05, 17: 1.02, 35: 1.2, 53: 1.39 };

function provisionalPerceiveBonds(mol: Molecule): Bond[] {
  const n = mol.elements.length;
  const r = mol.elements.map((e) => COVALENT_RADIUS[atomicNumber(e)] ?? 1.5);
  const p = mol.positions;
  const bonds: Bond[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const d = Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
      if (d > 0.4 && d < r[a]! + r[b]! + 0.25) bonds.push({ a, b, order: 1 });
    }
  }
  return bonds;
}

function provisionalWriteSdf(mol: Molecule): string {
  const f = (x: number) => x.toFixed(4).padStart(10);
  const i3 = (x: number) => String(x).padStart(3);
  const bonds = mol.bonds ?? [];
  const lines = [(mol.title ?? '').slice(0, 80), '  equimol viewer', '', `${i3(mol.elements.length)}${i3(bonds.length)}  0  0  0  0  0  0  0  0999 V2000`];
  mol.elements.forEach((e, i) => {
    const p = mol.positions;
    lines.push(`${f(p[3 * i]!)}${f(p[3 * i + 1]!)}${f(p[3 * i + 2]!)} ${e.padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0`);
  });
  for (const b of bonds) lines.push(`${i3(b.a + 1)}${i3(b.b + 1)}${i3(b.order)}  0`);
  lines.push('M  END', '$$$$', '');
  return lines.join('\n');
}
