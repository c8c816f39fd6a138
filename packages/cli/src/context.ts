import { type BackendChoice, selectNodeBackend } from '@equimol/core/node';

/** Options every command accepts. */
export interface GlobalArgs {
  verbose: boolean;
  quiet: boolean;
}

/** A status line on stderr (stdout is kept for data and requested reports). */
export function note(args: GlobalArgs, line: string): void {
  if (!args.quiet) process.stderr.write(`${line}\n`);
}

/**
 * Activates the tfjs backend for a computing command: `--backend`, else EQUIMOL_BACKEND, else the
 * fastest that loads. Fallback notices ("tensorflow: not installed") are shown with --verbose only;
 * `equimol info` lists them always.
 */
export async function activateBackend(args: GlobalArgs & { backend?: string }): Promise<BackendChoice> {
  const choice = await selectNodeBackend({
    preferred: args.backend,
    notice: (line) => {
      if (args.verbose) process.stderr.write(`${line}\n`);
    },
  });
  if (args.verbose) process.stderr.write(`equimol: backend ${choice.name} (${choice.reason})\n`);
  return choice;
}
