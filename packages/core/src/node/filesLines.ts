import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isGzipName } from '../io/formatRegistry.js';


/** Byte stream of a file on disk, transparently gunzipped when the name ends in `.gz`. */
export function openFileStream(path: string): Readable {
  const raw = createReadStream(path);
  if (!isGzipName(path)) return raw;
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
