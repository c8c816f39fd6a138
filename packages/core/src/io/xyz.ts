import type { Molecule } from '../chem/molecule.js';
import { elementSymbol, normalizeElementSymbol } from '../chem/elements.js';
import { MoleculeParseError, RecordTally, type ReadOptions } from './errors.js';
import { decodeText, splitLines, type LineSource } from './lines.js';
import { registerFormat } from './formatRegistry.js';
import { MoleculeWriteError } from './sdf.js';

// XYZ: per frame an atom count, a comment line, then `element x y z [more columns]`. QM9's original
// files (Ramakrishnan et al. 2014, dsgdb9nsd_*.xyz) put `gdb <id>` and 15 properties on the comment
// line, Mulliken charges in a fifth column, and three lines after the atoms: harmonic frequencies,
// SMILES (GDB-17 and relaxed) and InChI (same). Their numbers may use Mathematica's `*^` exponent.

/** Property names of QM9's `gdb` comment line, in file order (units as in QM9: GHz, D, a0³, Ha, …). */
export const QM9_PROPERTY_NAMES = ['A', 'B', 'C', 'mu', 'alpha', 'homo', 'lumo', 'gap', 'r2', 'zpve', 'U0', 'U', 'H', 'G', 'Cv'] as const;

/** Number of a QM9/Fortran-style numeral such as `1.2*^-6`; NaN if it is none. */
function parseNumber(text: string): number {
  return text === '' ? NaN : Number(text.replace('*^', 'e'));
}

type Phase = 'count' | 'comment' | 'atoms' | 'qm9-tail' | 'resync';

class XyzFrameReader {
  private readonly tally: RecordTally;
  private phase: Phase = 'count';
  private lineNo = 0;
  private expected = 0;
  private seen = 0;
  private tailLeft = 0;
  private mol: Molecule | undefined;
  private coords: number[] = [];
  private charges: number[] = [];
  private error: MoleculeParseError | undefined;

  constructor(options: ReadOptions, defaultSource: string) {
    this.tally = new RecordTally(options, defaultSource);
  }

  private fail(reason: string): MoleculeParseError {
    return new MoleculeParseError(this.tally.source, this.tally.stats.records + 1, this.lineNo, reason);
  }

  /** Feeds one line; returns the molecule this line completes, if any. */
  push(raw: string): Molecule | undefined {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    try {
      return this.step(line);
    } catch (e) {
      if (!(e instanceof MoleculeParseError)) throw e;
      // A bad count line loses the frame structure: resume at the next line that is a plain count.
      this.error = e;
      this.flushError();
      this.phase = 'resync';
      return undefined;
    }
  }

  /** Runs a per-line check; an error marks the frame bad, and the frame's lines are still consumed. */
  private guard(check: () => void): void {
    if (this.error) return;
    try {
      check();
    } catch (e) {
      if (!(e instanceof MoleculeParseError)) throw e;
      this.error = e;
    }
  }

  private flushError(): void {
    const e = this.error;
    this.error = undefined;
    this.mol = undefined;
    if (e) this.tally.reject(e);
  }

  private step(line: string): Molecule | undefined {
    switch (this.phase) {
      case 'resync':
        if (!/^\s*\d+\s*$/.test(line)) return undefined;
        this.phase = 'count';
        return this.step(line);
      case 'count': {
        const t = line.trim();
        if (t === '') return undefined; // blank lines between frames
        if (!/^\d+$/.test(t)) throw this.fail(`expected the atom count of a frame, found ${JSON.stringify(t.slice(0, 40))}`);
        this.expected = Number(t);
        this.mol = { elements: [], positions: new Float64Array(0) };
        this.coords = [];
        this.charges = [];
        this.phase = 'comment';
        return undefined;
      }
      case 'comment': {
        const mol = this.mol!;
        const comment = line.trim();
        if (comment !== '') mol.title = comment;
        const gdb = /^gdb\s+(\d+)\s+(.*)$/.exec(comment);
        this.tailLeft = gdb ? 3 : 0;
        this.phase = 'atoms';
        if (gdb) this.guard(() => {
          const values = gdb[2]!.trim().split(/\s+/);
          if (values.length < QM9_PROPERTY_NAMES.length) throw this.fail(`QM9 property line has ${values.length} values, expected ${QM9_PROPERTY_NAMES.length}`);
          mol.properties = { index: gdb[1]! };
          QM9_PROPERTY_NAMES.forEach((name, k) => {
            const v = parseNumber(values[k]!);
            if (Number.isNaN(v)) throw this.fail(`QM9 property ${name} is ${JSON.stringify(values[k])}, not a number`);
            mol.properties![name] = String(v);
          });
        });
        return this.expected === 0 ? this.endAtoms() : undefined;
      }
      case 'atoms': {
        this.guard(() => this.atomLine(line));
        return this.elementsDone() ? this.endAtoms() : undefined;
      }
      case 'qm9-tail': {
        this.guard(() => this.tailLine(line));
        this.tailLeft--;
        return this.tailLeft === 0 ? this.finishFrame() : undefined;
      }
    }
  }

  /** Counts an atom line of the current frame; true when it was the last one. */
  private elementsDone(): boolean {
    this.seen++;
    return this.seen === this.expected;
  }

