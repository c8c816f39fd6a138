import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readSdfFile } from './read-molecules.js';

const sample = fileURLToPath(new URL('../../../../data/fixtures/chem/qm9-train-sample.sdf', import.meta.url));

describe('readSdfFile', () => {
  it('streams a plain and a gzipped SD file alike, naming the file in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'equimol-sdf-'));
    const gz = join(dir, 'sample.sdf.gz');
    writeFileSync(gz, gzipSync(readFileSync(sample)));
    const titles = async (path: string) => {
      const out: string[] = [];
      for await (const mol of readSdfFile(path)) out.push(mol.title!);
      return out;
    };
    const plain = await titles(sample);
    expect(plain).toHaveLength(6);
    expect(await titles(gz)).toEqual(plain);

    const bad = join(dir, 'bad.sdf');
    writeFileSync(bad, readFileSync(sample, 'utf8').replace(' O   0  0', ' Q   0  0'));
    await expect(titles(bad)).rejects.toMatchObject({ file: 'bad.sdf', record: 1, line: 5 });
  });
});
