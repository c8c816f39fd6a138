import type { Molecule } from '../chem/molecule.js';
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
  return {
    held: { elements: kept.map((i) => elements[i]!), positions: Float64Array.from(kept.flatMap((i) => positions.slice(3 * i, 3 * i + 3))) },
    droppedHydrogens: picked.length - kept.length,
  };
}

/**
 * The `held_atoms` data field of a generated molecule whose first `count` atoms are held (they come
 * first): their 1-based numbers, "1-6" (or "1"), as `eval --scaffold` reads it back.
 */
export function heldAtomsField(count: number): string {
  return count === 1 ? '1' : `1-${count}`;
}
