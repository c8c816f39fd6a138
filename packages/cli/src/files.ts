import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import {
  formatEdmNpz,
  type Molecule,
  moleculeFileFormat,
  moleculesFromJson,
  moleculesToJson,
  readMoleculeFile,
  type ReadOptions,
  writeSdfFile,
  writeXyz,
  writeSdf,
} from '@equimol/core/node';
import { UsageError } from './errors.js';

// Which core reader or writer a file name calls for. Formats are chosen by extension, as core's
// readers do, plus equimol's JSON molecule lists.

/** Formats equimol writes molecules in (npz: EDM's processed-QM9 layout). */
export type MoleculeOutputFormat = 'sdf' | 'xyz' | 'json' | 'npz';

/** The format a path's extension names (`.gz` allowed), `json` included; undefined if none. */
export function formatOfPath(path: string): MoleculeOutputFormat | undefined {
  if (/\.json(\.gz)?$/i.test(path)) return 'json';
  return moleculeFileFormat(path);
}

/** The output format for a path (or `--format`), refusing formats equimol cannot write. */
export function outputFormat(path: string | undefined, requested: string | undefined): MoleculeOutputFormat {
  const format = requested ?? (path ? formatOfPath(path) : undefined) ?? 'sdf';
  if (format !== 'sdf' && format !== 'xyz' && format !== 'json' && format !== 'npz') throw new UsageError(`unknown output format "${format}" (sdf, xyz, json or npz)`);
  if (format === 'npz' && path === undefined) throw new UsageError('npz is a binary format: write it to a file with -o FILE.npz');
  return format;
}

/** Streams the molecules of an input file (SDF, XYZ, EDM npz, equimol JSON); core's errors name file, record and line. */
export async function* readMolecules(path: string, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  const format = formatOfPath(path);
  if (format === undefined) throw new UsageError(`${path}: unknown molecule file type (expected .sdf, .mol, .xyz, .npz or .json, optionally .gz)`);
  if (format === 'json') {
    yield* moleculesFromJson(await readFile(path, 'utf8'), options.source ?? path);
    return;
  }
  yield* readMoleculeFile(path, options);
}

/** Writes molecules to `path` in `format` (gzipped when the path ends in .gz); returns the count. */
export async function writeMolecules(path: string, format: MoleculeOutputFormat, molecules: Iterable<Molecule> | AsyncIterable<Molecule>): Promise<number> {
  if (format === 'sdf') return writeSdfFile(path, molecules);
  const all: Molecule[] = [];
  for await (const m of molecules) all.push(m);
  if (format === 'npz') {
    await writeFile(path, formatEdmNpz(all));
    return all.length;
  }
  const text = format === 'xyz' ? writeXyz(all) : JSON.stringify(moleculesToJson(all)) + '\n';
  await writeFile(path, /\.gz$/i.test(path) ? gzipSync(text) : text);
  return all.length;
}

/** The text of molecules in `format`, for standard output. */
export function moleculesText(format: Exclude<MoleculeOutputFormat, 'npz'>, molecules: Molecule[]): string {
  if (format === 'sdf') return writeSdf(molecules);
  if (format === 'xyz') return writeXyz(molecules);
  return JSON.stringify(moleculesToJson(molecules)) + '\n';
}
