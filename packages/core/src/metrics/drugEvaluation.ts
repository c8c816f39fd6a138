import { completeHydrogens } from '../chem/hydrogens.js';
import type { Molecule } from '../chem/molecule.js';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import type { RdkitModule } from '../chem/rdkit.js';
import { wasserstein1 } from './distributions.js';
import { DRUG_DESCRIPTORS, type DrugDescriptor, drugDescriptors } from './drugLikeness.js';
import { checkGeometry, type GeometryCheck } from './geometryChecks.js';
import { judgeLewisStructure, lewisStructure } from './lewisStructure.js';
import { novelty, uniqueness } from './novelty.js';
import { checkValidity } from './validity.js';

// How drug-discovery users judge generated molecules: is the exported Lewis structure a proper
// molecule, is it new, do its descriptors look like the reference set's, is its 3D geometry
// plausible. EDM's distance rule is reported beside it, for comparison with the literature.

/** Descriptor values of the valid molecules of a set, one array per descriptor. */
export type DescriptorSamples = Record<DrugDescriptor, number[]>;

/** Options of `evaluateDrugLikeMolecules`. */
export interface DrugEvaluationOptions {
  /** Canonical ids of the training molecules (`referenceSetFromSmiles`) for novelty. */
  trainingIds?: ReadonlySet<string>;
  /** Descriptors of a reference set (`collectDrugDescriptors`) for Wasserstein-1 distances. */
  reference?: DescriptorSamples;
  /** Run the geometry checks (default true; they take ~0.15 s per molecule for the MMFF94 relaxation). */
  geometry?: boolean;
}

/** Mean of one descriptor and, with a reference, the reference's mean and the Wasserstein-1 distance. */
export interface DescriptorSummary {
  mean: number;
  referenceMean: number | null;
  w1: number | null;
}

/** Share of checked molecules passing each geometry check, and MMFF94 figures. */
export interface GeometrySummary {
  /** Valid molecules checked. */
  checked: number;
  bondLengths: number;
  bondAngles: number;
  noClashes: number;
  aromaticRingsFlat: number;
  /** Local MMFF94 relaxation drops at most `STRAIN_PER_ATOM_TOLERANCE` kcal/mol per atom. */
  lowStrain: number;
  /** Passing every check. */
  passesAll: number;
  /** Median MMFF94 energy per atom (kcal/mol) after hydrogen completion, over molecules MMFF94 covers. */
  medianEnergyPerAtom: number | null;
  /** Median energy drop (kcal/mol) of the local relaxation. */
  medianStrain: number | null;
}

/** The drug-discovery report; fractions are 0..1 of all molecules unless said otherwise. */
export interface DrugEvaluationReport {
  molecules: number;
  /** Exported Lewis structure is a proper molecule (`judgeLewisStructure`). */
  validity: number;
  /** In one piece (bonds of the exported structure). */
  connectivity: number;
  validAndConnected: number;
  /** Distinct valid molecules / valid molecules (no stereo). */
  uniqueness: number;
  /** Distinct valid molecules not in the training set / distinct valid molecules (null without training ids). */
  novelty: number | null;
  /** EDM's rule on the heavy atoms (bonds from distances, implicit H), for comparison with the literature. */
  edmValidity: number;
  edmValidAndConnected: number;
  /** Descriptor means over valid molecules, with distances to the reference. */
  descriptors: Record<DrugDescriptor, DescriptorSummary>;
  /** Null when the geometry checks were not run. */
  geometry: GeometrySummary | null;
  /** Why exported structures were invalid → count (atom numbers removed). */
  invalidReasons: Record<string, number>;
}

