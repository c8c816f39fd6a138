import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MoleculeParseError, newReadStats } from './errors.js';
import { linesOf } from './lines.js';
import { formatMolfile, MoleculeWriteError, parseSdf, readSdfRecords, writeSdf } from './sdf.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../../data/fixtures/chem/${name}`, import.meta.url)), 'utf8');

const WATER = `water
  test

  3  2  0  0  0  0  0  0  0  0999 V2000
    0.0000    0.0000    0.1173 O   0  0  0  0  0  0  0  0  0  0  0  0
    0.0000    0.7572   -0.4692 H   0  0  0  0  0  0  0  0  0  0  0  0
    0.0000   -0.7572   -0.4692 H   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0
  1  3  1  0
M  END
> <SMILES>
O

> <note>
line one
line two

$$$$
`;

/** Replaces line `n` (1-based) of a text. */
function withLine(text: string, n: number, line: string): string {
  const lines = text.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

describe('parseSdf', () => {
  it('reads atoms, bonds and data items', () => {
    const [mol] = parseSdf(WATER);
    expect(mol!.title).toBe('water');
    expect(mol!.elements).toEqual(['O', 'H', 'H']);
    expect(Array.from(mol!.positions.slice(3, 6))).toEqual([0, 0.7572, -0.4692]);
    expect(mol!.bonds).toEqual([{ a: 0, b: 1, order: 1 }, { a: 0, b: 2, order: 1 }]);
    expect(mol!.formalCharges).toEqual([0, 0, 0]);
    expect(mol!.properties).toEqual({ SMILES: 'O', note: 'line one\nline two' });
  });

  it('reads real QM9 records with M  CHG charges', () => {
    const mols = parseSdf(fixture('qm9-train-sample.sdf'));
    expect(mols).toHaveLength(6);
    expect(mols[0]!.title).toBe('O=C1Cc2[nH]ccc2N1');
    expect(mols[0]!.elements).toHaveLength(15);
    expect(mols[0]!.bonds).toHaveLength(16);
    // Cc1n[nH]cc1[N+](=O)[O-]: M  CHG  2   7   1   9  -1
    const nitro = mols[4]!;
    expect(nitro.formalCharges![6]).toBe(1);
    expect(nitro.formalCharges![8]).toBe(-1);
    expect(nitro.formalCharges!.filter((c) => c !== 0)).toHaveLength(2);
  });

  it('uses atom-block charges when there is no M  CHG line', () => {
    const text = withLine(WATER, 5, '    0.0000    0.0000    0.1173 O   0  5  0  0  0  0  0  0  0  0  0  0');
    expect(parseSdf(text)[0]!.formalCharges).toEqual([-1, 0, 0]);
  });

  it('reads a V3000 record', () => {
    const v3000 = `methanol
  test

  0  0  0     0  0            999 V3000
M  V30 BEGIN CTAB
M  V30 COUNTS 2 1 0 0 0
M  V30 BEGIN ATOM
M  V30 1 C 0.0 0.0 0.0 0
M  V30 2 O 1.43 0.0 -
M  V30 0.0 0 CHG=-1
M  V30 END ATOM
M  V30 BEGIN BOND
M  V30 1 1 1 2
M  V30 END BOND
M  V30 END CTAB
M  END
$$$$
`;
    const [mol] = parseSdf(v3000);
    expect(mol!.elements).toEqual(['C', 'O']);
    expect(Array.from(mol!.positions)).toEqual([0, 0, 0, 1.43, 0, 0]);
    expect(mol!.formalCharges).toEqual([0, -1]);
    expect(mol!.bonds).toEqual([{ a: 0, b: 1, order: 1 }]);
  });

  it('accepts a single molfile without $$$$ and CRLF line ends', () => {
    const mol = WATER.replace('$$$$\n', '').replace(/\n/g, '\r\n');
    expect(parseSdf(mol)[0]!.elements).toEqual(['O', 'H', 'H']);
  });
});

describe('parseSdf on bad input', () => {
  const twoRecords = WATER + WATER;

  function parseError(text: string): MoleculeParseError {
    try {
      parseSdf(text, { source: 'bad.sdf' });
    } catch (e) {
      if (e instanceof MoleculeParseError) return e;
      throw e;
    }
    throw new Error('expected a MoleculeParseError');
  }

  it('names file, record and line of an unknown element, never reading it as carbon', () => {
    // Line 5 of the second record is line 18 + 5 = 23 of the file (each WATER is 18 lines).
    const text = withLine(twoRecords, 18 + 5, '    0.0000    0.0000    0.1173 Xx  0  0  0  0  0  0  0  0  0  0  0  0');
    const e = parseError(text);
    expect(e).toMatchObject({ file: 'bad.sdf', record: 2, line: 23 });
    expect(e.message).toContain('unknown element "Xx"');
  });

  it('rejects NaN, infinite and blank coordinates instead of placing atoms at the origin', () => {
    for (const x of ['       NaN', '  Infinity', '          ']) {
      const e = parseError(withLine(WATER, 6, `${x}    0.7572   -0.4692 H   0  0  0  0  0  0  0  0  0  0  0  0`));
      expect(e).toMatchObject({ record: 1, line: 6 });
      expect(e.reason).toMatch(/x coordinate .* expected a finite number/);
    }
  });

  it('rejects a record that ends inside the atom block', () => {
    const text = WATER.split('\n').slice(0, 6).join('\n') + '\n$$$$\n';
    const e = parseError(text);
    expect(e.reason).toContain('expected 3 atoms, found 2');
    expect(e.line).toBe(7);
  });

  it('rejects bonds to missing atoms', () => {
    const e = parseError(withLine(WATER, 9, '  1  4  1  0'));
    expect(e).toMatchObject({ line: 9 });
    expect(e.reason).toContain('outside 1..3');
  });

  it('skips and counts bad records when asked', () => {
    const bad = withLine(WATER, 5, 'garbage');
    const stats = newReadStats();
    const skipped: MoleculeParseError[] = [];
    const mols = parseSdf(WATER + bad + WATER, { skipInvalid: true, stats, onSkip: (e) => skipped.push(e) });
    expect(mols).toHaveLength(2);
    expect(stats).toMatchObject({ records: 3, molecules: 2, skipped: 1 });
    expect(skipped[0]!.record).toBe(2);
  });

  it('keeps going on an empty file and says so', () => {
    const stats = newReadStats();
    expect(parseSdf('', { source: 'empty.sdf', stats })).toEqual([]);
    expect(stats.warnings).toEqual(['empty.sdf: no molecule records found (the input is empty)']);
    expect(parseSdf('\n\n')).toEqual([]);
  });
});

describe('readSdfRecords', () => {
  it('streams records from byte chunks split at arbitrary places', async () => {
    const bytes = new TextEncoder().encode(fixture('qm9-train-sample.sdf'));
    const chunks = [bytes.slice(0, 7), bytes.slice(7, 1000), bytes.slice(1000)];
    const titles: string[] = [];
    for await (const mol of readSdfRecords(linesOf(chunks))) titles.push(mol.title!);
    expect(titles).toEqual(parseSdf(fixture('qm9-train-sample.sdf')).map((m) => m.title));
  });

  it('reports the line of an error in a stream', async () => {
    const lines = withLine(WATER + WATER, 18 + 9, '  1  1  1  0').split('\n');
    const read = async () => {
      for await (const _ of readSdfRecords(lines, { source: 's.sdf' })) void _;
    };
    await expect(read()).rejects.toMatchObject({ file: 's.sdf', record: 2, line: 27 });
  });
});

describe('writeSdf', () => {
  it('round-trips atoms, bonds, charges and data items', () => {
    const mols = parseSdf(fixture('qm9-train-sample.sdf'));
    mols[4]!.properties = { SMILES: mols[4]!.title!, valid: 'true' };
    const again = parseSdf(writeSdf(mols));
    expect(again).toHaveLength(mols.length);
    for (let k = 0; k < mols.length; k++) {
      expect(again[k]!.elements).toEqual(mols[k]!.elements);
      expect(again[k]!.bonds).toEqual(mols[k]!.bonds);
      expect(again[k]!.formalCharges).toEqual(mols[k]!.formalCharges);
      expect(Array.from(again[k]!.positions)).toEqual(Array.from(mols[k]!.positions));
    }
    expect(again[4]!.properties).toEqual({ SMILES: 'Cc1n[nH]cc1[N+](=O)[O-]', valid: 'true' });
  });

  it('writes formal charges both in the atom block and as M  CHG', () => {
    const text = formatMolfile({ elements: ['N', 'O'], positions: new Float64Array(6).fill(1), formalCharges: [1, -1], bonds: [{ a: 0, b: 1, order: 1 }] });
    expect(text).toContain('    1.0000    1.0000    1.0000 N   0  3');
    expect(text).toContain('M  CHG  2   1   1   2  -1');
  });

  it('refuses non-finite coordinates', () => {
    expect(() => writeSdf([{ elements: ['C'], positions: new Float64Array([0, NaN, 0]) }])).toThrow(MoleculeWriteError);
  });

  it('writes V3000 beyond 999 atoms', () => {
    const n = 1200;
    const big = { elements: Array<string>(n).fill('C'), positions: new Float64Array(3 * n).map((_, i) => i) };
    const [back] = parseSdf(writeSdf([big]));
    expect(back!.elements).toHaveLength(n);
    expect(back!.positions[3 * n - 1]).toBe(3 * n - 1);
  });

  it("writes V3000 when a coordinate does not fit V2000's 10-character field", () => {
    const far = { elements: ['C', 'O'], positions: new Float64Array([-12345.6789, 0, 0, 99999.9, 1, 2]) };
    const text = writeSdf([far]);
    expect(text).toContain('V3000');
    expect(Array.from(parseSdf(text)[0]!.positions)).toEqual([-12345.6789, 0, 0, 99999.9, 1, 2]);
    expect(writeSdf([{ elements: ['C'], positions: new Float64Array([-9999.9999, 0, 0]) }])).toContain('V2000');
  });
});
