import { type BackendChoice, nodeBackends, selectNodeBackend } from '@equimol/core/node';
import { UsageError } from './errors.js';
import { integerOption } from './options.js';

/** Options every command accepts. */
export interface GlobalArgs {
  verbose: boolean;
  quiet: boolean;
}

/** A status line on stderr (stdout is kept for data and requested reports). */
export function note(args: GlobalArgs, line: string): void {
  if (!args.quiet) process.stderr.write(`${line}\n`);
}

/** EQUIMOL_BACKEND, if set, after checking that it names a backend (a usage error otherwise, unless `--backend` overrides it). */
export function checkBackendEnvironment(option: string | undefined): string | undefined {
  const fromEnv = process.env.EQUIMOL_BACKEND?.trim() || undefined;
  if (option === undefined && fromEnv !== undefined && !nodeBackends.some((b) => b.name === fromEnv)) {
    throw new UsageError(`EQUIMOL_BACKEND=${fromEnv} is not a backend; choose one of: ${nodeBackends.map((b) => b.name).join(', ')}`);
  }
  return fromEnv;
}

/**
 * Activates the tfjs backend for a computing command: `--backend`, else EQUIMOL_BACKEND, else the
 * fastest that loads (on the GPU adapter `--gpu` names). Fallback notices ("tensorflow: not installed")
 * are shown when a backend was asked for (it matters that it is not the one in use) or with --verbose;
 * `equimol info` lists them always.
 */
export async function activateBackend(args: GlobalArgs & { backend?: string; gpu?: number }): Promise<BackendChoice> {
  const fromEnv = checkBackendEnvironment(args.backend);
  const asked = args.backend !== undefined || fromEnv !== undefined;
  const gpu = integerOption('gpu', args.gpu, 0);
  const choice = await selectNodeBackend({
    preferred: args.backend,
    ...(gpu !== undefined ? { gpu } : {}),
    notice: (line) => {
      if (args.verbose || asked) process.stderr.write(`${line}\n`);
    },
  });
  if (args.verbose) process.stderr.write(`equimol: backend ${choice.name} (${choice.reason})\n`);
  return choice;
}
