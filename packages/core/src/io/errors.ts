import { EquimolError } from '../errors.js';
/**
 * Thrown for a malformed molecule record. Names the file (or other source), the 1-based record number
 * and, for text formats, the 1-based line so that a chemist can open the file at the faulty line.
 */
export class MoleculeParseError extends EquimolError {
  /** File name or other description of the source, e.g. `qm9.sdf.gz` or `<string>`. */
  readonly file: string;
  /** 1-based number of the record (SDF record, XYZ frame, npz molecule) in the source. */
  readonly record: number;
  /** 1-based line in the source, when the format is line based. */
  readonly line: number | undefined;
  /** What is wrong, without the location prefix. */
  readonly reason: string;

  constructor(file: string, record: number, line: number | undefined, reason: string) {
    const where = line === undefined ? `${file}, record ${record}` : `${file}, record ${record}, line ${line}`;
    super(`${where}: ${reason}`);
    this.name = 'MoleculeParseError';
    this.file = file;
    this.record = record;
    this.line = line;
    this.reason = reason;
  }
}

/** Options shared by every molecule reader. */
export interface ReadOptions {
  /** Name of the source used in error messages (default `<string>` or `<stream>`). */
  source?: string;
  /**
   * Skip malformed records instead of throwing; each skipped record is counted in `stats` and passed
   * to `onSkip`. Off by default: a bad record is an error.
   */
  skipInvalid?: boolean;
  /** Called for each record skipped under `skipInvalid`. */
  onSkip?: (error: MoleculeParseError) => void;
  /** Filled in while reading: how many records were read, skipped, and any warnings (e.g. empty file). */
  stats?: ReadStats;
}

/** Counters a reader fills in (pass an object from `newReadStats()` as `options.stats`). */
export interface ReadStats {
  /** Records seen, valid or not. */
  records: number;
  /** Molecules returned. */
  molecules: number;
  /** Records skipped because they were malformed (only with `skipInvalid`). */
  skipped: number;
  /** The first few skip errors, for a summary message. */
  errors: MoleculeParseError[];
  /** Non-fatal remarks, e.g. that a file holds no molecule at all. */
  warnings: string[];
}

/** Fresh, zeroed read statistics. */
export function newReadStats(): ReadStats {
  return { records: 0, molecules: 0, skipped: 0, errors: [], warnings: [] };
}

const MAX_KEPT_ERRORS = 20;

/**
 * Shared bookkeeping of a reader: counts records, turns errors into skips when asked, records the
 * "empty source" warning. Readers call `accept`/`reject` once per record and `finish` at the end.
 */
export class RecordTally {
  readonly stats: ReadStats;
  readonly source: string;
  private readonly options: ReadOptions;

  constructor(options: ReadOptions, defaultSource: string) {
    this.options = options;
    this.stats = options.stats ?? newReadStats();
    this.source = options.source ?? defaultSource;
  }

  accept(): void {
    this.stats.records++;
    this.stats.molecules++;
  }

  /** Counts a malformed record; rethrows unless `skipInvalid`. */
  reject(error: MoleculeParseError): void {
    this.stats.records++;
    if (!this.options.skipInvalid) throw error;
    this.stats.skipped++;
    if (this.stats.errors.length < MAX_KEPT_ERRORS) this.stats.errors.push(error);
    this.options.onSkip?.(error);
  }

  /** Parses one record: counts it, or on a MoleculeParseError rejects it (undefined when skipped). */
  take<T>(parse: () => T): T | undefined {
    try {
      const value = parse();
      this.accept();
      return value;
    } catch (e) {
      if (!(e instanceof MoleculeParseError)) throw e;
      this.reject(e);
      return undefined;
    }
  }

  finish(what: string): void {
    if (this.stats.records === 0) {
      this.stats.warnings.push(`${this.source}: no ${what} found (the input is empty)`);
    }
  }
}

/** Thrown for a file equimol wrote (dataset, checkpoint, model, run config) that cannot be read back. */
export class FileFormatError extends EquimolError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileFormatError';
  }
}

/** JSON.parse that names the file and what it should hold when the text is not JSON. */
export function parseJsonText<T>(text: string, file: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new FileFormatError(file, `${what} is not valid JSON (${(err as Error).message})`);
  }
}
