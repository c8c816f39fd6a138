// Drug-like molecules end to end (issue #21): a ZINC fixture covering C N O F S Cl Br I P goes
// through `data build` → `train` (a few steps, tiny model) → `sample` → SDF → `eval --drug`, and
// `data build` names the file and record of an element outside the vocabulary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { equimol, FIXTURES, scratch, sdfRecords } from './cli-run.js';

const ZINC = join(FIXTURES, 'chem/zinc-drug-sample.sdf');
const VOCABULARY = 'C,N,O,F,S,Cl,Br,I,P';
const { dir, remove } = scratch('drug');
afterAll(remove);

interface DrugReport {
  molecules: number;
  validity: number;
  validAndConnected: number;
  uniqueness: number;
  novelty: number | null;
  edmValidity: number;
  descriptors: Record<string, { mean: number; referenceMean: number | null; w1: number | null }>;
  geometry: { checked: number; passesAll: number } | null;
}

describe('drug-like molecules: build → train → sample → eval', () => {
  it('builds a dataset with the drug vocabulary, and names file and record of an element outside it', () => {
    const r = equimol(['data', 'build', ZINC, '-o', 'zinc.eqd', '--elements', VOCABULARY], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/6 molecules, elements C N O F S Cl Br I P, up to 25 atoms/);
    const without = equimol(['data', 'build', ZINC, '-o', 'no-iodine.eqd', '--elements', 'C,N,O,F,S,Cl,Br,P'], dir);
    expect(without.status).toBe(1);
    expect(without.stderr.trim()).toBe('equimol: zinc-drug-sample.sdf, record 2: element I is not in the vocabulary [C, N, O, F, S, Cl, Br, P]');
    const skipped = equimol(['data', 'build', ZINC, '-o', 'no-iodine.eqd', '--elements', 'C,N,O,F,S,Cl,Br,P', '--skip-invalid'], dir);
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toMatch(/skipped 1 unusable molecule\(s\); first: zinc-drug-sample.sdf, record 2: element I/);
    expect(skipped.stderr).toMatch(/5 molecules/);
  });

  it('trains a tiny model for a few steps and samples SDF from it', () => {
    const train = equimol(['train', '--data', 'zinc.eqd', '--out', 'run', '--steps', '3', '--hidden', '16', '--layers', '2', '--batch-size', '3', '--validation-fraction', '0', '--name', 'tiny-drugs'], dir);
    expect(train.stderr).toMatch(/stopped at step 3/);
    expect(train.status).toBe(0);
    const sample = equimol(['sample', '-m', 'run/model', '-n', '3', '--steps', '5', '--seed', '1', '-o', 'drugs.sdf'], dir);
    expect(sample.status).toBe(0);
    const records = sdfRecords(readFileSync(join(dir, 'drugs.sdf'), 'utf8'));
    expect(records).toHaveLength(3);
    expect(records.map((x) => x.fields.model)).toEqual(['tiny-drugs', 'tiny-drugs', 'tiny-drugs']);
  });

  it('evaluates the samples with the drug-discovery report, histograms included', () => {
    const r = equimol(['eval', 'drugs.sdf', '--drug', '--reference', ZINC, '--plots', 'plots', '--json'], dir);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as DrugReport;
    expect(report.molecules).toBe(3);
    for (const key of ['validity', 'validAndConnected', 'edmValidity'] as const) {
      expect(report[key]).toBeGreaterThanOrEqual(0);
      expect(report[key]).toBeLessThanOrEqual(1);
    }
    expect(report.descriptors.qed!.referenceMean).toBeGreaterThan(0.4);
    const png = readFileSync(join(dir, 'plots/qed.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('gives the real molecules a perfect Lewis-structure validity and passing geometry, as a table', () => {
    const json = equimol(['eval', ZINC, '--drug', '--json'], dir);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as DrugReport;
    expect(report).toMatchObject({ molecules: 6, validity: 1, validAndConnected: 1, uniqueness: 1, novelty: null });
    expect(report.geometry).toMatchObject({ checked: 6, passesAll: 1 });
    const table = equimol(['eval', ZINC, '--drug', '--no-geometry', '--reference', ZINC], dir);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/validity \(exported Lewis structure, RDKit\)\s+100\.0%/);
    expect(table.stdout).toMatch(/QED\s+0\.\d{3}\s+0\.\d{3}\s+0\.000/);
    expect(table.stdout).not.toMatch(/geometry checks/);
  });

  it('refuses --plots without --drug', () => {
    const r = equimol(['eval', ZINC, '--plots', 'plots'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--plots needs --drug/);
  });
});
