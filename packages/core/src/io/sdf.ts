import type { Bond, Molecule } from '../chem/molecule.js';
import { normalizeElementSymbol } from '../chem/elements.js';
import { MoleculeParseError, RecordTally, type ReadOptions } from './errors.js';
import { decodeText, splitLines, type LineSource } from './lines.js';
import { registerFormat } from './formatRegistry.js';
import { trajectoryFromSdfRecords, trajectoryToSdfRecords } from './trajectory.js';
import { EquimolError } from '../errors.js';

// MDL CTfile formats (BIOVIA "CTFile Formats" 2020): a V2000 connection table is fixed-column; V3000
// is `M  V30` keyword lines. An SDF is molfiles each followed by data items and a `$$$$` line.

const RECORD_END = '$$$$';

/** Where the record being parsed sits in its source, for error messages. */
interface RecordContext {
  file: string;
  record: number;
  /** 1-based source line of the record's first line. */
  firstLine: number;
}

function fail(ctx: RecordContext, index: number, reason: string): never {
  throw new MoleculeParseError(ctx.file, ctx.record, ctx.firstLine + index, reason);
}

/** Parses a fixed-width integer field; blank means `blankValue`, anything else non-integer fails. */
function intField(ctx: RecordContext, index: number, line: string, from: number, to: number, what: string, blankValue?: number): number {
  const text = line.slice(from, to).trim();
  if (text === '' && blankValue !== undefined) return blankValue;
  if (!/^[+-]?\d+$/.test(text)) fail(ctx, index, `${what} is ${JSON.stringify(text)}, expected an integer`);
  return Number(text);
}

/** Parses a coordinate; blank, NaN and infinite values are errors (no atom is placed at a made-up origin). */
function coordinate(ctx: RecordContext, index: number, text: string, axis: string): number {
  const t = text.trim();
  const value = t === '' ? NaN : Number(t);
  if (!Number.isFinite(value)) fail(ctx, index, `${axis} coordinate is ${JSON.stringify(t)}, expected a finite number`);
  return value;
}

function element(ctx: RecordContext, index: number, raw: string, atom: number): string {
  const symbol = normalizeElementSymbol(raw);
  if (symbol === undefined) fail(ctx, index, `atom ${atom} has unknown element ${JSON.stringify(raw.trim())}`);
  return symbol;
}

function bondOrder(ctx: RecordContext, index: number, order: number): Bond['order'] {
  if (order === 1 || order === 2 || order === 3 || order === 4) return order;
  fail(ctx, index, `bond type ${order} is not a single, double, triple or aromatic bond (query bonds are not molecules)`);
}

function checkBondAtoms(ctx: RecordContext, index: number, a: number, b: number, atoms: number): void {
  if (a < 1 || a > atoms || b < 1 || b > atoms) fail(ctx, index, `bond ${a}-${b} refers to an atom outside 1..${atoms}`);
  if (a === b) fail(ctx, index, `bond joins atom ${a} to itself`);
}

// V2000 atom-block charge codes: 1 → +3, 2 → +2, 3 → +1, 4 → doublet radical (no charge), 5 → −1, …
const V2000_CHARGE: readonly number[] = [0, 3, 2, 1, 0, -1, -2, -3];

interface ConnectionTable {
  elements: string[];
  positions: Float64Array;
  bonds: Bond[];
  formalCharges: number[];
  /** Index (in the record) of the line after the table, `M  END` included. */
  next: number;
}

