import { pieceCount } from './graph.js';
import type { Molecule } from './molecule.js';
import { canonicalId, smilesOfCanonicalId, toOcl, valenceViolations } from './openchemlib.js';

// A model that generates bonds hands over its own Lewis structure: bond orders and formal charges
// decoded from its output. That graph is what gets exported; it is checked here, never re-perceived
// from coordinates (which would throw away what the model generated and bring back perception errors).

/** Verdict on a generated bond graph. */
export interface GeneratedGraphCheck {
  /** No atom above its maximum valence (formal charges included; hydrogens implicit for heavy-atom graphs). */
  valid: boolean;
  /** All atoms in one piece by the generated bonds. */
  connected: boolean;
  /** Canonical id of the whole graph (OCL idcode, no stereo), when valid. */
  id?: string;
  /** SMILES of the whole graph, when valid. */
  smiles?: string;
  /** Why not valid, for a chemist. */
  issue?: string;
}

/** Checks a molecule's own bonds and charges (as a bond model generated them). */
export function checkGeneratedGraph(mol: Molecule): GeneratedGraphCheck {
  const bonds = mol.bonds ?? [];
  const connected = pieceCount(mol.elements.length, bonds.map(({ a, b }) => [a, b] as const)) === 1;
  const { ocl } = toOcl(mol, { coordinates: false });
  const violations = valenceViolations(ocl);
  if (violations.length > 0) {
    return { valid: false, connected, issue: violations.map((v) => `${v.element}${v.atom + 1} has valence ${v.occupied} (max ${v.max})`).join('; ') };
  }
  const id = canonicalId(ocl);
  return { valid: true, connected, id, smiles: smilesOfCanonicalId(id) };
}
