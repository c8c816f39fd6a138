import { assignBondOrders } from '../chem/bondOrders.js';
import { checkGeneratedGraph } from '../chem/generatedGraph.js';
import { completeHydrogens } from '../chem/hydrogens.js';
import type { Molecule } from '../chem/molecule.js';
import { smilesOfCanonicalId } from '../chem/openchemlib.js';
import { checkStability } from '../metrics/stability.js';
import { checkValidity } from '../metrics/validity.js';

// What a generated point cloud needs before it is written out: EDM's verdicts (stability, validity,
// SMILES of the largest fragment, the numbers `equimol eval` reports) and one consistent Lewis
// structure to export (Kekulé bonds, formal charges). Invalid molecules are kept and flagged,
// never dropped. The sampler itself only knows elements and coordinates.

/** Options of `finishGeneratedMolecule`. */
export interface FinishOptions {
  /**
   * Adds explicit hydrogens with 3D coordinates (`completeHydrogens`: MMFF94 with the generated
   * atoms fixed) to valid heavy-atom molecules. Needs openchemlib's resources registered
   * (`registerOpenchemlibResources` in Node). Molecules that already have hydrogens are left as they are.
   */
  addHydrogens?: boolean;
}

/** A generated molecule ready for export, with EDM's verdicts. */
export interface FinishedMolecule {
  /** Bonds and formal charges assigned; data fields SMILES, valid, stable, then the sampler's (model, seed, index). */
  molecule: Molecule;
  /** EDM validity (largest fragment passes the valence check). */
  valid: boolean;
  /** EDM molecule stability (every atom at an allowed valence; implicit H for heavy-atom molecules). */
  stable: boolean;
  /** All atoms in one piece by EDM's bond rule (validity judges only the largest fragment). */
  connected: boolean;
  /** Canonical id of the largest fragment when valid (for uniqueness). */
  id?: string;
  /** When valid: SMILES of the exported structure (EDM's largest fragment where the export does not resolve). */
  smiles?: string;
  /** Why the molecule is invalid or its structure is questionable, for a chemist. */
  issue?: string;
}

/** Whether a sampled chain ended at finite coordinates (a diverged one has no molecule to finish). */
export function hasFiniteCoordinates(mol: Molecule): boolean {
  return mol.positions.every(Number.isFinite);
}

/** `finishGeneratedMolecule`, except that a diverged chain is judged invalid, unstable and apart, unchanged. */
export function finishSampledMolecule(generated: Molecule, options: FinishOptions = {}): FinishedMolecule {
  return hasFiniteCoordinates(generated) ? finishGeneratedMolecule(generated, options) : { valid: false, stable: false, connected: false, molecule: generated };
}

/**
 * Bonds, charges and EDM's verdicts for one generated molecule (as `sampleMolecules` returns it).
 * Stability and validity are judged on the generated atoms (hydrogens implicit for heavy-atom
 * models, as in EDM's QM9-without-H analysis), before any hydrogens are added for export.
 */
export function finishGeneratedMolecule(generated: Molecule, options: FinishOptions = {}): FinishedMolecule {
  if (generated.bonds) return finishGeneratedGraph(generated, options);
  const heavyOnly = !generated.elements.includes('H');
  const stable = checkStability(generated, { implicitHydrogens: heavyOnly }).stable;
  const validity = checkValidity(generated);
  const structure = assignBondOrders(generated);
  let molecule: Molecule = { ...structure.molecule };
  let hydrogenWarning: string | undefined;
  // A structure whose bond orders do not resolve has no well-defined free valences: no hydrogens.
  if (heavyOnly && options.addHydrogens && structure.valid) {
    const completion = completeHydrogens(molecule);
    molecule = completion.molecule;
    hydrogenWarning = completion.warning;
  }
  // The SMILES a chemist reads should say what the SDF's bonds say: the exported structure's (EDM's
  // distance rule reads aromatic rings of drug-like molecules as saturated). EDM's reading stays
  // where the export does not resolve; either way only for EDM-valid molecules, as before.
  const exportedSmiles = structure.valid ? structure.molecule.properties?.SMILES : undefined;
  const smiles = validity.valid && validity.id !== undefined ? (exportedSmiles ?? smilesOfCanonicalId(validity.id)) : undefined;
  // EDM's validity judges the bonds of its distance rule; the exported Kekulé structure may still
  // resolve (and get hydrogens), so the issue says which judgement failed.
  const connected = validity.fragments === 1;
  const issues = [
    connected ? undefined : `${validity.fragments} separate fragments (SMILES and validity are the largest one's)`,
    validity.reason !== undefined ? `EDM validity: ${validity.reason}` : undefined,
    structure.issue !== undefined ? `bond orders: ${structure.issue}` : undefined,
    hydrogenWarning !== undefined ? `hydrogens: ${hydrogenWarning}` : undefined,
  ].filter((x): x is string => x !== undefined);
  const issue = issues.length > 0 ? issues.join('; ') : undefined;
  const properties: Record<string, string> = {};
  if (smiles !== undefined) properties.SMILES = smiles;
  properties.valid = String(validity.valid);
  properties.stable = String(stable);
  for (const [k, v] of Object.entries(generated.properties ?? {})) properties[k] = v;
  if (issue !== undefined) properties.issue = issue;
  molecule.properties = properties;
  const out: FinishedMolecule = { molecule, valid: validity.valid, stable, connected };
  if (validity.valid && validity.id !== undefined) out.id = validity.id;
  if (smiles !== undefined) out.smiles = smiles;
  if (issue !== undefined) out.issue = issue;
  return out;
}