function parseV2000(ctx: RecordContext, lines: string[], atoms: number, bondCount: number): ConnectionTable {
  const elements: string[] = new Array(atoms);
  const positions = new Float64Array(3 * atoms);
  const blockCharges: number[] = new Array(atoms).fill(0);
  let i = 4;
  for (let k = 0; k < atoms; k++, i++) {
    const line = lines[i];
    if (line === undefined || line === RECORD_END) fail(ctx, Math.min(i, lines.length), `record ends inside the atom block: expected ${atoms} atoms, found ${k}`);
    positions[3 * k] = coordinate(ctx, i, line.slice(0, 10), 'x');
    positions[3 * k + 1] = coordinate(ctx, i, line.slice(10, 20), 'y');
    positions[3 * k + 2] = coordinate(ctx, i, line.slice(20, 30), 'z');
    elements[k] = element(ctx, i, line.slice(31, 34), k + 1);
    const code = intField(ctx, i, line, 36, 39, 'charge code', 0);
    if (code < 0 || code > 7) fail(ctx, i, `atom ${k + 1} has charge code ${code}, expected 0..7`);
    blockCharges[k] = V2000_CHARGE[code]!;
  }
  const bonds: Bond[] = [];
  for (let k = 0; k < bondCount; k++, i++) {
    const line = lines[i];
    if (line === undefined || line === RECORD_END) fail(ctx, Math.min(i, lines.length), `record ends inside the bond block: expected ${bondCount} bonds, found ${k}`);
    const a = intField(ctx, i, line, 0, 3, 'first bond atom');
    const b = intField(ctx, i, line, 3, 6, 'second bond atom');
    checkBondAtoms(ctx, i, a, b, atoms);
    bonds.push({ a: a - 1, b: b - 1, order: bondOrder(ctx, i, intField(ctx, i, line, 6, 9, 'bond type')) });
  }
  // Properties block. Any `M  CHG` line supersedes every atom-block charge (CTfile spec).
  let chargeLines: number[] | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('M  END')) {
      i++;
      break;
    }
    if (line.startsWith('M  CHG')) {
      chargeLines ??= new Array(atoms).fill(0);
      const n = intField(ctx, i, line, 6, 9, 'number of charge entries');
      for (let e = 0; e < n; e++) {
        const at = intField(ctx, i, line, 9 + 8 * e, 13 + 8 * e, 'charged atom');
        const charge = intField(ctx, i, line, 13 + 8 * e, 17 + 8 * e, 'charge');
        if (at < 1 || at > atoms) fail(ctx, i, `charge given for atom ${at}, outside 1..${atoms}`);
        chargeLines[at - 1] = charge;
      }
    } else if (line === RECORD_END || line.startsWith('> ') || line === '>') {
      break; // Tolerated: some writers omit `M  END`.
    }
  }
  return { elements, positions, bonds, formalCharges: chargeLines ?? blockCharges, next: i };
}

/** `M  V30` lines of a V3000 table with `-` continuations joined, paired with their record line index. */
function v3000Lines(lines: string[], from: number): { text: string; index: number }[] {
  const out: { text: string; index: number }[] = [];
  let pending: { text: string; index: number } | undefined;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('M  END') || line === RECORD_END) break;
    if (!line.startsWith('M  V30 ')) continue;
    const body = line.slice(7);
    const cont = body.endsWith('-');
    const piece = cont ? body.slice(0, -1) : body;
    if (pending) pending.text += piece;
    else pending = { text: piece, index: i };
    if (!cont) {
      out.push(pending);
      pending = undefined;
    }
  }
  return out;
}

