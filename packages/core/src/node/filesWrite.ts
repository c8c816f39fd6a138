import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import type { Molecule } from '../chem/molecule.js';
import { isGzipName, type MoleculeFormat, moleculeFormatOf, trajectoryFormatOf } from '../io/formats.js';
import { formatSdfRecord, MoleculeWriteError, type SdfWriteOptions } from '../io/sdf.js';
import type { Trajectory } from '../io/trajectory.js';

/** Writes text pieces to a file (gzipped when its name ends in `.gz`) as they come, never as one string. */
async function writeTextPieces(path: string, pieces: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const file = createWriteStream(path);
  // Opened before the first piece is asked for: an unwritable path fails at once, not after the
  // (possibly long) generation of the first molecules.
  await once(file, 'open');
  // pipeline, unlike pipe(), passes an error of any stage (ENOSPC, EACCES) to all the others, so
  // back-pressure never waits on a stream that died.
  if (isGzipName(path)) await pipeline(pieces, createGzip(), file);
  else await pipeline(pieces, file);
}

/** Writes molecules record by record; a molecule that cannot be written names the file and record. */
async function writeRecords(
  path: string,
  molecules: Iterable<Molecule> | AsyncIterable<Molecule>,
  formatRecord: (molecule: Molecule) => string,
): Promise<number> {
  let count = 0;
  async function* records(): AsyncGenerator<string> {
    for await (const mol of molecules) {
      let record: string;
      try {
        record = formatRecord(mol);
      } catch (err) {
        if (err instanceof MoleculeWriteError) throw new MoleculeWriteError(`${path}, record ${count + 1}: ${err.message}`);
        throw err;
      }
      count++;
      yield record;
    }
  }
  await writeTextPieces(path, records());
  return count;
}

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
  return writeRecords(path, molecules, (mol) => formatSdfRecord(mol, options));
}

/**
 * Writes molecules in the format their file name says (core's format table; `.gz` gzips), or in
 * `format`. Formats with records (SDF, XYZ) are streamed; the others are written whole. Returns the
 * number of molecules written.
 */
export async function writeMoleculeFile(
  path: string,
  molecules: Iterable<Molecule> | AsyncIterable<Molecule>,
  format: MoleculeFormat = moleculeFormatOf(path),
): Promise<number> {
  if (format.writeRecord) return writeRecords(path, molecules, format.writeRecord);
  const all: Molecule[] = [];
  for await (const m of molecules) all.push(m);
  const data = format.write(all);
  await writeFile(path, isGzipName(path) ? gzipSync(data) : data);
  return all.length;
}

/** Writes a denoising trajectory as its file name says (`.sdf` or `.json`, optionally `.gz`). */
export async function writeTrajectoryFile(path: string, trajectory: Trajectory, format: MoleculeFormat = trajectoryFormatOf(path)): Promise<void> {
  if (!format.writeTrajectory) throw new Error(`format ${format.name} cannot hold a trajectory`);
  await writeTextPieces(path, format.writeTrajectory(trajectory));
}
