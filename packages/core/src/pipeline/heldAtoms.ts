import type { Bond, Molecule } from '../chem/molecule.js';
import type { AtomEncoding } from '../data/atomEncoding.js';
import type { HeldAtoms } from '../diffusion/inpainting.js';

/** Atoms to hold taken from molecules, and how many hydrogens were left out. */
export interface HeldAtomSelection {
  held: HeldAtoms;
  /** Hydrogens dropped because the model generates heavy atoms only (they are re-added at export). */
  droppedHydrogens: number;
}

/**
 * The atoms to hold from one or more molecules (e.g. a scaffold, or two fragments to link), their
 * atoms numbered in order across the molecules. `selection` (0-based, in range) picks some of them;
 * all by default. For a heavy-atom model (no H in its vocabulary) hydrogens are dropped.
 */
export function heldAtomsFromMolecules(molecules: readonly Molecule[], encoding: AtomEncoding, selection?: readonly number[]): HeldAtomSelection {
  const elements = molecules.flatMap((m) => m.elements);
  const positions = molecules.flatMap((m) => Array.from(m.positions));
  const picked = selection ?? elements.map((_, i) => i);
  const heavyOnly = !encoding.elements.includes('H');
  const kept = picked.filter((i) => !(heavyOnly && elements[i] === 'H'));
  const held: HeldAtoms = { elements: kept.map((i) => elements[i]!), positions: Float64Array.from(kept.flatMap((i) => positions.slice(3 * i, 3 * i + 3))) };
  // A bond model keeps the held atoms' bonds and charges, when every input molecule has bonds.
  if (encoding.bonds && molecules.every((m) => m.bonds)) {
    const newIndex = new Map(kept.map((i, k) => [i, k]));
    const bonds: Bond[] = [];
    let offset = 0;
    for (const m of molecules) {
      for (const { a, b, order } of m.bonds!) {
        const [ka, kb] = [newIndex.get(a + offset), newIndex.get(b + offset)];
        if (ka !== undefined && kb !== undefined) bonds.push({ a: ka, b: kb, order });
      }
      offset += m.elements.length;
    }
    const charges = molecules.flatMap((m) => m.formalCharges ?? new Array<number>(m.elements.length).fill(0));
    held.bonds = bonds;
    held.formalCharges = kept.map((i) => charges[i]!);
  }
  return { held, droppedHydrogens: picked.length - kept.length };
}

/**
 * The `held_atoms` data field: the held atoms' 1-based numbers (from 0-based indices), runs written
 * as ranges: "1-6", "2-7,9". A generated molecule's held atoms come first, so its field is "1-k";
 * `eval --scaffold` reads it back (parseHeldAtomsField).
 */
export function heldAtomsField(atoms: readonly number[]): string {
  const sorted = [...new Set(atoms)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j === i ? `${sorted[i]! + 1}` : `${sorted[i]! + 1}-${sorted[j]! + 1}`);
    i = j + 1;
  }
  return runs.join(',');
}
