// Holding atoms for constrained generation (inpainting), the page-free part: which atoms of the
// opened molecule the user holds, which atoms a screen-space box catches, the connected piece an atom
// belongs to, and the `fixed` request core's sampler takes. The checks are core's (heldAtoms.ts,
// inpainting.ts, sampleMolecules.ts); this module only names the atoms as the user sees them.
import {
  atomCountWeights,
  checkHeldAtoms,
  elementIndex,
  EquimolError,
  isEquimolError,
  heldAtomsFromMolecules,
  type AtomEncoding,
  type Bond,
  type HeldAtoms,
  type Molecule,
} from '@equimol/core';

/** The atoms of one molecule that the user holds (0-based indices), changed by clicks, boxes and fragments. */
export class HeldSelection {
  private readonly held = new Set<number>();

  constructor(readonly atomCount: number) {}

  /** Held atom indices, ascending (the order they keep in the generated molecules). */
  get atoms(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  get size(): number {
    return this.held.size;
  }

  has(atom: number): boolean {
    return this.held.has(atom);
  }

  /** Holds an atom that is free, releases one that is held (a click). */
  toggle(atom: number): void {
    this.check(atom);
    if (!this.held.delete(atom)) this.held.add(atom);
  }

  /** Holds these atoms too (a box, a fragment); those already held stay held. */
  add(atoms: Iterable<number>): void {
    for (const a of atoms) {
      this.check(a);
      this.held.add(a);
    }
  }

  /** Holds every atom. */
  all(): void {
    for (let a = 0; a < this.atomCount; a++) this.held.add(a);
  }

  /** Releases every atom. */
  clear(): void {
    this.held.clear();
  }

  private check(atom: number): void {
    if (!Number.isInteger(atom) || atom < 0 || atom >= this.atomCount) throw new RangeError(`atom ${atom} is not one of the molecule's ${this.atomCount} atoms`);
  }
}

/** A point on the screen (CSS pixels, y down). */
export interface ScreenPoint {
  x: number;
  y: number;
}

/** The atoms whose screen positions lie in the box spanned by two corners (in either order), edges included. */
export function atomsInBox(points: readonly ScreenPoint[], a: ScreenPoint, b: ScreenPoint): number[] {
  const [x0, x1] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
  const [y0, y1] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
  return points.flatMap((p, i) => (p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1 ? [i] : []));
}

/** The atoms connected to `atom` through bonds (its fragment, itself included), ascending. */
export function fragmentOf(atomCount: number, bonds: readonly Bond[], atom: number): number[] {
  const neighbours: number[][] = Array.from({ length: atomCount }, () => []);
  for (const b of bonds) {
    neighbours[b.a]!.push(b.b);
    neighbours[b.b]!.push(b.a);
  }
  const seen = new Set([atom]);
  const queue = [atom];
  while (queue.length > 0) {
    for (const n of neighbours[queue.pop()!]!) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return [...seen].sort((x, y) => x - y);
}

/** What the viewer needs to know of the served model to check a selection (from its model.json). */
export interface HoldModel {
  name: string;
  encoding: AtomEncoding;
  atomCountHistogram: number[];
}

/** A selection that cannot be held with this model: one line for the status bar. */
export class HeldSelectionError extends EquimolError {
  constructor(message: string) {
    super(message, { kind: 'usage' });
    this.name = 'HeldSelectionError';
  }
}

/** What Generate sends to core's sampler for the held atoms, and what to tell the user. */
export interface HoldRequest {
  /** The held atoms, in the order of the molecule (core's `fixed`). */
  fixed: HeldAtoms;
  /** The molecule's 0-based atom indices that are held (hydrogens dropped). */
  atoms: number[];
  /** Total atoms per molecule (held + added), or undefined to draw sizes from the model's histogram. */
  atomCount: number | undefined;
  /** RePaint resampling jumps. */
  resample: number;
  /** A notice for the status line (hydrogens left out), if any. */
  notice: string | undefined;
}

/**
 * The `fixed` request for holding `selection` (0-based indices) of `molecule` with `model`, adding
 * `add` atoms (undefined: molecule sizes from the model's histogram, larger than the held part).
 * Hydrogens are dropped for a heavy-atom model, with a notice; an empty selection, an element outside
 * the vocabulary, atoms closer than 0.7 Å, no 3D coordinates (all zero) or a held part as large as the
 * model's molecules throw a `HeldSelectionError` naming the atoms by their 1-based numbers in the file.
 */
export function holdRequest(molecule: Molecule, selection: readonly number[], model: HoldModel, options: { add: number | undefined; resample: number }): HoldRequest {
  if (selection.length === 0) throw new HeldSelectionError('no atoms held: click atoms, shift-drag a box or double-click a fragment to hold them');
  if (options.add !== undefined && !(Number.isInteger(options.add) && options.add >= 1)) throw new HeldSelectionError(`atoms to add must be a whole number ≥ 1, got ${options.add}`);
  if (!(Number.isInteger(options.resample) && options.resample >= 1)) throw new HeldSelectionError(`resampling jumps must be a whole number ≥ 1, got ${options.resample}`);
  const encoding = model.encoding;
  const { held, droppedHydrogens } = heldAtomsFromMolecules([molecule], encoding, selection);
  const heavyOnly = !encoding.elements.includes('H');
  const atoms = selection.filter((i) => !(heavyOnly && molecule.elements[i] === 'H'));
  if (atoms.length === 0) throw new HeldSelectionError(`nothing to hold: only hydrogens are held, and ${model.name} generates heavy atoms only`);
  const numbers = atoms.map((i) => i + 1);
  try {
    // Each element is checked under the atom's number in the file, before core's check of the whole.
    atoms.forEach((i) => elementIndex(encoding, molecule.elements[i]!, `atom ${i + 1}`));
    checkHeldAtoms(held, encoding, undefined, numbers);
  } catch (e) {
    if (isEquimolError(e)) throw new HeldSelectionError(e.message);
    throw e;
  }
  const atomCount = options.add === undefined ? undefined : atoms.length + options.add;
  try {
    atomCountWeights({ meta: model }, { fixed: held, ...(atomCount !== undefined ? { atoms: atomCount } : {}) });
  } catch (e) {
    // Core words the way out for the command line (--atoms); here it is the "add" field.
    if (isEquimolError(e)) throw new HeldSelectionError(e.message.replace(/; use --atoms.*$/, '; set how many atoms to add'));
    throw e;
  }
  const notice = droppedHydrogens > 0 ? `${droppedHydrogens} hydrogen(s) not held: ${model.name} generates heavy atoms only` : undefined;
  return { fixed: held, atoms, atomCount, resample: options.resample, notice };
}