  private atomLine(line: string): void {
    const mol = this.mol!;
    const tokens = line.trim().split(/\s+/);
    if (tokens.length < 4 || tokens[0] === '') throw this.fail(`atom line has ${tokens.length} fields, expected element x y z (frame declares ${this.expected} atoms)`);
    const token = tokens[0]!;
    let symbol: string | undefined;
    if (/^\d+$/.test(token)) {
      try {
        symbol = elementSymbol(Number(token));
      } catch {
        symbol = undefined;
      }
    } else {
      symbol = normalizeElementSymbol(token);
    }
    if (symbol === undefined) throw this.fail(`unknown element ${JSON.stringify(token)}`);
    const xyz = [tokens[1]!, tokens[2]!, tokens[3]!].map(parseNumber);
    xyz.forEach((v, d) => {
      if (!Number.isFinite(v)) throw this.fail(`${'xyz'[d]} coordinate is ${JSON.stringify(tokens[d + 1])}, expected a finite number`);
    });
    mol.elements.push(symbol);
    this.coords.push(...xyz);
    if (this.tailLeft > 0 && tokens.length >= 5) this.charges.push(parseNumber(tokens[4]!));
  }

  private tailLine(line: string): void {
    const props = this.mol!.properties!;
    const fields = line.trim().split(/\s+/);
    if (this.tailLeft === 3) props.frequencies = fields.join(' ');
    else {
      const key = this.tailLeft === 2 ? 'smiles' : 'inchi';
      props[`${key}_gdb`] = fields[0] ?? '';
      props[`${key}_relaxed`] = fields[1] ?? fields[0] ?? '';
    }
  }

  private endAtoms(): Molecule | undefined {
    this.seen = 0;
    if (this.tailLeft > 0) {
      this.phase = 'qm9-tail';
      return undefined;
    }
    return this.finishFrame();
  }

  private finishFrame(): Molecule | undefined {
    this.phase = 'count';
    if (this.error) {
      this.flushError();
      return undefined;
    }
    const mol = this.mol!;
    this.mol = undefined;
    mol.positions = Float64Array.from(this.coords);
    if (this.charges.length === mol.elements.length && this.charges.every(Number.isFinite) && mol.elements.length > 0) {
      mol.partialCharges = this.charges;
    }
    this.tally.accept();
    return mol;
  }

  /** Ends the input; a frame cut short is an error. */
  end(): void {
    if (this.phase === 'comment' || this.phase === 'atoms' || (this.phase === 'qm9-tail' && !this.error)) {
      const found = this.phase === 'atoms' ? this.seen : 0;
      const reason = this.phase === 'qm9-tail'
        ? 'input ends before the QM9 frequency/SMILES/InChI lines'
        : `input ends inside a frame: it declares ${this.expected} atoms, found ${found}`;
      this.error ??= this.fail(reason);
    }
    this.flushError();
    this.tally.finish('XYZ frames');
  }
}

/**
 * Reads XYZ frames (single or multi-frame, and QM9's original per-molecule files with properties,
 * Mulliken charges into `partialCharges`, frequencies, SMILES and InChI into `properties`).
 * XYZ has no bonds: use `perceiveBonds`. Malformed frames throw `MoleculeParseError` unless `skipInvalid`.
 */
export async function* readXyzFrames(lines: LineSource, options: ReadOptions = {}): AsyncGenerator<Molecule> {
  const reader = new XyzFrameReader(options, '<stream>');
  for await (const line of lines) {
    const mol = reader.push(line);
    if (mol) yield mol;
  }
  reader.end();
}

/** Parses an XYZ text held in memory; see `readXyzFrames`. */
export function parseXyz(text: string, options: ReadOptions = {}): Molecule[] {
  const reader = new XyzFrameReader(options, '<string>');
  const molecules: Molecule[] = [];
  for (const line of splitLines(text)) {
    const mol = reader.push(line);
    if (mol) molecules.push(mol);
  }
  reader.end();
  return molecules;
}

/** XYZ text of the molecules, one frame each, the title as comment line. */
export function writeXyz(molecules: Iterable<Molecule>): string {
  let text = '';
  for (const mol of molecules) {
    const n = mol.elements.length;
    text += `${n}\n${(mol.title ?? '').replace(/[\r\n]+/g, ' ')}\n`;
    for (let i = 0; i < n; i++) {
      const xyz = [0, 1, 2].map((d) => {
        const v = mol.positions[3 * i + d]!;
        if (!Number.isFinite(v)) throw new MoleculeWriteError(`atom ${i + 1} has a non-finite coordinate (${v})`);
        return v.toFixed(6).padStart(12);
      });
      text += `${mol.elements[i]!.padEnd(2)} ${xyz.join(' ')}\n`;
    }
  }
  return text;
}

registerFormat({
  name: 'xyz',
  extensions: ['xyz'],
  description: "XYZ frames, one molecule each (QM9's original files with their properties too); no bonds",
  binary: false,
  holds: { bonds: false, formalCharges: false, properties: false, trajectories: false },
  read: (bytes, options) => parseXyz(decodeText(bytes), options),
  readStream: readXyzFrames,
  write: (molecules) => writeXyz(molecules),
  writeRecord: (molecule) => writeXyz([molecule]),
});
