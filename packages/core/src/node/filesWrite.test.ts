import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { MoleculeWriteError } from '../io/sdf.js';
import { writeSdfFile } from './filesWrite.js';

const work = mkdtempSync(join(tmpdir(), 'equimol-write-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const chain = (atoms: number): Molecule => ({
  elements: Array.from({ length: atoms }, () => 'C'),
  positions: Float64Array.from({ length: 3 * atoms }, (_, i) => i * 0.7),
});

/** Fails instead of waiting for the test timeout when a write never settles. */
function settlesWithin<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('writeSdfFile', () => {
  it('fails with the file error, not a hang, when the file cannot be created (plain and gzipped)', async () => {
    // Far more than a stream buffer holds, so the writer has to wait for the file stream to drain.
    const many = Array.from({ length: 2000 }, () => chain(20));
    for (const name of ['out.sdf', 'out.sdf.gz']) {
      const path = join(work, 'no-such-dir', name);
      await expect(settlesWithin(writeSdfFile(path, many))).rejects.toMatchObject({ code: 'ENOENT', path });
    }
  });

  it('names the file and the record of a molecule that cannot be written', async () => {
    const bad: Molecule = { elements: ['C', 'O'], positions: new Float64Array([0, 0, 0, 1.2, NaN, 0]) };
    for (const name of ['bad.sdf', 'bad.sdf.gz']) {
      const path = join(work, name);
      const written = settlesWithin(writeSdfFile(path, [chain(3), chain(4), bad, chain(2)]));
      await expect(written).rejects.toThrow(MoleculeWriteError);
      await expect(written).rejects.toThrow(`${path}, record 3: atom 2 has a non-finite coordinate (NaN)`);
    }
  });

  it('passes on an error of the molecule source unchanged', async () => {
    async function* broken(): AsyncGenerator<Molecule> {
      yield chain(3);
      throw new Error('input file ended early');
    }
    await expect(settlesWithin(writeSdfFile(join(work, 'broken.sdf.gz'), broken()))).rejects.toThrow('input file ended early');
  });
});