function emptySamples(): DescriptorSamples {
  return Object.fromEntries(DRUG_DESCRIPTORS.map((d) => [d, []])) as unknown as DescriptorSamples;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Descriptors of the valid molecules of a set (e.g. the reference for `--reference`). */
export function collectDrugDescriptors(rdkit: RdkitModule, molecules: Iterable<Molecule>): DescriptorSamples {
  const samples = emptySamples();
  for (const mol of molecules) {
    const { heavy } = judgeLewisStructure(rdkit, lewisStructure(mol));
    if (!heavy) continue;
    const d = drugDescriptors(rdkit, heavy);
    heavy.delete();
    for (const key of DRUG_DESCRIPTORS) samples[key].push(d[key]);
  }
  return samples;
}

/**
 * Evaluates molecules as drug-discovery users do (see `DrugEvaluationReport`); also returns the
 * descriptor values of the valid molecules (for histograms) and each molecule's geometry check.
 * The geometry checks need openchemlib's resources registered (MMFF94).
 */
export function evaluateDrugLikeMolecules(
  rdkit: RdkitModule,
  molecules: readonly Molecule[],
  options: DrugEvaluationOptions = {},
): { report: DrugEvaluationReport; samples: DescriptorSamples; geometry: (GeometryCheck | null)[] } {
  const samples = emptySamples();
  const validIds: string[] = [];
  const invalidReasons: Record<string, number> = {};
  const checks: (GeometryCheck | null)[] = [];
  let valid = 0;
  let connected = 0;
  let validConnected = 0;
  let edmValid = 0;
  let edmValidConnected = 0;
  for (const mol of molecules) {
    const edm = checkValidity(heavyAtomsOnly(mol));
    if (edm.valid) edmValid++;
    if (edm.valid && edm.fragments === 1) edmValidConnected++;
    const structure = lewisStructure(mol);
    const { verdict, heavy } = judgeLewisStructure(rdkit, structure);
    if (verdict.connected) connected++;
    let check: GeometryCheck | null = null;
    if (heavy) {
      valid++;
      if (verdict.connected) validConnected++;
      validIds.push(verdict.id!);
      const d = drugDescriptors(rdkit, heavy);
      heavy.delete();
      for (const key of DRUG_DESCRIPTORS) samples[key].push(d[key]);
      if (options.geometry ?? true) {
        // Energies need hydrogens: a heavy-atom structure gets them as `sample` would add them.
        const withH = structure.elements.includes('H') ? structure : completeHydrogens(structure).molecule;
        check = checkGeometry(withH);
      }
    } else {
      const key = (verdict.reason ?? 'invalid').replace(/([A-Z][a-z]?)\d+/g, '$1');
      invalidReasons[key] = (invalidReasons[key] ?? 0) + 1;
    }
    checks.push(check);
  }
  const n = molecules.length;
  const frac = (k: number) => (n === 0 ? 0 : k / n);
  const descriptors = Object.fromEntries(
    DRUG_DESCRIPTORS.map((key) => {
      const ref = options.reference?.[key];
      return [key, { mean: mean(samples[key]), referenceMean: ref ? mean(ref) : null, w1: ref ? wasserstein1(samples[key], ref) : null }];
    }),
  ) as Record<DrugDescriptor, DescriptorSummary>;
  return { report: {
    molecules: n,
    validity: frac(valid),
    connectivity: frac(connected),
    validAndConnected: frac(validConnected),
    uniqueness: uniqueness(validIds),
    novelty: options.trainingIds ? novelty(validIds, options.trainingIds) : null,
    edmValidity: frac(edmValid),
    edmValidAndConnected: frac(edmValidConnected),
    descriptors,
    geometry: options.geometry ?? true ? summarizeGeometry(checks) : null,
    invalidReasons,
  }, samples, geometry: checks };
}

function summarizeGeometry(checks: readonly (GeometryCheck | null)[]): GeometrySummary {
  const done = checks.filter((c): c is GeometryCheck => c !== null);
  const share = (pick: (c: GeometryCheck) => boolean) => (done.length === 0 ? 0 : done.filter(pick).length / done.length);
  return {
    checked: done.length,
    bondLengths: share((c) => c.bondLengthsOk),
    bondAngles: share((c) => c.bondAnglesOk),
    noClashes: share((c) => c.noClashes),
    aromaticRingsFlat: share((c) => c.aromaticRingsFlat),
    lowStrain: share((c) => c.strainOk),
    passesAll: share((c) => c.passes),
    medianEnergyPerAtom: median(done.flatMap((c) => (c.energyPerAtom === null ? [] : [c.energyPerAtom]))),
    medianStrain: median(done.flatMap((c) => (c.strain === null ? [] : [c.strain]))),
  };
}
