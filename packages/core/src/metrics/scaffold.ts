import type { Molecule } from '../chem/molecule.js';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { bondDistance, heavyAtomPieces, substructureMatches } from '../chem/substructure.js';
import { evaluateMolecules, type EvaluationOptions, type EvaluationReport } from './evaluate.js';
import { checkValidity } from './validity.js';

/**
 * How well generated molecules kept a held scaffold (constrained generation): whether they contain
 * it as a substructure, how far the held atoms moved, and, for a scaffold of two pieces (fragments
 * to link), whether both are joined into one molecule and by how many atoms. Hydrogens of the
 * scaffold are ignored, as heavy-atom models do not hold them.
 */
export interface ScaffoldReport {
  /** EDM's metrics of the same molecules (validity, connectivity, uniqueness, …). */
  metrics: EvaluationReport;
  /** Heavy atoms of the scaffold. */
  scaffoldAtoms: number;
  /** Connected pieces of the scaffold: 1 for a scaffold, 2 for two fragments to link. */
  pieces: number;
  /** Share of molecules that contain the whole scaffold (every piece, on distinct atoms). */
  containsScaffold: number;
  /** Share that are valid, in one piece and contain the scaffold: the goal of constrained generation. */
  validConnectedWithScaffold: number;
  /** Largest distance (Å) of a held atom from its scaffold position, over all compared molecules; null if none. */
  heldMaxDeviation: number | null;
  /** Molecules whose held atoms could be compared (by their `held_atoms` field or a substructure match). */
  heldCompared: number;
  /** For two pieces: molecules that contain both and join them / all molecules, and the linkers' lengths in atoms. */
  linker: { joined: number; lengths: Record<number, number> } | null;
}

/** The 1-based atom numbers of a `held_atoms` data field ("1-6", "1-6,9") as 0-based indices. */
export function parseHeldAtomsField(value: string): number[] {
  return value.split(',').flatMap((part) => {
    const [lo, hi = lo] = part.split('-').map((s) => Number(s.trim()));
    return Array.from({ length: Math.max(0, hi! - lo! + 1) }, (_, i) => lo! - 1 + i);
  });
}

/** Largest distance between atom `atoms[j]` of `mol` and atom j of `scaffold`. */
function maxDeviation(mol: Molecule, atoms: readonly number[], scaffold: Molecule): number {
  return Math.max(
    ...atoms.map((a, j) => Math.hypot(...[0, 1, 2].map((d) => mol.positions[3 * a + d]! - scaffold.positions[3 * j + d]!))),
  );
}

/** Evaluates molecules generated around `scaffold` (see `ScaffoldReport`). */
export function evaluateScaffold(molecules: readonly Molecule[], scaffold: Molecule, options: Pick<EvaluationOptions, 'hydrogens'> = {}): ScaffoldReport {
  const metrics = evaluateMolecules(molecules, options);
  const core = scaffold.elements.includes('H') ? heavyAtomsOnly(scaffold) : scaffold;
  const pieces = heavyAtomPieces(core);
  let contains = 0;
  let goal = 0;
  let compared = 0;
  let deviation: number | null = null;
  let joined = 0;
  const lengths: Record<number, number> = {};
  for (const original of molecules) {
    const mol = original.elements.includes('H') ? heavyAtomsOnly(original) : original;
    const matches = substructureMatches(mol, core);
    const held = original.properties?.held_atoms !== undefined ? parseHeldAtomsField(original.properties.held_atoms) : undefined;
    // The held atoms compared one to one when the molecule says which they are; otherwise the closest match.
    const d = held && held.length === core.elements.length ? maxDeviation(mol, held, core) : matches.length > 0 ? Math.min(...matches.map((m) => maxDeviation(mol, m, core))) : undefined;
    if (d !== undefined) {
      compared++;
      deviation = Math.max(deviation ?? 0, d);
    }
    if (matches.length === 0) continue;
    contains++;
    const v = checkValidity(mol);
    if (v.valid && v.fragments === 1) goal++;
    if (pieces.length === 2) {
      const match = matches[0]!;
      const [a, b] = pieces.map((p) => p.map((i) => match[i]!));
      const bonds = bondDistance(mol, a!, b!);
      if (Number.isFinite(bonds)) {
        joined++;
        lengths[bonds - 1] = (lengths[bonds - 1] ?? 0) + 1;
      }
    }
  }
  const n = molecules.length;
  return {
    metrics,
    scaffoldAtoms: core.elements.length,
    pieces: pieces.length,
    containsScaffold: n === 0 ? 0 : contains / n,
    validConnectedWithScaffold: n === 0 ? 0 : goal / n,
    heldMaxDeviation: deviation,
    heldCompared: compared,
    linker: pieces.length === 2 ? { joined: n === 0 ? 0 : joined / n, lengths } : null,
  };
}
