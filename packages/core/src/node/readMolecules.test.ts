import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { writeSdfFile } from './filesWrite.js';
import { moleculesToJson } from '../io/moleculeJson.js';
import { newReadStats } from '../io/errors.js';
import { formatEdmNpz } from '../io/npz.js';
import { CompressedFileError, readMoleculeFile, readSdfFile } from './readMolecules.js';

const fixtures = fileURLToPath(new URL('../../../../data/fixtures/chem/', import.meta.url));
const sample = join(fixtures, 'qm9-train-sample.sdf');

async function collect(it: AsyncIterable<Molecule>): Promise<Molecule[]> {
  const out: Molecule[] = [];
  for await (const m of it) out.push(m);
  return out;
}

describe('Node molecule files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'equimol-io-'));

  it('streams a plain and a gzipped SD file alike, naming the file in errors', async () => {
    const gz = join(dir, 'sample.sdf.gz');
    writeFileSync(gz, gzipSync(readFileSync(sample)));
    const plain = (await collect(readSdfFile(sample))).map((m) => m.title);
    expect(plain).toHaveLength(6);
    expect((await collect(readSdfFile(gz))).map((m) => m.title)).toEqual(plain);

    const bad = join(dir, 'bad.sdf');
    writeFileSync(bad, readFileSync(sample, 'utf8').replace(' O   0  0', ' Q   0  0'));
    await expect(collect(readSdfFile(bad))).rejects.toMatchObject({ file: 'bad.sdf', record: 1, line: 5 });
  });

  it('writes (gzipped) SD files that read back the same', async () => {
    const mols = await collect(readSdfFile(sample));
    for (const name of ['out.sdf', 'out.sdf.gz']) {
      const path = join(dir, name);
      expect(await writeSdfFile(path, mols)).toBe(6);
      const back = await collect(readSdfFile(path));
      expect(back.map((m) => m.bonds)).toEqual(mols.map((m) => m.bonds));
    }
  });

  it('reads xyz and npz by extension', async () => {
    const [methane] = await collect(readMoleculeFile(join(fixtures, 'qm9-dsgdb9nsd_000001.xyz')));
    expect(methane!.elements).toHaveLength(5);
    expect(await collect(readMoleculeFile(join(fixtures, 'edm-qm9-test-sample.npz')))).toHaveLength(5);
    await expect(collect(readMoleculeFile('molecules.pdb'))).rejects.toThrow(/unknown molecule file type/);
  });

  it('reads equimol JSON lists and gzipped JSON and npz by extension, skipping bad JSON molecules when asked', async () => {
    const mols = await collect(readSdfFile(sample));
    const json = JSON.stringify(moleculesToJson(mols));
    writeFileSync(join(dir, 'list.json'), json);
    writeFileSync(join(dir, 'list.json.gz'), gzipSync(json));
    writeFileSync(join(dir, 'list.npz.gz'), gzipSync(formatEdmNpz(mols)));
    for (const name of ['list.json', 'list.json.gz', 'list.npz.gz']) {
      expect((await collect(readMoleculeFile(join(dir, name)))).map((m) => m.elements)).toEqual(mols.map((m) => m.elements));
    }

    const list = moleculesToJson(mols);
    list.molecules[1]!.positions = [0];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(list));
    await expect(collect(readMoleculeFile(join(dir, 'bad.json')))).rejects.toMatchObject({ file: 'bad.json', record: 2 });
    const stats = newReadStats();
    expect(await collect(readMoleculeFile(join(dir, 'bad.json'), { skipInvalid: true, stats }))).toHaveLength(5);
    expect(stats).toMatchObject({ records: 6, molecules: 5, skipped: 1 });
  });

  it('names the file when a .gz file is not gzip data', async () => {
    for (const name of ['plain.sdf.gz', 'plain.npz.gz', 'plain.json.gz']) {
      const path = join(dir, name);
      writeFileSync(path, readFileSync(sample));
      const err = await collect(readMoleculeFile(path)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompressedFileError);
      expect((err as Error).message).toBe(`${path}: not gzip data (incorrect header check), though the name ends in .gz`);
    }
  });
});
