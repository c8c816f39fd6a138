import { existsSync, rmSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT_INTERRUPTED, UsageError } from './errors.js';

// Every file equimol writes goes to a temporary sibling first and is renamed into place when
// complete, so an interrupted run (Ctrl-C, kill, crash) never leaves a half-written SDF behind: the
// target either keeps its old contents or does not exist. The temporary name ends with the target's
// name so that writers choosing compression by extension (`.sdf.gz`) see the same suffix.

const pending = new Set<string>();
let handlersInstalled = false;

function removePendingSync(): void {
  for (const tmp of pending) rmSync(tmp, { force: true, recursive: true });
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removePendingSync();
  process.stderr.write(`\nequimol: ${signal}, stopped; no partial output was left behind\n`);
  process.exit(signal === 'SIGINT' ? EXIT_INTERRUPTED : 128 + 15);
}

// Signal handlers are installed only while temporary files exist: sampling runs synchronously for
// long stretches, and a JavaScript SIGINT handler would delay Ctrl-C until it yields.
function updateHandlers(): void {
  const want = pending.size > 0;
  if (want === handlersInstalled) return;
  handlersInstalled = want;
  if (want) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('exit', removePendingSync);
  } else {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', removePendingSync);
  }
}

/** An output file being written: write to `tempPath`, then `commit()` (or `discard()`). */
export interface OutputFile {
  /** The final path. */
  path: string;
  /** Where to write meanwhile (same directory, so the rename is atomic). */
  tempPath: string;
  /** Moves the finished file into place. */
  commit(): Promise<void>;
  /** Removes the temporary file. */
  discard(): Promise<void>;
}

/**
 * Checks that `path` may be written (it does not exist, or `force`; it is not a directory) and
 * reserves a temporary sibling for it. Call this before any long computation so that a refused
 * overwrite costs the user nothing.
 */
export async function prepareOutput(path: string, force: boolean): Promise<OutputFile> {
  const target = resolve(path);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new UsageError(`${path} is a directory; give a file name`);
    if (!force) throw new UsageError(`${path} exists; use --force to overwrite it`);
  }
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tempPath = join(dir, `.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp.${basename(target)}`);
  pending.add(tempPath);
  updateHandlers();
  const release = (): void => {
    pending.delete(tempPath);
    updateHandlers();
  };
  return {
    path,
    tempPath,
    async commit() {
      await rename(tempPath, target);
      release();
    },
    async discard() {
      await rm(tempPath, { force: true, recursive: true });
      release();
    },
  };
}

/** Runs `write(tempPath)` for each output and renames all into place only if every write succeeded. */
export async function writeOutputs(outputs: OutputFile[], write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    await Promise.all(outputs.map((o) => o.discard()));
    throw err;
  }
  for (const o of outputs) await o.commit();
}

/** Throws a usage error unless `path` is an existing regular file. */
export function requireInputFile(path: string, what = 'input file'): void {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file (${what})`);
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a file (${what})`);
}
