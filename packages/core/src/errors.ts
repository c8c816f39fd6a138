// The one family of errors a user sees from equimol: every front end (CLI, viewer, library callers)
// prints them the same way, as one line that already says where and what is wrong.

/** Where a problem is: the file, the record (1-based) and the line, as far as known. */
export interface ErrorPlace {
  file?: string;
  record?: number;
  line?: number;
}

/** 'usage': options the user chose that cannot work (exit status 2); 'input': file content, models, data (1). */
export type ErrorKind = 'usage' | 'input';

/** Base class of equimol's user-facing errors; the message is the complete one-line explanation. */
export class EquimolError extends Error {
  readonly kind: ErrorKind;
  readonly place: ErrorPlace;
  /** A brand that survives duplicate copies of the package, where `instanceof` does not. */
  readonly equimolError = true;

  constructor(message: string, options: ErrorPlace & { kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const { kind = 'input', cause: _cause, ...place } = options;
    this.kind = kind;
    this.place = place;
    this.name = 'EquimolError';
  }
}

/** Whether `err` is one of equimol's user-facing errors (by brand, so across package copies too). */
export function isEquimolError(err: unknown): err is EquimolError {
  return err instanceof Error && (err as { equimolError?: unknown }).equimolError === true;
}
