// `equimol data build | conformers | convert` end to end.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MoleculeDataset, parseSdf, parseXyz } from '../packages/core/src/index.js';
import { equimol, FIXTURES, recordElements, scratch, sdfRecords, startEquimol } from './cli-run.js';

const QM9 = join(FIXTURES, 'chem/qm9-train-sample.sdf');
const NPZ = join(FIXTURES, 'chem/edm-qm9-test-sample.npz');
const SMILES = join(FIXTURES, 'cli/small.smi');
const { dir, remove } = scratch('data');
afterAll(remove);

describe('equimol data build', () => {
  it('packs molecule files into a dataset, optionally without hydrogens and with a fixed vocabulary', () => {
    const r = equimol(['data', 'build', QM9, NPZ, '-o', 'heavy.eqd', '--remove-hydrogens', '--elements', 'C,N,O,F', '--name', 'tiny'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/11 molecules, elements C N O F, up to 9 atoms \(hydrogens removed\) → heavy\.eqd/);
    const dataset = MoleculeDataset.fromBytes(new Uint8Array(readFileSync(join(dir, 'heavy.eqd'))), 'heavy.eqd');
    expect(dataset.count).toBe(11);
    expect(dataset.encoding.elements).toEqual(['C', 'N', 'O', 'F']);
    expect(dataset.card.name).toBe('tiny');
    expect(dataset.card.source).toBe('qm9-train-sample.sdf, edm-qm9-test-sample.npz');
  });

  it('keeps every element seen by default', () => {
    expect(equimol(['data', 'build', QM9, '-o', 'all.eqd'], dir).status).toBe(0);
    const dataset = MoleculeDataset.fromBytes(new Uint8Array(readFileSync(join(dir, 'all.eqd'))), 'all.eqd');
    expect(dataset.encoding.elements).toEqual(['H', 'C', 'N', 'O']);
  });

  it.each([
    [[QM9, '-o', 'x.sdf'], 2, /datasets are written as \.eqd files/],
    [['missing.sdf', '-o', 'x.eqd'], 2, /missing\.sdf: no such file/],
    [[QM9, '-o', 'x.eqd', '--elements', 'C,Nx'], 2, /"Nx" is not an element symbol/],
    [[QM9, '-o', 'all.eqd'], 2, /all\.eqd exists; use --force/],
    [[QM9, '-o', 'x.eqd', '--elements', 'C,H'], 1, /^equimol: qm9-train-sample\.sdf, record 1: element O is not in the vocabulary \[C, H\]\n$/],
    [[QM9, '-o', 'x.eqd', '--properties', 'homo'], 1, /^equimol: qm9-train-sample\.sdf, record 1: property homo missing or not a number\n$/],
  ])('equimol data build %s → exit %i', (args, status, message) => {
    const r = equimol(['data', 'build', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(status);
    expect(existsSync(join(dir, 'x.eqd'))).toBe(false);
  });
});

describe('equimol data build with several inputs', () => {
  // A second input whose record 2 is malformed and record 3 holds chlorine, outside H,C,N,O.
  const second = ['5', 'methane', 'C 0 0 0', 'H 0.63 0.63 0.63', 'H -0.63 -0.63 0.63', 'H -0.63 0.63 -0.63', 'H 0.63 -0.63 -0.63', '2', 'broken', 'C 0 0 abc', 'H 0 0 1.1', '2', 'hydrogen chloride', 'H 0 0 0', 'Cl 1.27 0 0', ''].join('\n');

  it('names the file and the record within it when a molecule does not fit the vocabulary', () => {
    writeFileSync(join(dir, 'second.xyz'), second.replace('C 0 0 abc', 'C 0 0 0'));
    const r = equimol(['data', 'build', QM9, 'second.xyz', '-o', 'mixed.eqd', '--elements', 'H,C,N,O'], dir);
    expect(r.stderr).toBe('equimol: second.xyz, record 3: element Cl is not in the vocabulary [H, C, N, O]\n');
    expect(r.status).toBe(1);
    expect(existsSync(join(dir, 'mixed.eqd'))).toBe(false);
  });

  it('skips malformed and unfitting records alike with --skip-invalid, numbering records within each file', () => {
    writeFileSync(join(dir, 'second.xyz'), second);
    const r = equimol(['data', 'build', QM9, 'second.xyz', '-o', 'mixed.eqd', '--elements', 'H,C,N,O', '--skip-invalid'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/second\.xyz: skipped 1 malformed record\(s\); first: second\.xyz, record 2, line 10: /);
    expect(r.stderr).toMatch(/second\.xyz: skipped 1 unusable molecule\(s\); first: second\.xyz, record 3: element Cl is not in the vocabulary/);
    expect(MoleculeDataset.fromBytes(new Uint8Array(readFileSync(join(dir, 'mixed.eqd'))), 'mixed.eqd').count).toBe(7);
  });
});

describe('equimol data convert', () => {
  it('converts between npz, SDF, XYZ and JSON', () => {
    expect(equimol(['data', 'convert', NPZ, 'edm.sdf'], dir).status).toBe(0);
    const sdf = parseSdf(readFileSync(join(dir, 'edm.sdf'), 'utf8'));
    expect(sdf).toHaveLength(5);
    expect(equimol(['data', 'convert', 'edm.sdf', 'edm.xyz'], dir).status).toBe(0);
    const xyz = parseXyz(readFileSync(join(dir, 'edm.xyz'), 'utf8'));
    expect(xyz.map((m) => m.elements)).toEqual(sdf.map((m) => m.elements));
    expect(equimol(['data', 'convert', 'edm.xyz', 'edm.json'], dir).status).toBe(0);
    expect(equimol(['data', 'convert', 'edm.json', 'back.sdf.gz'], dir).status).toBe(0);
    expect(equimol(['data', 'convert', 'back.sdf.gz', 'back.sdf'], dir).status).toBe(0);
    const back = parseSdf(readFileSync(join(dir, 'back.sdf'), 'utf8'));
    expect(back.map((m) => Array.from(m.positions))).toEqual(xyz.map((m) => Array.from(m.positions)));
  });

  it("writes EDM's npz layout, which reads back to the same molecules", () => {
    expect(equimol(['data', 'convert', QM9, 'out.npz'], dir).status).toBe(0);
    expect(equimol(['data', 'convert', 'out.npz', 'npz-back.sdf'], dir).status).toBe(0);
    const original = parseSdf(readFileSync(QM9, 'utf8'));
    const again = parseSdf(readFileSync(join(dir, 'npz-back.sdf'), 'utf8'));
    expect(again.map((m) => m.elements)).toEqual(original.map((m) => m.elements));
    again.forEach((m, k) => m.positions.forEach((v, i) => expect(v).toBeCloseTo(original[k]!.positions[i]!, 4)));
  });

  it('reads back every format it writes, gzipped too', () => {
    const original = parseSdf(readFileSync(QM9, 'utf8'));
    for (const name of ['gz.json.gz', 'gz.npz.gz', 'gz.xyz.gz', 'gz.sdf.gz']) {
      expect(equimol(['data', 'convert', QM9, name], dir).status).toBe(0);
      expect(readFileSync(join(dir, name)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      const back = `back-${name}.sdf`;
      const r = equimol(['data', 'convert', name, back], dir);
      expect(r.stderr).toMatch(/6 molecules →/);
      expect(parseSdf(readFileSync(join(dir, back), 'utf8')).map((m) => m.elements)).toEqual(original.map((m) => m.elements));
    }
  });

  it('says which file is not gzip data, in one line (exit 1)', () => {
    writeFileSync(join(dir, 'plain.npz.gz'), readFileSync(NPZ));
    const r = equimol(['data', 'convert', 'plain.npz.gz', 'plain.sdf'], dir);
    expect(r.stderr).toBe('equimol: plain.npz.gz: not gzip data (incorrect header check), though the name ends in .gz\n');
    expect(r.status).toBe(1);
    expect(existsSync(join(dir, 'plain.sdf'))).toBe(false);
  });

  it('stops at a malformed JSON molecule naming file and record, or skips it with --skip-invalid', () => {
    expect(equimol(['data', 'convert', QM9, 'list.json'], dir).status).toBe(0);
    const list = JSON.parse(readFileSync(join(dir, 'list.json'), 'utf8')) as { molecules: { positions: number[] }[] };
    list.molecules[2]!.positions = [1, 2];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(list));
    const r = equimol(['data', 'convert', 'bad.json', 'bad.sdf'], dir);
    expect(r.stderr).toMatch(/^equimol: bad\.json, record 3: positions must be \d+ finite numbers/);
    expect(r.status).toBe(1);
    const skipped = equimol(['data', 'convert', 'bad.json', 'bad.sdf', '--skip-invalid'], dir);
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toMatch(/bad\.json: skipped 1 malformed record\(s\); first: bad\.json, record 3: /);
    expect(parseSdf(readFileSync(join(dir, 'bad.sdf'), 'utf8'))).toHaveLength(5);
  });

  it.each([
    [[QM9, 'out.pdb'], /out\.pdb: unknown molecule file type/],
    [['in.pdb', 'out.sdf'], /in\.pdb: no such file/],
  ])('equimol data convert %s → exit 2', (args, message) => {
    const r = equimol(['data', 'convert', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});

describe('equimol data conformers', () => {
  it('makes one 3D conformer with hydrogens per SMILES and reports the ones it cannot make', () => {
    const r = equimol(['data', 'conformers', '--smiles', SMILES, '-o', 'conf.sdf'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/small\.smi, line 6: no conformer for not_a_smiles: not a SMILES openchemlib can read/);
    expect(r.stderr).toMatch(/3 conformers → conf\.sdf .*1 SMILES failed/);
    const records = sdfRecords(readFileSync(join(dir, 'conf.sdf'), 'utf8'));
    expect(records.map((x) => x.fields.name)).toEqual(['ethanol', 'phenol', 'cyclopropylamine']);
    expect(records.map((x) => x.fields.SMILES)).toEqual(['CCO', 'c1ccccc1O', 'C1CC1N']);
    expect(recordElements(records[0]!.lines).sort().join('')).toBe('CCHHHHHHO');
    for (const x of records) expect(Number(x.fields.mmff94_energy)).toBeLessThan(100);
    // The same seed gives the same conformers in another process.
    expect(equimol(['data', 'conformers', '--smiles', SMILES, '-o', 'again.sdf', '-q'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'again.sdf'), 'utf8')).toBe(readFileSync(join(dir, 'conf.sdf'), 'utf8'));
    // The conformers are a training set: build → train is the documented path.
    expect(equimol(['data', 'build', 'conf.sdf', '-o', 'conf.eqd'], dir).status).toBe(0);
  });

  it('gives the same conformers on two worker threads', () => {
    const many = ['C', 'CC', 'CCC', 'CO', 'CN', 'C=O', 'CC#N', 'OCCO', 'NCCN', 'c1ccccc1'];
    writeFileSync(join(dir, 'many.smi'), many.join('\n') + '\n');
    expect(equimol(['data', 'conformers', '--smiles', 'many.smi', '-o', 'one.sdf'], dir).status).toBe(0);
    expect(equimol(['data', 'conformers', '--smiles', 'many.smi', '-o', 'two.sdf', '-j', '2'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'two.sdf'), 'utf8')).toBe(readFileSync(join(dir, 'one.sdf'), 'utf8'));
    // Acetonitrile has no finite MMFF94 energy in openchemlib: kept unminimised, with a warning.
    const nitrile = sdfRecords(readFileSync(join(dir, 'one.sdf'), 'utf8')).find((x) => x.fields.SMILES === 'CC#N')!;
    expect(nitrile.fields.warning).toMatch(/unminimised/);
  });

  it('removes the partly written file when interrupted with Ctrl-C', async () => {
    const { dir: out, remove: done } = scratch('conformers-sigint');
    try {
      writeFileSync(join(out, 'many.smi'), ['CCO', 'CCN', 'CCC', 'OCCO', 'NCCN', 'CCCC', 'CCCO', 'c1ccccc1', 'CC(C)C', 'CCOC'].join('\n') + '\n');
      const child = startEquimol(['data', 'conformers', '--smiles', 'many.smi', '-o', 'out.sdf'], out);
      let stderr = '';
      let temporary: string[] = [];
      await new Promise<void>((resolve) =>
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/conformers: [1-9]/.test(stderr) && temporary.length === 0) {
            temporary = readdirSync(out).filter((f) => f.includes('.tmp.'));
            child.kill('SIGINT');
            resolve();
          }
        }),
      );
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(temporary).toHaveLength(1);
      expect(code).toBe(130);
      expect(stderr).toMatch(/SIGINT, stopped; no partial output was left behind/);
      expect(readdirSync(out)).toEqual(['many.smi']);
    } finally {
      done();
    }
  });

  it.each([
    [['--smiles', 'none.smi', '-o', 'c.sdf'], 2, /none\.smi: no such file/],
    [['--smiles', SMILES, '-o', 'c.xyz'], 2, /written as SDF/],
    [['--smiles', SMILES, '-o', 'c.sdf', '-j', '0'], 2, /--workers must be an integer ≥ 1/],
    [['-o', 'c.sdf'], 2, /Missing required argument: smiles/],
  ])('equimol data conformers %s → exit %i', (args, status, message) => {
    const r = equimol(['data', 'conformers', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(status);
  });
});
