import { basename } from 'node:path';
import type { Molecule } from '../chem/molecule.js';
import type { ReadOptions } from '../io/errors.js';
import { readSdfRecords } from '../io/sdf.js';
import { fileLines } from './files-lines.js';

function withSource(path: string, options: ReadOptions): ReadOptions {
  return { ...options, source: options.source ?? basename(path) };
}

/**
 * Streams the molecules of an SD file on disk (`.sdf`, `.mol`, or gzipped `.sdf.gz`); errors name the file.
 */
export async function* readSdfFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  yield* readSdfRecords(fileLines(path), withSource(path, options));
}
