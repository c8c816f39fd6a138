import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { Molecule } from '../chem/molecule.js';
import { formatSdfRecord, type SdfWriteOptions } from '../io/sdf.js';
import { isGzipPath } from './filesLines.js';

/**
 * Writes molecules to an SD file record by record (gzipped when the name ends in `.gz`), so that
 * large generated sets never sit in memory as one string. Returns the number of records written.
 */
export async function writeSdfFile(
  path: string,
  molecules: Iterable<Molecule> | AsyncIterable<Molecule>,
  options: SdfWriteOptions = {},
): Promise<number> {
  const file = createWriteStream(path);
  const out: Writable = isGzipPath(path) ? createGzip() : file;
  if (out !== file) out.pipe(file);
  let count = 0;
  try {
    for await (const mol of molecules) {
      if (!out.write(formatSdfRecord(mol, options))) await once(out, 'drain');
      count++;
    }
  } finally {
    out.end();
    await once(file, 'close');
  }
  return count;
}
