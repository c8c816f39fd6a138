// `equimol sample --fix` (constrained generation, issue 19) end to end with the shipped qm9-heavy
// model and the scaffold fixtures of data/fixtures/scaffolds: held atoms first and at their input
// coordinates, the held_atoms data field, two fragments, worker threads, hydrogens dropped with a
// notice, bad input (exit 2 for usage, 1 for bad file content), and `eval --scaffold`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSdf, writeSdf } from '../packages/core/src/index.js';
import { equimol, FIXTURES, recordElements, scratch, sdfRecords } from './cli-run.js';

const QUICK = ['--steps', '10'];
const SCAFFOLDS = join(FIXTURES, 'scaffolds');
const { dir, remove } = scratch('sample-fix');
afterAll(remove);

/** The atom lines of an SD record (coordinates and element, as written). */
const atomLines = (lines: string[]): string[] => {
  const n = Number(lines[3]!.slice(0, 3));
  return lines.slice(4, 4 + n).map((l) => l.slice(0, 34));
};

describe('equimol sample --fix', () => {
  let stderr: string;
  const scaffold = sdfRecords(readFileSync(join(SCAFFOLDS, 'benzene.sdf'), 'utf8'))[0]!;

  beforeAll(() => {
    const r = equimol(['sample', '-n', '4', ...QUICK, '--fix', join(SCAFFOLDS, 'benzene.sdf'), '--resample', '2', '-j', '1', '-o', 'fixed.sdf'], dir);
    stderr = r.stderr;
    expect(r.status).toBe(0);
  });

  it('writes the held atoms first, at exactly the input coordinates, and marks them in the held_atoms field', () => {
    const records = sdfRecords(readFileSync(join(dir, 'fixed.sdf'), 'utf8'));
    expect(records).toHaveLength(4);
    for (const rec of records) {
      expect(atomLines(rec.lines).slice(0, 6)).toEqual(atomLines(scaffold.lines));
      expect(recordElements(rec.lines).length).toBeGreaterThan(6);
      expect(rec.fields.held_atoms).toBe('1-6');
    }
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^4 molecules in .*: valid [\d.]+%, unique [\d.]+% of valid, stable [\d.]+%, connected [\d.]+% → fixed\.sdf$/);
  });

  it('gives the same molecules on two worker threads', () => {
    const r = equimol(['sample', '-n', '4', ...QUICK, '--fix', join(SCAFFOLDS, 'benzene.sdf'), '--resample', '2', '-j', '2', '-o', 'fixed-j2.sdf'], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'fixed-j2.sdf'), 'utf8')).toBe(readFileSync(join(dir, 'fixed.sdf'), 'utf8'));
  });

  it('holds only --fix-atoms (numbered from 1), drops hydrogens for a heavy-atom model and says so', () => {
    const source = join(SCAFFOLDS, 'furan-source.sdf');
    const r = equimol(['sample', '-n', '2', ...QUICK, '--fix', source, '--fix-atoms', '2-7,8', '-o', 'picked.sdf'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/furan-source\.sdf: 1 hydrogen\(s\) not held: .* generates heavy atoms/);
    const input = atomLines(sdfRecords(readFileSync(source, 'utf8'))[0]!.lines);
    for (const rec of sdfRecords(readFileSync(join(dir, 'picked.sdf'), 'utf8'))) {
      expect(atomLines(rec.lines).slice(0, 6)).toEqual(input.slice(1, 7));
      expect(rec.fields.held_atoms).toBe('1-6');
    }
  });

  it('holds two fragments from two files (linker design) and eval --scaffold reports them joined, with the linker length', () => {
    const [pair] = parseSdf(readFileSync(join(SCAFFOLDS, 'cyclopentane+nitrile.sdf'), 'utf8'));
    const ring = pair!.elements.map((_, i) => i).filter((i) => pair!.elements[i] === 'C' && !pair!.bonds!.some((b) => b.order === 3 && (b.a === i || b.b === i)));
    const piece = (atoms: number[]) => ({ elements: atoms.map((i) => pair!.elements[i]!), positions: Float64Array.from(atoms.flatMap((i) => [0, 1, 2].map((d) => pair!.positions[3 * i + d]!))) });
    const nitrile = pair!.elements.map((_, i) => i).filter((i) => !ring.includes(i));
    expect([ring.length, nitrile.length]).toEqual([5, 2]);
    writeFileSync(join(dir, 'a.sdf'), writeSdf([piece(ring)]));
    writeFileSync(join(dir, 'b.sdf'), writeSdf([piece(nitrile)]));
    const r = equimol(['sample', '-n', '3', ...QUICK, '--fix', 'a.sdf', '--fix', 'b.sdf', '--atoms', '9', '-o', 'linked.sdf'], dir);
    expect(r.status).toBe(0);
    for (const rec of sdfRecords(readFileSync(join(dir, 'linked.sdf'), 'utf8'))) expect(rec.fields.held_atoms).toBe('1-7');
    const e = equimol(['eval', 'linked.sdf', '--scaffold', join(SCAFFOLDS, 'cyclopentane+nitrile.sdf'), '--hydrogens', 'implicit', '--json'], dir);
    expect(e.status).toBe(0);
    const report = JSON.parse(e.stdout) as { molecules: number; scaffold: { pieces: number; scaffoldAtoms: number; linker: { joined: number; lengths: Record<string, number> }; containsScaffold: number } };
    expect(report.molecules).toBe(3);
    expect(report.scaffold).toMatchObject({ pieces: 2, scaffoldAtoms: 7 });
    expect(report.scaffold.linker.joined).toBeGreaterThanOrEqual(0);
    const joined = Object.values(report.scaffold.linker.lengths).reduce((a, b) => a + b, 0);
    expect(joined).toBe(Math.round(report.scaffold.linker.joined * 3));
  });

  it('eval --scaffold reports the scaffold kept, held coordinates exact, validity, connectivity and uniqueness', () => {
    const r = equimol(['eval', 'fixed.sdf', '--scaffold', join(SCAFFOLDS, 'benzene.sdf'), '--hydrogens', 'implicit'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/validity\s+[\d.]+%/);
    expect(r.stdout).toMatch(/connectivity \(one piece\)\s+[\d.]+%/);
    expect(r.stdout).toMatch(/uniqueness \(of valid\)\s+[\d.]+%/);
    expect(r.stdout).toMatch(/benzene\.sdf: 6 heavy atoms in 1 piece\(s\)/);
    expect(r.stdout).toMatch(/contains the scaffold\s+[\d.]+%/);
    expect(r.stdout).toMatch(/valid, connected, scaffold kept\s+[\d.]+%/);
    expect(r.stdout).toMatch(/held atoms: largest deviation\s+0\.0000 Å \(4 molecules\)/);
  });
});

