// `equimol eval`: EDM's metrics of a molecule file as a table or JSON, novelty against training
// SMILES, and errors for missing or malformed files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { equimol, FIXTURES, scratch } from './cli-run.js';

const QM9 = join(FIXTURES, 'chem/qm9-train-sample.sdf');
const { dir, remove } = scratch('eval');
afterAll(remove);

interface Report {
  file: string;
  molecules: number;
  hydrogens: string;
  atomStability: number;
  moleculeStability: number;
  validity: number;
  uniqueness: number;
  novelty: number | null;
  uniqueSmiles: string[];
  invalidReasons: Record<string, number>;
  distributions: Record<string, unknown> | null;
}

describe('equimol eval', () => {
  it('prints the metrics as a table', () => {
    const r = equimol(['eval', QM9], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('6 molecules (hydrogens explicit)');
    for (const row of ['atom stability', 'molecule stability', 'validity', 'uniqueness (of valid)', 'valid and unique', 'novelty (of unique)']) {
      expect(r.stdout).toMatch(new RegExp(`${row.replace(/[()]/g, '\\$&')}\\s+(\\d+\\.\\d%|n/a)`));
    }
    expect(r.stdout).toContain('why molecules are invalid');
  });

  it('prints the full report as JSON, with novelty against --train-smiles', () => {
    const plain = JSON.parse(equimol(['eval', QM9, '--json'], dir).stdout) as Report;
    expect(plain.molecules).toBe(6);
    expect(plain.novelty).toBeNull();
    expect(plain.validity).toBeCloseTo(5 / 6, 6);
    // Two of the five distinct valid molecules are "in the training set": novelty 3/5.
    writeFileSync(join(dir, 'train.smi'), `${plain.uniqueSmiles[0]} first\n${plain.uniqueSmiles[1]}\nnot-a-smiles\n`);
    const r = equimol(['eval', QM9, '--json', '--train-smiles', 'train.smi'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/1 SMILES could not be read/);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.uniqueSmiles).toHaveLength(5);
    expect(report.novelty).toBeCloseTo(3 / 5, 6);
  });

  it('reads --train-smiles as `data conformers` reads SMILES files: # comments and a smiles header are no SMILES', () => {
    const plain = JSON.parse(equimol(['eval', QM9, '--json'], dir).stdout) as Report;
    writeFileSync(join(dir, 'commented.smi'), `# training set\nsmiles name\n\n${plain.uniqueSmiles[0]} first\n${plain.uniqueSmiles[1]}\n`);
    const r = equimol(['eval', QM9, '--json', '--train-smiles', 'commented.smi'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/could not be read/);
    expect((JSON.parse(r.stdout) as Report).novelty).toBeCloseTo(3 / 5, 6);
  });

  it('measures distribution distances against --reference', () => {
    const r = equimol(['eval', QM9, '--reference', QM9, '--json'], dir);
    expect(r.status).toBe(0);
    const d = (JSON.parse(r.stdout) as Report).distributions!;
    expect(d.atomTypesTV).toBe(0);
    expect(d.bondLengthsW1).toBe(0);
    // In the heavy-atom view the reference loses its hydrogens too, so the same file is still at distance 0.
    const heavy = equimol(['eval', QM9, '--hydrogens', 'implicit', '--reference', QM9, '--json'], dir);
    expect(heavy.status).toBe(0);
    const h = (JSON.parse(heavy.stdout) as Report).distributions!;
    expect(h.atomTypesTV).toBe(0);
    expect(h.bondTypesTV).toBe(0);
  });

  it.each(['edm.json', 'edm.json.gz'])('evaluates heavy-atom files with implicit hydrogens, and reads its own JSON output (%s)', (name) => {
    expect(equimol(['data', 'convert', join(FIXTURES, 'chem/edm-qm9-test-sample.npz'), name], dir).status).toBe(0);
    const r = equimol(['eval', name, '--json', '--hydrogens', 'implicit'], dir);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.molecules).toBe(5);
    expect(report.hydrogens).toBe('implicit');
  });

  it('stops at a malformed record naming file, record and line (exit 1), or skips it with --skip-invalid', () => {
    const r = equimol(['eval', join(FIXTURES, 'cli/broken.sdf')], dir);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('equimol: broken.sdf, record 2, line 43: y coordinate is "abc.def", expected a finite number');
    const skipped = equimol(['eval', join(FIXTURES, 'cli/broken.sdf'), '--skip-invalid', '--json'], dir);
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toMatch(/skipped 1 malformed record/);
    expect((JSON.parse(skipped.stdout) as Report).molecules).toBe(1);
  });

  it.each([
    [['missing.sdf'], 2, /missing\.sdf: no such file/],
    [[QM9, '--train-smiles', 'missing.smi'], 2, /missing\.smi: no such file/],
    [['notes.txt'], 2, /unknown molecule file type/],
    [['empty.sdf'], 1, /empty\.sdf holds no molecules/],
  ])('equimol eval %s → exit %i', (args, status, message) => {
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    writeFileSync(join(dir, 'empty.sdf'), '');
    const r = equimol(['eval', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(status);
  });
});