function parseV3000(ctx: RecordContext, lines: string[]): ConnectionTable {
  const entries = v3000Lines(lines, 4);
  const elements: string[] = [];
  const coords: number[] = [];
  const formalCharges: number[] = [];
  const idToIndex = new Map<number, number>();
  const bonds: Bond[] = [];
  let block = '';
  let declaredAtoms = -1;
  let declaredBonds = -1;
  for (const { text, index } of entries) {
    const tokens = text.trim().split(/\s+/);
    if (tokens[0] === 'BEGIN' || tokens[0] === 'END') {
      block = tokens[0] === 'BEGIN' ? (tokens[1] ?? '') : '';
      continue;
    }
    if (tokens[0] === 'COUNTS') {
      declaredAtoms = Number(tokens[1]);
      declaredBonds = Number(tokens[2]);
      continue;
    }
    if (block === 'ATOM') {
      if (tokens.length < 6) fail(ctx, index, `V3000 atom line has ${tokens.length} fields, expected at least 6`);
      const id = Number(tokens[0]);
      idToIndex.set(id, elements.length);
      elements.push(element(ctx, index, tokens[1]!, id));
      coords.push(coordinate(ctx, index, tokens[2]!, 'x'), coordinate(ctx, index, tokens[3]!, 'y'), coordinate(ctx, index, tokens[4]!, 'z'));
      const chg = tokens.slice(6).find((t) => t.startsWith('CHG='));
      formalCharges.push(chg ? Number(chg.slice(4)) : 0);
    } else if (block === 'BOND') {
      if (tokens.length < 4) fail(ctx, index, `V3000 bond line has ${tokens.length} fields, expected at least 4`);
      const order = Number(tokens[1]);
      const a = idToIndex.get(Number(tokens[2]));
      const b = idToIndex.get(Number(tokens[3]));
      if (a === undefined || b === undefined) fail(ctx, index, `bond ${tokens[2]}-${tokens[3]} refers to an undeclared atom`);
      checkBondAtoms(ctx, index, a + 1, b + 1, elements.length);
      bonds.push({ a, b, order: bondOrder(ctx, index, order) });
    }
  }
  if (declaredAtoms >= 0 && declaredAtoms !== elements.length) fail(ctx, 3, `V3000 COUNTS declares ${declaredAtoms} atoms, the atom block has ${elements.length}`);
  if (declaredBonds >= 0 && declaredBonds !== bonds.length) fail(ctx, 3, `V3000 COUNTS declares ${declaredBonds} bonds, the bond block has ${bonds.length}`);
  let next = 4;
  while (next < lines.length && !lines[next]!.startsWith('M  END') && lines[next] !== RECORD_END) next++;
  if (next < lines.length && lines[next]!.startsWith('M  END')) next++;
  return { elements, positions: Float64Array.from(coords), bonds, formalCharges, next };
}

/** `> <NAME>` data items after the connection table: name → value lines joined with `\n`. */
function parseDataItems(lines: string[], from: number): Record<string, string> | undefined {
  let properties: Record<string, string> | undefined;
  for (let i = from; i < lines.length; i++) {
    const header = lines[i]!;
    if (!header.startsWith('>')) continue;
    const name = /<([^>]*)>/.exec(header)?.[1];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '' && lines[i] !== RECORD_END; i++) value.push(lines[i]!);
    if (name !== undefined) (properties ??= {})[name] = value.join('\n');
  }
  return properties;
}

/** Parses one molfile record (lines without the closing `$$$$`). */
function parseMolfileRecord(ctx: RecordContext, lines: string[]): Molecule {
  const counts = lines[3];
  if (counts === undefined) fail(ctx, lines.length, `record has ${lines.length} lines; a molfile needs 3 header lines and a counts line`);
  const version = counts.slice(33, 39).trim();
  let table: ConnectionTable;
  if (version === 'V3000') {
    table = parseV3000(ctx, lines);
  } else if (version === 'V2000' || version === '') {
    const atoms = intField(ctx, 3, counts, 0, 3, 'atom count');
    const bondCount = intField(ctx, 3, counts, 3, 6, 'bond count');
    table = parseV2000(ctx, lines, atoms, bondCount);
  } else {
    fail(ctx, 3, `unsupported molfile version ${JSON.stringify(version)} (expected V2000 or V3000)`);
  }
  const molecule: Molecule = {
    elements: table.elements,
    positions: table.positions,
    bonds: table.bonds,
    formalCharges: table.formalCharges,
  };
  const title = lines[0]!.trim();
  if (title !== '') molecule.title = title;
  const properties = parseDataItems(lines, table.next);
  if (properties) molecule.properties = properties;
  return molecule;
}

/**
 * Splits a line stream into SDF records and parses each one; push-based so that the same code serves
 * the synchronous `parseSdf` and the streaming `readSdfRecords`.
 */
class SdfRecordReader {
  private readonly tally: RecordTally;
  private record: string[] = [];
  private lineNo = 0;
  private firstLine = 1;

  constructor(options: ReadOptions, defaultSource: string) {
    this.tally = new RecordTally(options, defaultSource);
  }

