// Core's errors share one base class (EquimolError, with its kind and place); its module is loaded
// alone (@equimol/core/errors), so that this one, loaded for every command, --help included, does not
// load tfjs and openchemlib.
import { isEquimolError } from '@equimol/core/errors';

/** Exit status for bad command lines, unknown models, missing files, refused overwrites. */
export const EXIT_USAGE = 2;
/** Exit status for failures while working (bad file contents, broken model, backend errors). */
export const EXIT_FAILURE = 1;
// After Ctrl-C or SIGTERM the status is 128 + the signal's number (130, 143): core's interruptExitCode.

/** A problem with what the user asked for: reported in one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit status for an error: usage problems (ours, and core's errors of kind 'usage') are 2, the rest 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || (isEquimolError(err) && err.kind === 'usage') ? EXIT_USAGE : EXIT_FAILURE;
}

/** Errors whose messages already say what is wrong and where (file, record, line): ours and core's family. */
function isDescribedError(err: Error): boolean {
  return err instanceof UsageError || isEquimolError(err);
}

/** The one line printed for an error (first line of its message; system errors keep their code's meaning). */
export function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const first = err.message.split('\n')[0]!.trim();
  if (isDescribedError(err)) return first;
  const code = (err as NodeJS.ErrnoException).code;
  const path = (err as NodeJS.ErrnoException).path;
  if (code === 'ENOENT' && path) return `${path}: no such file or directory`;
  if (code === 'EACCES' && path) return `${path}: permission denied`;
  if (code === 'ENOSPC') return `no space left on device${path ? ` (writing ${path})` : ''}`;
  return first || err.name;
}
