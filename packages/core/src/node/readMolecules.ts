import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Molecule } from '../chem/molecule.js';
import type { ReadOptions } from '../io/errors.js';
import { moleculesFromEdmNpz } from '../io/npz.js';
import { readSdfRecords } from '../io/sdf.js';
import { readXyzFrames } from '../io/xyz.js';
import { fileLines, isGzipPath } from './filesLines.js';

function withSource(path: string, options: ReadOptions): ReadOptions {
  return { ...options, source: options.source ?? basename(path) };
}

/** Streams the molecules of an SD file on disk (`.sdf`, `.mol`, or gzipped `.sdf.gz`); errors name the file. */
export async function* readSdfFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  yield* readSdfRecords(fileLines(path), withSource(path, options));
}

/** Streams the frames of an XYZ file on disk (multi-frame, QM9 originals, `.gz` too). */
export async function* readXyzFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  yield* readXyzFrames(fileLines(path), withSource(path, options));
}

/** Reads the molecules of an EDM-processed QM9 `.npz` file (e.g. EDM's `qm9/temp/qm9/test.npz`). */
export async function readEdmNpzFile(path: string, options: ReadOptions = {}): Promise<Molecule[]> {
  let bytes = new Uint8Array(await readFile(path));
  if (isGzipPath(path)) bytes = new Uint8Array(gunzipSync(bytes));
  return moleculesFromEdmNpz(bytes, withSource(path, options));
}

/** Molecule file formats equimol reads, by file name. */
export type MoleculeFileFormat = 'sdf' | 'xyz' | 'npz';

/** The format of a molecule file from its name (`.sdf`, `.mol`, `.sd`, `.xyz`, `.npz`, each optionally `.gz`). */
export function moleculeFileFormat(path: string): MoleculeFileFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (/\.(sdf|sd|mol)$/.test(name)) return 'sdf';
  if (name.endsWith('.xyz')) return 'xyz';
  if (name.endsWith('.npz')) return 'npz';
  return undefined;
}

/** Streams the molecules of any supported file, chosen by its extension (see `moleculeFileFormat`). */
export async function* readMoleculeFile(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  const format = moleculeFileFormat(path);
  if (format === 'sdf') yield* readSdfFile(path, options);
  else if (format === 'xyz') yield* readXyzFile(path, options);
  else if (format === 'npz') yield* await readEdmNpzFile(path, options);
  else throw new Error(`${path}: unknown molecule file type (expected .sdf, .mol, .xyz or .npz, optionally .gz)`);
}