describe('equimol sample --fix errors', () => {
  beforeAll(() => {
    const ring = parseSdf(readFileSync(join(SCAFFOLDS, 'benzene.sdf'), 'utf8'))[0]!;
    const close = { ...ring, positions: Float64Array.from(ring.positions, (v, i) => (i >= 3 && i < 6 ? ring.positions[i - 3]! + 0.2 : v)) };
    writeFileSync(join(dir, 'close.sdf'), writeSdf([close]));
    writeFileSync(join(dir, 'flat.sdf'), writeSdf([{ ...ring, positions: new Float64Array(ring.positions.length) }]));
    writeFileSync(join(dir, 'sulfur.sdf'), writeSdf([{ ...ring, elements: ['C', 'C', 'S', 'C', 'C', 'C'] }]));
    writeFileSync(join(dir, 'hydrogens.sdf'), writeSdf([{ elements: ['H', 'H'], positions: Float64Array.from([0, 0, 0, 0.74, 0, 0]) }]));
  });

  it.each([
    [['--fix-atoms', '1-3'], /--fix-atoms needs --fix FILE/, 2],
    [['--resample', '3'], /--resample needs --fix FILE/, 2],
    [['--fix', 'missing.sdf'], /missing\.sdf: no such file \(--fix\)/, 2],
    [['--fix', join(SCAFFOLDS, 'benzene.sdf'), '--fix-atoms', '1-40'], /--fix-atoms 1-40: atom 7 is out of range \(benzene\.sdf has 6 atoms\)/, 2],
    [['--fix', join(SCAFFOLDS, 'benzene.sdf'), '--fix-atoms', 'ring'], /--fix-atoms must look like 1-6,9/, 2],
    [['--fix', join(SCAFFOLDS, 'benzene.sdf'), '--atoms', '6'], /held part has 6 atoms: a molecule of 6 atoms leaves none to generate/, 2],
    [['--fix', join(SCAFFOLDS, 'benzene.sdf'), '--resample', '0'], /--resample must be an integer ≥ 1, got 0/, 2],
    [['--fix', 'hydrogens.sdf'], /hydrogens\.sdf: nothing to hold \(only hydrogens, which .* does not generate\)/, 2],
    [['--fix', 'close.sdf'], /close\.sdf: held atoms 1 \(C\) and 2 \(C\) are 0\.\d\d Å apart, closer than 0\.7 Å/, 1],
    [['--fix', 'flat.sdf'], /flat\.sdf: the held atoms have no 3D coordinates \(all zero\)/, 1],
    [['--fix', 'sulfur.sdf'], /sulfur\.sdf: held atom 3: element S is not in the vocabulary \[C, N, O, F\]/, 1],
  ])('equimol sample %s → one line, and the exit status of its kind', (args, message, status) => {
    const r = equimol(['sample', '-n', '2', ...QUICK, ...(args as string[])], dir);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(status);
  });
});