  /** Feeds one line; returns the molecule whose record this line completes, if any. */
  push(raw: string): Molecule | undefined {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line !== RECORD_END) {
      this.record.push(line);
      return undefined;
    }
    const molecule = this.parseRecord();
    this.record = [];
    this.firstLine = this.lineNo + 1;
    return molecule;
  }

  /** Ends the input: parses a last record without `$$$$` (a plain .mol file). */
  end(): Molecule | undefined {
    // Whitespace after the last `$$$$` is no record.
    const molecule = this.record.some((l) => l.trim() !== '') ? this.parseRecord() : undefined;
    this.tally.finish('molecule records');
    return molecule;
  }

  private parseRecord(): Molecule | undefined {
    const ctx: RecordContext = { file: this.tally.source, record: this.tally.stats.records + 1, firstLine: this.firstLine };
    return this.tally.take(() => parseMolfileRecord(ctx, this.record));
  }
}

/**
 * Reads an SD file (or a single molfile) record by record from a stream of lines, V2000 and V3000.
 * Bonds, formal charges (atom block or `M  CHG`) and data items (`> <NAME>`, into `properties`) are kept.
 * Malformed records throw `MoleculeParseError` unless `options.skipInvalid`.
 */
export async function* readSdfRecords(lines: LineSource, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  const reader = new SdfRecordReader(options, '<stream>');
  for await (const line of lines) {
    const molecule = reader.push(line);
    if (molecule) yield molecule;
  }
  const last = reader.end();
  if (last) yield last;
}

/** Parses a whole SD file (or molfile) held in memory; see `readSdfRecords`. */
export function parseSdf(text: string, options: ReadOptions = {}): Molecule[] {
  const reader = new SdfRecordReader(options, '<string>');
  const molecules: Molecule[] = [];
  for (const line of splitLines(text)) {
    const molecule = reader.push(line);
    if (molecule) molecules.push(molecule);
  }
  const last = reader.end();
  if (last) molecules.push(last);
  return molecules;
}

/** Options of the SDF writer. */
export interface SdfWriteOptions {
  /** Program name written on the molfile header line (8 characters at most; default `equimol`). */
  program?: string;
}

