import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Molecule } from '../chem/molecule.js';
import { formatSdfRecord, MoleculeWriteError, type SdfWriteOptions } from '../io/sdf.js';
import { isGzipPath } from './filesLines.js';

/**
 * Writes molecules to an SD file record by record (gzipped when the name ends in `.gz`), so that
 * large generated sets never sit in memory as one string. Returns the number of records written.
 * A molecule that cannot be written fails with a MoleculeWriteError naming the file and record.
 */
export async function writeSdfFile(
  path: string,
  molecules: Iterable<Molecule> | AsyncIterable<Molecule>,
  options: SdfWriteOptions = {},
): Promise<number> {
  let count = 0;
  async function* records(): AsyncGenerator<string> {
    for await (const mol of molecules) {
      let record: string;
      try {
        record = formatSdfRecord(mol, options);
      } catch (err) {
        if (err instanceof MoleculeWriteError) throw new MoleculeWriteError(`${path}, record ${count + 1}: ${err.message}`);
        throw err;
      }
      count++;
      yield record;
    }
  }
  const file = createWriteStream(path);
  // Opened before the first molecule is asked for: an unwritable path fails at once, not after the
  // (possibly long) generation of the first molecules.
  await once(file, 'open');
  // pipeline, unlike pipe(), passes an error of any stage (ENOSPC, EACCES) to all the others, so
  // back-pressure never waits on a stream that died.
  if (isGzipPath(path)) await pipeline(records(), createGzip(), file);
  else await pipeline(records(), file);
  return count;
}
