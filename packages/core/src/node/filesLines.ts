import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Whether a path names a gzip-compressed file (by extension). */
export function isGzipPath(path: string): boolean {
  return path.endsWith('.gz');
}

/** Byte stream of a file on disk, transparently gunzipped when the name ends in `.gz`. */
export function openFileStream(path: string): Readable {
  const raw = createReadStream(path);
  if (!isGzipPath(path)) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** Lines of a text file on disk (`.gz` gunzipped), streamed without loading the file into memory. */
export async function* fileLines(path: string): AsyncGenerator<string> {
  const stream = openFileStream(path);
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    stream.destroy();
  }
}