/**
 * A bond model's molecule: its generated bonds and formal charges are the export, checked
 * (`checkGeneratedGraph`) and never re-perceived; hydrogens are added to that graph. `valid`,
 * `connected` and the SMILES judge the generated graph; EDM's distance-based verdicts are kept beside
 * them as data fields (`edm_valid`, `stable`) for comparison with atom-only models.
 */
function finishGeneratedGraph(generated: Molecule, options: FinishOptions): FinishedMolecule {
  const heavyOnly = !generated.elements.includes('H');
  const stable = checkStability(generated, { implicitHydrogens: heavyOnly }).stable;
  const edm = checkValidity(generated);
  const graph = checkGeneratedGraph(generated);
  let molecule: Molecule = { ...generated, bonds: generated.bonds!.map((b) => ({ ...b })), formalCharges: [...(generated.formalCharges ?? generated.elements.map(() => 0))] };
  let hydrogenWarning: string | undefined;
  if (heavyOnly && options.addHydrogens && graph.valid) {
    const completion = completeHydrogens(molecule);
    molecule = completion.molecule;
    hydrogenWarning = completion.warning;
  }
  const issues = [
    graph.connected ? undefined : 'generated bonds leave separate fragments',
    graph.issue !== undefined ? `generated bonds: ${graph.issue}` : undefined,
    hydrogenWarning !== undefined ? `hydrogens: ${hydrogenWarning}` : undefined,
  ].filter((x): x is string => x !== undefined);
  const issue = issues.length > 0 ? issues.join('; ') : undefined;
  const properties: Record<string, string> = {};
  if (graph.smiles !== undefined) properties.SMILES = graph.smiles;
  properties.valid = String(graph.valid);
  properties.stable = String(stable);
  properties.edm_valid = String(edm.valid);
  properties.bonds = 'generated';
  for (const [k, v] of Object.entries(generated.properties ?? {})) properties[k] = v;
  if (issue !== undefined) properties.issue = issue;
  molecule.properties = properties;
  const out: FinishedMolecule = { molecule, valid: graph.valid, stable, connected: graph.connected };
  if (graph.id !== undefined) out.id = graph.id;
  if (graph.smiles !== undefined) out.smiles = graph.smiles;
  if (issue !== undefined) out.issue = issue;
  return out;
}

/** Counts behind `equimol sample`'s summary line: EDM validity, uniqueness among valid, stability. */
export interface FinishedSummary {
  count: number;
  valid: number;
  stable: number;
  /** Molecules in one piece. */
  connected: number;
  /** Valid molecules in one piece. */
  validAndConnected: number;
  /** Distinct canonical ids among the valid molecules. */
  unique: number;
}

/** Summary counts of finished molecules. */
export function summarizeFinished(finished: Iterable<Pick<FinishedMolecule, 'valid' | 'stable' | 'connected' | 'id'>>): FinishedSummary {
  let count = 0;
  let valid = 0;
  let stable = 0;
  let connected = 0;
  let validAndConnected = 0;
  const ids = new Set<string>();
  for (const f of finished) {
    count++;
    if (f.valid) valid++;
    if (f.stable) stable++;
    if (f.connected) connected++;
    if (f.valid && f.connected) validAndConnected++;
    if (f.valid && f.id !== undefined) ids.add(f.id);
  }
  return { count, valid, stable, connected, validAndConnected, unique: ids.size };
}

/** Fractions of a bond model's samples, and the name of the judge (`rule`). */
export type GeneratedGraphQuality = {
  molecules: number;
  rule: 'generated graph';
  validity: number;
  connectivity: number;
  validAndConnected: number;
  uniqueness: number;
  edmValidity: number;
  moleculeStability: number;
};

/**
 * A bond model's samples judged as `equimol sample` judges them (`finishGeneratedMolecule`: the
 * generated bonds and charges checked, never re-perceived), with EDM's distance-rule validity and
 * molecule stability beside them for comparison with atom-only models.
 */
export function generatedGraphQuality(molecules: readonly Molecule[]): GeneratedGraphQuality {
  // A diverged chain counts as invalid, as `sample` counts it.
  const finished = molecules.map((m) => finishSampledMolecule(m));
  const s = summarizeFinished(finished);
  const fraction = (k: number, of: number): number => (of === 0 ? 0 : k / of);
  return {
    molecules: s.count,
    rule: 'generated graph',
    validity: fraction(s.valid, s.count),
    connectivity: fraction(s.connected, s.count),
    validAndConnected: fraction(s.validAndConnected, s.count),
    uniqueness: fraction(s.unique, s.valid),
    edmValidity: fraction(finished.filter((f) => f.molecule.properties?.edm_valid === 'true').length, s.count),
    moleculeStability: fraction(s.stable, s.count),
  };
}
