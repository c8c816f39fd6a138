import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { parseXyz } from '../io/xyz.js';
import { collectDistributions, distributionDistances, totalVariation, wasserstein1 } from './distributions.js';
import { evaluateMolecules } from './evaluate.js';
import { novelty, referenceSetFromSmiles, uniqueness } from './novelty.js';

const cases = parseXyz(readFileSync(fileURLToPath(new URL('../../../../data/fixtures/chem/qm9-test-cases.xyz', import.meta.url)), 'utf8'));

describe('uniqueness and novelty', () => {
  it('follow EDM: distinct/valid, and novel/unique against canonicalised training SMILES', () => {
    expect(uniqueness(['a', 'b', 'a', 'c'])).toBe(0.75);
    expect(uniqueness([])).toBe(0);
    // Kekulé and aromatic spellings of one molecule are one training id.
    const training = referenceSetFromSmiles(['Cc1ccccc1O', 'CC1=CC=CC=C1O', '', 'not a smiles((']);
    expect(training.ids.size).toBe(1);
    expect(training.unparsed).toEqual(['not a smiles((']);
    const report = evaluateMolecules(cases, { trainingIds: referenceSetFromSmiles(['CC=O']).ids });
    expect(report.novelty).toBeCloseTo(3 / 4, 12); // 4 valid, unique; acetaldehyde is known
    expect(novelty([], new Set())).toBe(0);
  });
});

describe('distribution distances', () => {
  it('computes total variation and 1-Wasserstein distances', () => {
    expect(totalVariation(new Map([['C', 3], ['O', 1]]), new Map([['C', 1], ['O', 1]]))).toBeCloseTo(0.25, 12);
    expect(wasserstein1([0, 1], [0, 1])).toBe(0);
    expect(wasserstein1([0, 0], [1, 1])).toBeCloseTo(1, 12);
    expect(wasserstein1([0], [0, 2])).toBeCloseTo(1, 12);
  });

  it('is zero against itself and grows with distorted geometries', () => {
    const reference = collectDistributions(cases);
    expect(reference.bondLengths.get('C=O')!.length).toBeGreaterThan(0);
    expect(reference.ringSizes.get(6)).toBeGreaterThanOrEqual(2);
    const same = distributionDistances(reference, reference);
    expect(same).toMatchObject({ atomTypesTV: 0, bondTypesTV: 0, bondLengthsW1: 0, bondAnglesW1: 0, ringSizesTV: 0, missingTypes: [] });
    const stretched = cases.map((m) => ({ ...m, positions: m.positions.map((v) => v * 1.03) }));
    const d = distributionDistances(collectDistributions(stretched), reference);
    expect(d.bondLengthsW1).toBeGreaterThan(0.01);
    expect(d.atomTypesTV).toBe(0);
  });
});

describe('evaluateMolecules', () => {
  it('reports EDM metrics, invalid reasons and distributions together', () => {
    const report = evaluateMolecules(cases, { reference: collectDistributions(cases) });
    expect(report).toMatchObject({ molecules: 7, hydrogens: 'explicit', moleculeStability: 2 / 7, validity: 4 / 7, uniqueness: 1, validAndUnique: 4 / 7 });
    expect(report.novelty).toBeNull();
    expect(report.uniqueSmiles).toContain('CC=O');
    expect(report.invalidReasons).toEqual({ 'C has valence 5 (max 4)': 1, 'N has valence 4 (max 3)': 2 });
    expect(report.distributions!.bondLengthsW1).toBe(0);
  });

  it('counts molecules in one piece: a cloud of separate atoms is "valid" by its largest fragment, but not connected', () => {
    const acetaldehyde = heavyAtomsOnly(cases[0]!);
    const scattered = { elements: ['O', 'O', 'C'], positions: new Float64Array([0, 0, 0, 10, 0, 0, 0, 10, 0]) };
    const report = evaluateMolecules([acetaldehyde, scattered]);
    expect(report.validity).toBe(1);
    expect(report.connectivity).toBe(0.5);
    expect(report.validAndConnected).toBe(0.5);
  });

  it('switches to implicit hydrogens for heavy-atom-only sets', () => {
    const heavy = cases.map(heavyAtomsOnly);
    const report = evaluateMolecules(heavy);
    expect(report.hydrogens).toBe('implicit');
    // Acetaldehyde's carbons have free valences: stable only when those are implicit hydrogens.
    expect(evaluateMolecules(heavy.slice(0, 1)).moleculeStability).toBe(1);
    expect(evaluateMolecules(heavy.slice(0, 1), { hydrogens: 'explicit' }).moleculeStability).toBe(0);
    expect(report.atomStability).toBeGreaterThan(evaluateMolecules(heavy, { hydrogens: 'explicit' }).atomStability);
  });

  it('judges molecules with hydrogens by their heavy atoms when asked for implicit hydrogens', () => {
    const heavy = cases.map(heavyAtomsOnly);
    const asHeavy = evaluateMolecules(cases, { hydrogens: 'implicit' });
    const reference = evaluateMolecules(heavy);
    expect(asHeavy.hydrogens).toBe('implicit');
    expect(asHeavy.atomStability).toBe(reference.atomStability);
    expect(asHeavy.moleculeStability).toBe(reference.moleculeStability);
    expect(asHeavy.validity).toBe(reference.validity);
    expect(asHeavy.uniqueSmiles).toEqual(reference.uniqueSmiles);
  });
});
