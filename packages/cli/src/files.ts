import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  formatEdmNpz,
  type Molecule,
  MoleculeParseError,
  type MoleculeFileFormat,
  moleculeFileFormat,
  moleculesToJson,
  newReadStats,
  readMoleculeFile,
  writeSdfFile,
  writeXyz,
  writeSdf,
} from '@equimol/core/node';
import { type GlobalArgs, note } from './context.js';
import { UsageError } from './errors.js';

// Which core reader or writer a file name calls for. Formats are chosen by extension, as core's
// readers do; a name ending in .gz means gzip on both sides (reading and writing), for every format.

/** Formats equimol writes molecules in (npz: EDM's processed-QM9 layout). */
export type MoleculeOutputFormat = 'sdf' | 'xyz' | 'json' | 'npz';

/** The format of an input file from its name, refusing names equimol cannot read (a usage error). */
export function inputFormat(path: string): MoleculeFileFormat {
  const format = moleculeFileFormat(path);
  if (format === undefined) throw new UsageError(`${path}: unknown molecule file type (expected .sdf, .mol, .xyz, .npz or .json, optionally .gz)`);
  return format;
}

/** The output format for a path (or `--format`), refusing formats equimol cannot write. */
export function outputFormat(path: string | undefined, requested: string | undefined): MoleculeOutputFormat {
  const format = requested ?? (path ? moleculeFileFormat(path) : undefined) ?? 'sdf';
  if (format !== 'sdf' && format !== 'xyz' && format !== 'json' && format !== 'npz') throw new UsageError(`unknown output format "${format}" (sdf, xyz, json or npz)`);
  if (format === 'npz' && path === undefined) throw new UsageError('npz is a binary format: write it to a file with -o FILE.npz');
  return format;
}

/** Why a molecule read from a file cannot be used (e.g. an element outside a vocabulary), or undefined if it can. */
export type MoleculeCheck = (molecule: Molecule) => string | undefined;

/**
 * Streams the molecules of several input files in turn (core's `readMoleculeFile`, by extension).
 * Malformed records, and molecules that fail `check`, stop the read with an error naming file and
 * record, or with `skipInvalid` are skipped and counted in one note per file.
 */
export async function* readMoleculeFiles(paths: string[], args: GlobalArgs & { skipInvalid: boolean }, check?: MoleculeCheck): AsyncGenerator<Molecule> {
  for (const path of paths) inputFormat(path);
  for (const path of paths) {
    const stats = newReadStats();
    // Records the reader skipped, so that the molecules it returns can be numbered as records of the file.
    const skipped = new Set<number>();
    let record = 0;
    let misfits = 0;
    let firstMisfit = '';
    for await (const molecule of readMoleculeFile(path, { skipInvalid: args.skipInvalid, stats, onSkip: (e) => skipped.add(e.record) })) {
      record++;
      while (skipped.has(record)) record++;
      const reason = check?.(molecule);
      if (reason === undefined) {
        yield molecule;
        continue;
      }
      const error = new MoleculeParseError(basename(path), record, undefined, reason);
      if (!args.skipInvalid) throw error;
      if (misfits++ === 0) firstMisfit = error.message;
    }
    if (stats.skipped > 0) note(args, `${path}: skipped ${stats.skipped} malformed record(s); first: ${stats.errors[0]?.message ?? ''}`);
    if (misfits > 0) note(args, `${path}: skipped ${misfits} unusable molecule(s); first: ${firstMisfit}`);
    for (const w of stats.warnings) note(args, w);
  }
}

/** Writes molecules to `path` in `format` (gzipped when the path ends in .gz); returns the count. */
export async function writeMolecules(path: string, format: MoleculeOutputFormat, molecules: Iterable<Molecule> | AsyncIterable<Molecule>): Promise<number> {
  if (format === 'sdf') return writeSdfFile(path, molecules);
  const all: Molecule[] = [];
  for await (const m of molecules) all.push(m);
  const data = format === 'npz' ? formatEdmNpz(all) : format === 'xyz' ? writeXyz(all) : JSON.stringify(moleculesToJson(all)) + '\n';
  await writeFile(path, /\.gz$/i.test(path) ? gzipSync(data) : data);
  return all.length;
}

/** The text of molecules in `format`, for standard output. */
export function moleculesText(format: Exclude<MoleculeOutputFormat, 'npz'>, molecules: Molecule[]): string {
  if (format === 'sdf') return writeSdf(molecules);
  if (format === 'xyz') return writeXyz(molecules);
  return JSON.stringify(moleculesToJson(molecules)) + '\n';
}
