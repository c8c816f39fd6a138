import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { smilesOfCanonicalId } from '../chem/openchemlib.js';
import { parseXyz } from '../io/xyz.js';
import { evaluateMolecules } from './evaluate.js';
import { checkStability } from './stability.js';
import { checkValidity } from './validity.js';

const cases = parseXyz(readFileSync(fileURLToPath(new URL('../../../../data/fixtures/chem/qm9-test-cases.xyz', import.meta.url)), 'utf8'));
const byId = (id: number): Molecule => cases.find((m) => m.title!.startsWith(`QM9 ${id} `))!;

function heavyAtoms(mol: Molecule): Molecule {
  const keep = mol.elements.map((e, i) => (e === 'H' ? -1 : i)).filter((i) => i >= 0);
  return { elements: keep.map((i) => mol.elements[i]!), positions: Float64Array.from(keep.flatMap((i) => [0, 1, 2].map((d) => mol.positions[3 * i + d]!))) };
}

// Expected verdicts: EDM's analysis (bond tables + RDKit) on these QM9 DFT geometries.
const EXPECTED: [id: number, stable: boolean, valid: boolean, smiles?: string][] = [
  [11, true, true, 'CC=O'],
  [165, true, true],
  [4565, false, true],
  [217, false, false],
  [115, false, false],
  [21968, false, true],
  [13833, false, false],
];

describe('EDM stability and validity on QM9 test molecules', () => {
  it.each(EXPECTED)('QM9 %i: stable %s, valid %s', (id, stable, valid, smiles) => {
    const mol = byId(id);
    expect(checkStability(mol).stable).toBe(stable);
    const v = checkValidity(mol);
    expect(v.valid).toBe(valid);
    if (smiles) expect(smilesOfCanonicalId(v.id!)).toBe(smiles);
  });

  it('explains why a molecule is invalid', () => {
    expect(checkValidity(byId(115)).reason).toMatch(/^C\d+ has valence 5 \(max 4\)/);
    expect(checkValidity(byId(13833)).reason).toMatch(/^N\d+ has valence 4 \(max 3\)$/);
  });

  it('reads the nitro group as charge-separated, like RDKit sanitisation', () => {
    const v = checkValidity(byId(21968));
    expect(smilesOfCanonicalId(v.id!)).toContain('[N+]');
    expect(smilesOfCanonicalId(v.id!)).toContain('[O-]');
  });

  it('pools atom stability over molecules and counts stable molecules', () => {
    const stable = cases.reduce((s, m) => s + checkStability(m).stableAtoms, 0);
    const atoms = cases.reduce((s, m) => s + m.elements.length, 0);
    const report = evaluateMolecules(cases);
    expect(report.atomStability).toBeCloseTo(stable / atoms, 12);
    expect(report.moleculeStability).toBeCloseTo(2 / 7, 12);
    expect(report.validity).toBeCloseTo(4 / 7, 12);
    expect(evaluateMolecules([]).atomStability).toBe(0);
  });

  it('judges heavy-atom-only molecules with implicit hydrogens', () => {
    const acetaldehyde = heavyAtoms(byId(11));
    expect(checkStability(acetaldehyde).stable).toBe(false);
    expect(checkStability(acetaldehyde, { implicitHydrogens: true }).stable).toBe(true);
    expect(checkValidity(acetaldehyde).valid).toBe(true);
    expect(smilesOfCanonicalId(checkValidity(acetaldehyde).id!)).toBe('CC=O');
  });

  it('identifies the largest fragment', () => {
    const a = byId(11);
    const b = byId(165);
    const offset = Float64Array.from(b.positions, (v, i) => (i % 3 === 0 ? v + 20 : v));
    const both: Molecule = { elements: [...a.elements, ...b.elements], positions: Float64Array.from([...a.positions, ...offset]) };
    const v = checkValidity(both);
    expect(v.fragments).toBe(2);
    expect(v.id).toBe(checkValidity(b).id);
  });
});
