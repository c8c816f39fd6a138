import type { Molecule } from '../chem/molecule.js';
import { EquimolError } from '../errors.js';
import type { ReadOptions } from './errors.js';
import type { LineSource } from './lines.js';
import type { Trajectory } from './trajectory.js';

// The table of molecule file formats, as NGL's ParserRegistry: each format module ends by registering
// its entry, and callers (Node's file readers, the CLI, the viewer) ask by file name. Callers import
// `io/formats.ts`, which loads every format module; this file holds only the table, so that the
// format modules can register without an import cycle.

/** What a file of a format can hold beyond elements and coordinates. */
export interface FormatHolds {
  bonds: boolean;
  formalCharges: boolean;
  /** Named data per molecule (SDF data items, JSON properties, QM9 properties). */
  properties: boolean;
  /** Denoising trajectories with their noise levels (`equimol sample --trajectory`). */
  trajectories: boolean;
}

/** One molecule file format: how to read and write it, and what it holds. */
export interface MoleculeFormat {
  /** Short name, as `--format` takes it. */
  readonly name: string;
  /** File name extensions, lower case without the dot; any may be followed by `.gz`. */
  readonly extensions: readonly string[];
  /** What the format is, for help texts. */
  readonly description: string;
  /** Files are bytes (npz), not text: they cannot go to a terminal. */
  readonly binary: boolean;
  readonly holds: FormatHolds;
  /** All molecules of a file's (gunzipped) bytes. */
  read(bytes: Uint8Array, options?: ReadOptions): Molecule[];
  /** Molecules one record at a time from a stream of lines, for text files too large to hold. */
  readStream?(lines: LineSource, options?: ReadOptions): AsyncGenerator<Molecule>;
  /** A whole file of molecules. */
  write(molecules: readonly Molecule[]): string | Uint8Array;
  /** The text of one record; a file is its records one after another, so writers can stream. */
  writeRecord?(molecule: Molecule): string;
  /** The trajectory a file holds; without it, each molecule of the file is a one-frame trajectory. */
  readTrajectory?(bytes: Uint8Array, source: string): Trajectory;
  /** The text of a trajectory file, in pieces (one per record where the format has records). */
  writeTrajectory?(trajectory: Trajectory): Iterable<string>;
}

const formats: MoleculeFormat[] = [];

/** Adds a format to the table; an extension already claimed by another format is a programming error. */
export function registerFormat(format: MoleculeFormat): void {
  for (const ext of format.extensions) {
    const owner = formats.find((f) => f.extensions.includes(ext));
    if (owner && owner.name !== format.name) throw new Error(`extension .${ext} is already registered by format ${owner.name}`);
  }
  const i = formats.findIndex((f) => f.name === format.name);
  if (i >= 0) formats[i] = format;
  else formats.push(format);
  // By name, not by registration: which format module loads first depends on who imports what.
  formats.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every registered format, by name. */
export function moleculeFormats(): readonly MoleculeFormat[] {
  return formats;
}

/** Whether a file name says gzip (`.gz`), for every format alike. */
export function isGzipName(name: string): boolean {
  return /\.gz$/i.test(name);
}

/** The extension that picks the format: the last one of the base name, after a `.gz`; '' when none. */
function formatExtension(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/\.gz$/i, '');
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** The extensions equimol reads, as a list for messages: `.sdf, .sd, … or .json, optionally .gz`. */
export function formatExtensionsText(list: readonly MoleculeFormat[] = formats): string {
  const exts = list.flatMap((f) => f.extensions.map((e) => `.${e}`));
  const text = exts.length > 1 ? `${exts.slice(0, -1).join(', ')} or ${exts[exts.length - 1]}` : (exts[0] ?? 'none');
  return `${text}, optionally .gz`;
}

/** The `accept` list of a file picker: every extension, and `.gz`. */
export function formatAcceptList(): string {
  return [...formats.flatMap((f) => f.extensions.map((e) => `.${e}`)), '.gz'].join(',');
}

/** A file whose name matches no registered format (a usage error: the name is the user's choice). */
export class UnknownFormatError extends EquimolError {
  constructor(
    /** The file name, as given. */
    readonly file: string,
  ) {
    super(`${file}: unknown molecule file type (expected ${formatExtensionsText()})`, { kind: 'usage', file });
    this.name = 'UnknownFormatError';
  }
}

/** The format of a file by its name (`.gz` is looked through), or undefined. */
export function findMoleculeFormat(name: string): MoleculeFormat | undefined {
  const ext = formatExtension(name);
  return formats.find((f) => f.extensions.includes(ext));
}

/** The format of a file by its name; an `UnknownFormatError` when there is none. */
export function moleculeFormatOf(name: string): MoleculeFormat {
  const format = findMoleculeFormat(name);
  if (!format) throw new UnknownFormatError(name);
  return format;
}

/** A format by its name (`--format sdf`); a usage error naming the known ones otherwise. */
export function moleculeFormatNamed(name: string): MoleculeFormat {
  const format = formats.find((f) => f.name === name.toLowerCase());
  if (!format) throw new EquimolError(`unknown molecule format "${name}" (${formats.map((f) => f.name).join(', ')})`, { kind: 'usage' });
  return format;
}

/** A format that can hold a trajectory, by file name; a usage error naming the ones that can otherwise. */
export function trajectoryFormatOf(name: string): MoleculeFormat {
  const format = moleculeFormatOf(name);
  if (format.writeTrajectory) return format;
  const able = formats.filter((f) => f.writeTrajectory).map((f) => `.${f.extensions[0]}`);
  throw new EquimolError(`${name}: ${format.name} files hold no trajectories; write the trajectory as ${able.join(' or ')} (optionally .gz)`, { kind: 'usage', file: name });
}
