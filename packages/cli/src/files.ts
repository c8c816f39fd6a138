import { basename } from 'node:path';
import {
  type Molecule,
  MoleculeParseError,
  type MoleculeFormat,
  moleculeFormatNamed,
  moleculeFormatOf,
  newReadStats,
  readMoleculeFile,
} from '@equimol/core/node';
import { type GlobalArgs, note } from './context.js';
import { UsageError } from './errors.js';

// Which core reader or writer a file name calls for: core's format table decides, by extension, for
// the CLI as for Node and the viewer (an unknown name is core's UnknownFormatError, a usage error).
// A name ending in .gz means gzip on both sides (reading and writing), for every format.

/** The output format for a path (or `--format`); SDF on standard output unless `--format` says otherwise. */
export function outputFormat(path: string | undefined, requested: string | undefined): MoleculeFormat {
  const format = requested !== undefined ? moleculeFormatNamed(requested) : path !== undefined ? moleculeFormatOf(path) : moleculeFormatNamed('sdf');
  if (format.binary && path === undefined) throw new UsageError(`${format.name} is a binary format: write it to a file with -o FILE.${format.extensions[0]}`);
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
  for (const path of paths) moleculeFormatOf(path);
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

/** The text of molecules in a text format, for standard output. */
export function moleculesText(format: MoleculeFormat, molecules: Molecule[]): string {
  const text = format.write(molecules);
  if (typeof text !== 'string') throw new UsageError(`${format.name} is a binary format: write it to a file`);
  return text;
}
