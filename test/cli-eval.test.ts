// `equimol eval`: EDM's metrics of a molecule file as a table or JSON, novelty against training
// SMILES, and errors for missing or malformed files.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { equimol, FIXTURES, scratch } from './cli-run.js';

const QM9 = join(FIXTURES, 'chem/qm9-train-sample.sdf');
const NPZ = join(FIXTURES, 'chem/edm-qm9-test-sample.npz');
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

interface NllReport {
  file: string;
  step: number;
  seed: number;
  molecules: number;
  nll: number;
  standardError: number;
  terms: { klPrior: number; diffusion: number; l0: number; constants: number };
}

describe('equimol eval --nll', () => {
  // What scripts/estimate-nll.mjs, which this replaces, printed on main (8805987) for
  // `data/models/qm9-heavy --limit 3 --test-npz data/fixtures/chem/edm-qm9-test-sample.npz` on wasm.
  const SCRIPT_NLL = 68.42801358256129;

  it("gives the shipped model's NLL of the npz fixture as the script did, as JSON and as a table", () => {
    const r = equimol(['eval', NPZ, '--nll', '--limit', '3', '--json', '--backend', 'wasm'], dir);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as NllReport;
    expect(report).toMatchObject({ file: NPZ, step: 64699, seed: 0, molecules: 3 });
    expect(report.nll).toBeCloseTo(SCRIPT_NLL, 9);
    const t = report.terms;
    expect(report.nll).toBeCloseTo(t.klPrior + t.diffusion + t.l0 + t.constants, 9);
    const table = equimol(['eval', NPZ, '--nll', '--limit', '3', '--backend', 'wasm', '-q'], dir);
    expect(table.stdout).toContain('3 molecules under qm9-heavy, step 64699 (seed 0; ± one standard error)');
    expect(table.stdout).toMatch(new RegExp(`−log p\\(x, h\\)\\s+${SCRIPT_NLL.toFixed(2)} ± `));
    const reseeded = JSON.parse(equimol(['eval', NPZ, '--nll', '--limit', '3', '--seed', '1', '--json', '--backend', 'wasm', '-q'], dir).stdout) as NllReport;
    expect(reseeded.nll).not.toBe(report.nll);
  });

  // The likelihood reads its tensors back asynchronously, so it runs on WebGPU too (here SwiftShader,
  // where Debian's chromium ships it), agreeing with wasm to float32 rounding.
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  it.skipIf(!existsSync(swiftshader))('runs on WebGPU and agrees with wasm', () => {
    const env = { VK_ICD_FILENAMES: swiftshader, XDG_RUNTIME_DIR: dir };
    const r = equimol(['eval', NPZ, '--nll', '--limit', '3', '--json', '--backend', 'webgpu', '-q'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as NllReport;
    expect(Math.abs(report.nll - SCRIPT_NLL) / SCRIPT_NLL).toBeLessThan(1e-5);
  });

  it.each([
    [[NPZ, '--limit', '3'], /--limit needs --nll/],
    [[NPZ, '-m', 'qm9-heavy'], /--model needs --nll/],
    [[NPZ, '--nll', '--drug'], /--drug belongs to the metrics report, not to --nll/],
    [[NPZ, '--nll', '--reference', QM9], /--reference belongs to the metrics report/],
    [[NPZ, '--nll', '--limit', '0'], /--limit must be an integer ≥ 1, got 0/],
    [[NPZ, '--nll', '-m', 'no-such-model'], /unknown model "no-such-model"/],
  ])('equimol eval %s → exit 2', (args, message) => {
    const r = equimol(['eval', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});
