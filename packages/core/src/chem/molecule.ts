/** A bond between atoms `a` and `b` (0-based). Order 4 means aromatic (as in MDL molfiles). */
export interface Bond {
  a: number;
  b: number;
  order: 1 | 2 | 3 | 4;
}

/**
 * A molecule as equimol passes it around: element symbols and 3D coordinates, optionally bonds,
 * formal charges and named properties (SDF data fields). Positions are flat `[x0, y0, z0, x1, …]`
 * in ångström so that large datasets stay compact.
 */
export interface Molecule {
  /** Record title (first line of an SDF record, comment line of an XYZ frame). */
  title?: string;
  /** Element symbols, e.g. `['C', 'O', 'H']`; never empty strings or unknown symbols. */
  elements: string[];
  /** Flat coordinates, length `3 * elements.length`, in Å. */
  positions: Float64Array;
  /** Bonds, when known (read from a file or perceived from coordinates). */
  bonds?: Bond[];
  /** Formal charge per atom, when known (length `elements.length`). */
  formalCharges?: number[];
  /** Partial charge per atom in e, when known (e.g. QM9's Mulliken charges, the fifth XYZ column). */
  partialCharges?: number[];
  /** Named properties: SDF data fields, QM9 properties, … */
  properties?: Record<string, string>;
}

/** Number of atoms of a molecule. */
export function atomCount(mol: Molecule): number {
  return mol.elements.length;
}

/** Coordinates of atom `i` as a tuple. */
export function atomPosition(mol: Molecule, i: number): [number, number, number] {
  const p = mol.positions;
  return [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!];
}
