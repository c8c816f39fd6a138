import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MoleculeParseError, newReadStats } from './errors.js';
import { parseXyz, readXyzFrames, writeXyz } from './xyz.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../../data/fixtures/chem/${name}`, import.meta.url)), 'utf8');

const TWO_FRAMES = `3
water
O 0.0 0.0 0.1173
H 0.0 0.7572 -0.4692
H 0.0 -0.7572 -0.4692

2
frame 2
8 0 0 0
1 0 0 0.97
`;

function parseError(text: string): MoleculeParseError {
  try {
    parseXyz(text, { source: 'bad.xyz' });
  } catch (e) {
    if (e instanceof MoleculeParseError) return e;
    throw e;
  }
  throw new Error('expected a MoleculeParseError');
}

describe('parseXyz', () => {
  it('reads multi-frame files, element symbols or atomic numbers', () => {
    const [water, oh] = parseXyz(TWO_FRAMES);
    expect(water!.title).toBe('water');
    expect(water!.elements).toEqual(['O', 'H', 'H']);
    expect(Array.from(water!.positions.slice(6))).toEqual([0, -0.7572, -0.4692]);
    expect(oh!.elements).toEqual(['O', 'H']);
    expect(water!.bonds).toBeUndefined();
  });

  it("reads QM9's original format: properties, Mulliken charges, frequencies, SMILES, InChI", () => {
    const [methane] = parseXyz(fixture('qm9-dsgdb9nsd_000001.xyz'));
    expect(methane!.elements).toEqual(['C', 'H', 'H', 'H', 'H']);
    expect(methane!.positions[0]).toBeCloseTo(-0.0126981359, 10);
    expect(methane!.partialCharges).toEqual([-0.535689, 0.133921, 0.133922, 0.133923, 0.133923]);
    expect(methane!.properties).toMatchObject({ index: '1', A: '157.7118', mu: '0', U0: '-40.47893', Cv: '6.469', smiles_relaxed: 'C', inchi_gdb: 'InChI=1S/CH4/h1H4' });
    expect(methane!.properties!.frequencies!.split(' ')).toHaveLength(9);
  });

  it('reads Fortran/Mathematica *^ exponents', () => {
    const text = fixture('qm9-dsgdb9nsd_000001.xyz').replace(' 0.0019761204', ' 1.9761204*^-3').replace('\t0.\t', '\t1.5*^-2\t');
    const [methane] = parseXyz(text);
    expect(methane!.positions[5]).toBeCloseTo(0.0019761204, 10);
    expect(methane!.properties!.mu).toBe('0.015');
    expect(parseXyz(fixture('qm9-dsgdb9nsd_000001.xyz') + fixture('qm9-dsgdb9nsd_000001.xyz'))).toHaveLength(2);
  });

  it('round-trips through writeXyz', () => {
    const mols = parseXyz(TWO_FRAMES);
    const again = parseXyz(writeXyz(mols));
    expect(again.map((m) => m.elements)).toEqual(mols.map((m) => m.elements));
    expect(Array.from(again[0]!.positions)).toEqual(Array.from(mols[0]!.positions));
  });
});

describe('parseXyz on bad input', () => {
  it('rejects an unknown element with file, frame and line, never turning it into carbon', () => {
    const e = parseError(TWO_FRAMES.replace('1 0 0 0.97', 'X 0 0 0.97'));
    expect(e).toMatchObject({ file: 'bad.xyz', record: 2, line: 10 });
    expect(e.reason).toBe('unknown element "X"');
  });

  it('rejects NaN and infinite coordinates', () => {
    expect(parseError(TWO_FRAMES.replace('0.7572 -0.4692', 'NaN -0.4692')).reason).toMatch(/y coordinate is "NaN"/);
    expect(parseError(TWO_FRAMES.replace('0.7572 -0.4692', 'Infinity -0.4692')).line).toBe(4);
  });

  it('rejects a frame with fewer atom lines than declared instead of inventing atoms', () => {
    const e = parseError('3\nshort\nO 0 0 0\nH 0 0 1\n');
    expect(e.reason).toBe('input ends inside a frame: it declares 3 atoms, found 2');
    expect(parseError('3\ncomment\nO 0 0 0\nH 0 0\n').reason).toMatch(/atom line has 3 fields/);
  });

  it('rejects a count line that is not a number', () => {
    expect(parseError('three\nwater\n')).toMatchObject({ line: 1, record: 1 });
  });

  it('skips and counts bad frames when asked, resuming at the next frame', () => {
    const stats = newReadStats();
    const text = TWO_FRAMES.replace('0.7572 -0.4692', 'oops -0.4692') + 'junk line\n' + TWO_FRAMES;
    const mols = parseXyz(text, { skipInvalid: true, stats });
    expect(mols.map((m) => m.title)).toEqual(['frame 2', 'water', 'frame 2']);
    expect(stats).toMatchObject({ records: 5, molecules: 3, skipped: 2 });
  });

  it('keeps going on an empty input and says so', async () => {
    const stats = newReadStats();
    const frames = [];
    for await (const m of readXyzFrames([], { source: 'none.xyz', stats })) frames.push(m);
    expect(frames).toEqual([]);
    expect(stats.warnings[0]).toBe('none.xyz: no XYZ frames found (the input is empty)');
  });
});
