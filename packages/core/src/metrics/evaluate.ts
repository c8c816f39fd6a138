import type { Molecule } from '../chem/molecule.js';
import { smilesOfCanonicalId } from '../chem/openchemlib.js';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { collectDistributions, distributionDistances, type DistributionDistances, type MoleculeDistributions } from './distributions.js';
import { novelty, uniqueness } from './novelty.js';
import { checkStability } from './stability.js';
import { checkValidity } from './validity.js';

/** Options of `evaluateMolecules`. */
export interface EvaluationOptions {
  /**
   * `explicit`: molecules carry their hydrogens (EDM's QM9 with H); `implicit`: heavy atoms only,
   * free valences are hydrogens, and hydrogens in the input are dropped first (the heavy-atom view of
   * a heavy-atom model's exported molecules); `auto` (default): implicit iff no molecule has a hydrogen atom.
   */
  hydrogens?: 'explicit' | 'implicit' | 'auto';
  /** Canonical ids of the training molecules (`referenceSetFromSmiles(...).ids`) for novelty. */
  trainingIds?: ReadonlySet<string>;
  /**
   * Statistics of reference molecules for distribution distances: `collectDistributions` of
   * `evaluationView(reference, report.hydrogens)`, so that both sides count the same atoms.
   */
  reference?: MoleculeDistributions;
}

/**
 * The molecules as the metrics see them under a hydrogen mode (see `EvaluationOptions.hydrogens`):
 * in the implicit view hydrogens are dropped.
 */
export function evaluationView(molecules: readonly Molecule[], hydrogens: EvaluationOptions['hydrogens'] = 'auto'): { hydrogens: 'explicit' | 'implicit'; molecules: readonly Molecule[] } {
  const implicit = hydrogens === 'implicit' || (hydrogens === 'auto' && !molecules.some((m) => m.elements.includes('H')));
  return { hydrogens: implicit ? 'implicit' : 'explicit', molecules: implicit ? molecules.map((m) => (m.elements.includes('H') ? heavyAtomsOnly(m) : m)) : molecules };
}

/** Everything equimol measures about a set of generated molecules; fractions are 0..1. */
export interface EvaluationReport {
  molecules: number;
  hydrogens: 'explicit' | 'implicit';
  /** EDM atom stability: stable atoms / all atoms. */
  atomStability: number;
  /** EDM molecule stability: molecules whose atoms are all stable / all molecules. */
  moleculeStability: number;
  /** EDM validity: valid molecules / all molecules (EDM judges the largest fragment only). */
  validity: number;
  /**
   * Molecules whose perceived bonds connect all atoms / all molecules. Not one of EDM's metrics, but
   * needed beside validity: a cloud of separate atoms has a valid largest fragment (one atom).
   */
  connectivity: number;
  /** Valid molecules that are also in one piece / all molecules. */
  validAndConnected: number;
  /** EDM uniqueness: distinct valid molecules / valid molecules. */
  uniqueness: number;
  /** EDM novelty: unique valid molecules not in the training set / unique valid molecules (null without training ids). */
  novelty: number | null;
  /** Validity × uniqueness = distinct valid molecules / all molecules. */
  validAndUnique: number;
  /** Canonical SMILES of the distinct valid molecules (largest fragments), in first-seen order. */
  uniqueSmiles: string[];
  /** Why molecules were invalid: reason with atom numbers removed → count. */
  invalidReasons: Record<string, number>;
  /** Distances to the reference distributions, when `reference` was given. */
  distributions: DistributionDistances | null;
}

/** Evaluates generated molecules with EDM's metrics (stability, validity, uniqueness, novelty) and distribution distances. */
export function evaluateMolecules(molecules: readonly Molecule[], options: EvaluationOptions = {}): EvaluationReport {
  const view = evaluationView(molecules, options.hydrogens);
  const implicit = view.hydrogens === 'implicit';
  molecules = view.molecules;
  let stableAtoms = 0;
  let atoms = 0;
  let stableMolecules = 0;
  const validIds: string[] = [];
  let connected = 0;
  let validConnected = 0;
  const invalidReasons: Record<string, number> = {};
  for (const mol of molecules) {
    const s = checkStability(mol, { implicitHydrogens: implicit });
    stableAtoms += s.stableAtoms;
    atoms += s.atoms;
    if (s.stable) stableMolecules++;
    const v = checkValidity(mol);
    if (v.fragments === 1) connected++;
    if (v.valid && v.fragments === 1) validConnected++;
    if (v.valid) validIds.push(v.id!);
    else {
      const key = (v.reason ?? 'invalid').replace(/([A-Z][a-z]?)\d+/g, '$1').replace(/ \(and \d+ more atoms\)/, '');
      invalidReasons[key] = (invalidReasons[key] ?? 0) + 1;
    }
  }
  const n = molecules.length;
  const unique = [...new Set(validIds)];
  const validityFraction = n === 0 ? 0 : validIds.length / n;
  const uniquenessFraction = uniqueness(validIds);
  return {
    molecules: n,
    hydrogens: implicit ? 'implicit' : 'explicit',
    atomStability: atoms === 0 ? 0 : stableAtoms / atoms,
    moleculeStability: n === 0 ? 0 : stableMolecules / n,
    validity: validityFraction,
    connectivity: n === 0 ? 0 : connected / n,
    validAndConnected: n === 0 ? 0 : validConnected / n,
    uniqueness: uniquenessFraction,
    novelty: options.trainingIds ? novelty(unique, options.trainingIds) : null,
    validAndUnique: validityFraction * uniquenessFraction,
    uniqueSmiles: unique.map(smilesOfCanonicalId),
    invalidReasons,
    distributions: options.reference ? distributionDistances(collectDistributions(molecules), options.reference) : null,
  };
}