/** Thrown when a molecule cannot be written (non-finite coordinates, inconsistent bonds or charges). */
export class MoleculeWriteError extends EquimolError {
  constructor(reason: string) {
    super(reason);
    this.name = 'MoleculeWriteError';
  }
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

function formatCoordinate(value: number, atom: number): string {
  if (!Number.isFinite(value)) throw new MoleculeWriteError(`atom ${atom + 1} has a non-finite coordinate (${value})`);
  return pad(value.toFixed(4), 10);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function checkForWriting(mol: Molecule): void {
  const n = mol.elements.length;
  if (mol.positions.length !== 3 * n) throw new MoleculeWriteError(`${n} atoms but ${mol.positions.length / 3} positions`);
  if (mol.formalCharges && mol.formalCharges.length !== n) throw new MoleculeWriteError(`${n} atoms but ${mol.formalCharges.length} formal charges`);
  for (const bond of mol.bonds ?? []) {
    if (!(bond.a >= 0 && bond.a < n && bond.b >= 0 && bond.b < n) || bond.a === bond.b) {
      throw new MoleculeWriteError(`bond ${bond.a + 1}-${bond.b + 1} refers to an atom outside 1..${n}`);
    }
  }
}

function headerLines(mol: Molecule, options: SdfWriteOptions): string[] {
  const program = (options.program ?? 'equimol').slice(0, 8).padEnd(8);
  // Header line 2: 2 initials, 8 program, 10 date (left blank so output is reproducible), "3D".
  return [oneLine(mol.title ?? ''), `  ${program}          3D`, ''];
}

function v2000Table(mol: Molecule): string[] {
  const n = mol.elements.length;
  const bonds = mol.bonds ?? [];
  const charges = mol.formalCharges ?? [];
  const lines = [`${pad(n, 3)}${pad(bonds.length, 3)}  0  0  0  0  0  0  0  0999 V2000`];
  for (let i = 0; i < n; i++) {
    const x = formatCoordinate(mol.positions[3 * i]!, i);
    const y = formatCoordinate(mol.positions[3 * i + 1]!, i);
    const z = formatCoordinate(mol.positions[3 * i + 2]!, i);
    const charge = charges[i] ?? 0;
    const code = charge >= -3 && charge <= 3 && charge !== 0 ? 4 - charge : 0;
    lines.push(`${x}${y}${z} ${mol.elements[i]!.padEnd(3)} 0${pad(code, 3)}  0  0  0  0  0  0  0  0  0  0`);
  }
  for (const { a, b, order } of bonds) lines.push(`${pad(a + 1, 3)}${pad(b + 1, 3)}${pad(order, 3)}  0`);
  const charged = charges.map((c, i) => [i + 1, c] as const).filter(([, c]) => c !== 0);
  for (let k = 0; k < charged.length; k += 8) {
    const chunk = charged.slice(k, k + 8);
    lines.push(`M  CHG${pad(chunk.length, 3)}${chunk.map(([i, c]) => `${pad(i, 4)}${pad(c, 4)}`).join('')}`);
  }
  lines.push('M  END');
  return lines;
}

function v3000Table(mol: Molecule): string[] {
  const n = mol.elements.length;
  const bonds = mol.bonds ?? [];
  const lines = ['  0  0  0     0  0            999 V3000', 'M  V30 BEGIN CTAB', `M  V30 COUNTS ${n} ${bonds.length} 0 0 0`, 'M  V30 BEGIN ATOM'];
  for (let i = 0; i < n; i++) {
    const xyz = [0, 1, 2].map((d) => formatCoordinate(mol.positions[3 * i + d]!, i).trim()).join(' ');
    const charge = mol.formalCharges?.[i] ?? 0;
    lines.push(`M  V30 ${i + 1} ${mol.elements[i]} ${xyz} 0${charge !== 0 ? ` CHG=${charge}` : ''}`);
  }
  lines.push('M  V30 END ATOM', 'M  V30 BEGIN BOND');
  bonds.forEach(({ a, b, order }, k) => lines.push(`M  V30 ${k + 1} ${order} ${a + 1} ${b + 1}`));
  lines.push('M  V30 END BOND', 'M  V30 END CTAB', 'M  END');
  return lines;
}

/**
 * One molfile (no `$$$$`): V2000, or V3000 beyond what V2000's fixed columns hold (999 atoms/bonds,
 * coordinates in a 10-character field), with formal charges in `M  CHG` lines and the atom block.
 */
export function formatMolfile(mol: Molecule, options: SdfWriteOptions = {}): string {
  checkForWriting(mol);
  const large =
    mol.elements.length > 999 || (mol.bonds?.length ?? 0) > 999 || mol.positions.some((v) => v.toFixed(4).length > 10);
  return [...headerLines(mol, options), ...(large ? v3000Table(mol) : v2000Table(mol))].join('\n') + '\n';
}

/** One SDF record: molfile, `> <NAME>` data items from `properties`, and the `$$$$` terminator. */
export function formatSdfRecord(mol: Molecule, options: SdfWriteOptions = {}): string {
  let text = formatMolfile(mol, options);
  for (const [name, value] of Object.entries(mol.properties ?? {})) {
    // A blank line ends a data item, so blank lines inside a value are dropped.
    const body = value.split(/\r?\n/).filter((l) => l.trim() !== '').join('\n');
    text += `> <${oneLine(name)}>\n${body}\n\n`;
  }
  return text + '$$$$\n';
}

/** A whole SD file of the given molecules. */
export function writeSdf(molecules: Iterable<Molecule>, options: SdfWriteOptions = {}): string {
  let text = '';
  for (const mol of molecules) text += formatSdfRecord(mol, options);
  return text;
}

registerFormat({
  name: 'sdf',
  extensions: ['sdf', 'sd', 'mol'],
  description: 'MDL SD file or molfile (V2000/V3000), with bonds, charges and data items',
  binary: false,
  holds: { bonds: true, formalCharges: true, properties: true, trajectories: true },
  read: (bytes, options) => parseSdf(decodeText(bytes), options),
  readStream: readSdfRecords,
  write: (molecules) => writeSdf(molecules),
  writeRecord: (molecule) => formatSdfRecord(molecule),
  readTrajectory: (bytes, source) => trajectoryFromSdfRecords(parseSdf(decodeText(bytes), { source }), source),
  *writeTrajectory(trajectory) {
    for (const record of trajectoryToSdfRecords(trajectory)) yield formatSdfRecord(record);
  },
});
