import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Molecule } from '../chem/molecule.js';
import type { ReadOptions } from '../io/errors.js';
import { moleculesFromJson } from '../io/moleculeJson.js';
import { moleculesFromEdmNpz } from '../io/npz.js';
import { readSdfRecords } from '../io/sdf.js';
import { readXyzFrames } from '../io/xyz.js';
import { fileLines } from './filesLines.js';
import { isGzipName, moleculeFormatOf } from '../io/formats.js';
import { EquimolError } from '../errors.js';

function withSource(path: string, options: ReadOptions): ReadOptions {
  return { ...options, source: options.source ?? basename(path) };
}

/** Thrown when a file named `.gz` is not gzip data or is cut short; names the file. */
export class CompressedFileError extends EquimolError {
  constructor(
    /** The file, as given. */
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'CompressedFileError';
  }
}

/** zlib's errors ("incorrect header check") name no file: say which one, and what it means. */
function namingGzipErrors(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!isGzipName(path) || typeof code !== 'string' || !code.startsWith('Z_')) return err;
  const message = (err as Error).message;
  return code === 'Z_BUF_ERROR'
    ? new CompressedFileError(path, `the gzip data ends early (${message}): the file is truncated`)
    : new CompressedFileError(path, `not gzip data (${message}), though the name ends in .gz`);
}

async function* withGzipErrors(path: string, molecules: AsyncIterable<Molecule>): AsyncGenerator<Molecule> {
  try {
    yield* molecules;
  } catch (err) {
    throw namingGzipErrors(path, err);
  }
}

/** The bytes of a file, gunzipped when its name ends in `.gz`. */
async function fileBytes(path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  if (!isGzipName(path)) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (err) {
    throw namingGzipErrors(path, err);
  }
}

/** Streams the molecules of an SD file on disk (`.sdf`, `.mol`, or gzipped `.sdf.gz`); errors name the file. */
export async function* readSdfFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  yield* withGzipErrors(path, readSdfRecords(fileLines(path), withSource(path, options)));
}

/** Streams the frames of an XYZ file on disk (multi-frame, QM9 originals, `.gz` too). */
export async function* readXyzFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  yield* withGzipErrors(path, readXyzFrames(fileLines(path), withSource(path, options)));
}

/** Reads the molecules of an EDM-processed QM9 `.npz` file (e.g. EDM's `qm9/temp/qm9/test.npz`; `.npz.gz` gunzipped). */
export async function readEdmNpzFile(path: string, options: ReadOptions = {}): Promise<Molecule[]> {
  return moleculesFromEdmNpz(await fileBytes(path), withSource(path, options));
}

/** Reads an equimol JSON molecule list (`moleculesToJson`) from disk, `.json.gz` gunzipped. */
export async function readMoleculeJsonFile(path: string, options: ReadOptions = {}): Promise<Molecule[]> {
  return moleculesFromJson(new TextDecoder().decode(await fileBytes(path)), withSource(path, options));
}

/**
 * Streams the molecules of any supported file, its format chosen by name in core's format table
 * (`moleculeFormatOf`; an unknown name is an `UnknownFormatError`). Text formats stream record by
 * record; the others are read whole. Every format honours `skipInvalid` and `stats`; errors name the
 * file (and record, where there is one).
 */
export async function* readMoleculeFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  const format = moleculeFormatOf(path);
  const opts = withSource(path, options);
  if (format.readStream) yield* withGzipErrors(path, format.readStream(fileLines(path), opts));
  else yield* format.read(await fileBytes(path), opts);
}
