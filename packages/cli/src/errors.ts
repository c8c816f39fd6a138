import { ConformerError, ModelFormatError, MoleculeParseError, NpyFormatError, SampleOptionsError, TrajectoryFormatError } from '@equimol/core/node';

/** Exit status for bad command lines, unknown models, missing files, refused overwrites. */
export const EXIT_USAGE = 2;
/** Exit status for failures while working (bad file contents, broken model, backend errors). */
export const EXIT_FAILURE = 1;
/** Exit status after Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** A problem with what the user asked for: reported in one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit status for an error: usage problems (ours, and core's impossible sampling options) are 2, the rest 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof SampleOptionsError ? EXIT_USAGE : EXIT_FAILURE;
}

/** Core errors whose messages already name the file, record and line: printed as they are. */
function isDescribedError(err: unknown): boolean {
  return (
    err instanceof UsageError ||
    err instanceof SampleOptionsError ||
    err instanceof MoleculeParseError ||
    err instanceof TrajectoryFormatError ||
    err instanceof NpyFormatError ||
    err instanceof ModelFormatError ||
    err instanceof ConformerError
  );
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
