// The viewer's only door to core's chemistry: bond perception, the SDF writer, formula and the
// validity/stability metrics. Everything else in the viewer goes through these few functions, so that
// when core's API moves only this file changes.
import {
  checkGeneratedGraph,
  checkStability,
  checkValidity,
  finishGeneratedMolecule,
  formatMolfile,
  perceiveBonds,
  pieceCount,
  smilesOfCanonicalId,
  writeSdf,
  type Bond,
  type Molecule,
} from '@equimol/core';

/**
 * Bonds of one trajectory frame, from core's bond perception (the same rules `equimol eval` uses),
 * so bonds appear in the viewer exactly when core would see them.
 */
export function perceiveFrameBonds(mol: Molecule): Bond[] {
  return perceiveBonds(mol);
}

/** The molecule (with its bonds) as an MDL molfile record, for NGL's SDF parser. */
export function moleculeToSdf(mol: Molecule): string {
  return formatMolfile(mol, { program: 'equimol' }) + '$$$$\n';
}

/** Molecules (with their bonds and data fields) as an SD file, core's writer. */
export function moleculesToSdf(molecules: Iterable<Molecule>): string {
  return writeSdf(molecules, { program: 'equimol' });
}

/**
 * A bond model's final molecule as `equimol sample` exports it (core's `finishGeneratedMolecule`):
 * the generated bonds and charges, with the data fields SMILES, valid, stable, edm_valid and
 * `bonds: generated`. No hydrogens are added in the page (that needs MMFF94's tables).
 */
export function exportGeneratedMolecule(mol: Molecule): Molecule {
  return finishGeneratedMolecule(mol).molecule;
}

/** What the side panel shows about a molecule. */
export interface MoleculeReport {
  formula: string;
  atoms: number;
  bonds: number;
  /** SMILES of the largest fragment, for a valid molecule. */
  smiles?: string;
  /** No atom exceeds its allowed valence (EDM's validity, RDKit sanitisation in the paper). */
  valid: boolean;
  /** Every atom has an allowed valence (EDM's molecule stability). */
  stable: boolean;
  /** Atoms with an allowed valence (EDM's atom stability counts these). */
  stableAtoms: number;
  /** Why the molecule is invalid, in a chemist's words (e.g. `N3 has valence 4 (max 3)`). */
  invalidReason?: string;
  /** Disconnected fragments (SMILES is of the largest; of the whole graph for generated bonds). */
  fragments: number;
  /** Judged on bonds a model generated (not perceived). */
  generated: boolean;
}

/**
 * Formula, SMILES and core's validity/stability flags of a molecule whose bonds are set: EDM's
 * molecule stability (`checkStability`) and validity (`checkValidity`, openchemlib in RDKit's role);
 * the SMILES is that of the largest fragment of a valid molecule, as EDM reports it. With `generated`
 * (a bond model's own bonds and charges), validity and SMILES are those of the generated graph
 * (`checkGeneratedGraph`, as `equimol sample` judges it).
 */
export function describeMolecule(mol: Molecule, options: { generated?: boolean } = {}): MoleculeReport {
  const bonds = mol.bonds ?? perceiveBonds(mol);
  // A file without any hydrogen is heavy-atom only: its free valences are implicit hydrogens.
  const stability = checkStability(mol, { implicitHydrogens: !mol.elements.includes('H') });
  if (options.generated) {
    const graph = checkGeneratedGraph({ ...mol, bonds });
    const report: MoleculeReport = {
      formula: hillFormula(mol.elements),
      atoms: mol.elements.length,
      bonds: bonds.length,
      valid: graph.valid,
      stable: stability.stable,
      stableAtoms: stability.stableAtoms,
      fragments: pieceCount(mol.elements.length, bonds.map(({ a, b }) => [a, b] as const)),
      generated: true,
    };
    if (graph.smiles !== undefined) report.smiles = graph.smiles;
    if (graph.issue !== undefined) report.invalidReason = graph.issue;
    return report;
  }
  const validity = checkValidity(mol, { bonds });
  const report: MoleculeReport = {
    formula: hillFormula(mol.elements),
    atoms: mol.elements.length,
    bonds: bonds.length,
    valid: validity.valid,
    stable: stability.stable,
    stableAtoms: stability.stableAtoms,
    fragments: validity.fragments,
    generated: false,
  };
  if (validity.valid && validity.id) report.smiles = smilesOfCanonicalId(validity.id);
  if (validity.reason !== undefined) report.invalidReason = validity.reason;
  return report;
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
