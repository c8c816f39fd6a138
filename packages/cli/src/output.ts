import { existsSync, rmSync, statSync } from 'node:fs';
import { link, mkdir, rename, rm, unlink } from 'node:fs/promises';
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

/** An output file: checked up front, written to `tempPath` inside `writeOutputs`, then moved into place. */
export interface OutputFile {
  /** The final path, as the user gave it. */
  path: string;
  /** Where to write meanwhile (same directory, so the final rename is atomic). */
  tempPath: string;
  force: boolean;
}

/**
 * Checks that `path` may be written (it does not exist, or `force`; it is not a directory) and
 * picks a temporary sibling for it. Call this before any long computation so that a refused
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
  return { path, tempPath: join(dir, `.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp.${basename(target)}`), force };
}

/** Moves a finished temporary file into place; without `force`, a file that appeared meanwhile is not clobbered. */
async function commit(output: OutputFile): Promise<void> {
  const target = resolve(output.path);
  if (output.force) return rename(output.tempPath, target);
  try {
    // link() fails if the target exists, where rename() would silently replace it.
    await link(output.tempPath, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${output.path} appeared while equimol was working; use --force to overwrite it`);
    throw err;
  }
  await unlink(output.tempPath);
}

/**
 * Runs `write()`, which writes every output's `tempPath`, and moves them all into place only if it
 * succeeded; on failure or Ctrl-C the temporary files are removed.
 */
export async function writeOutputs(outputs: OutputFile[], write: () => Promise<void>): Promise<void> {
  for (const o of outputs) pending.add(o.tempPath);
  updateHandlers();
  try {
    await write();
    // Test-only hook: hold the finished temporary files before they are moved into place, so that
    // test/cli-sample.test.ts can interrupt at a known moment. Not for users; unset, it costs nothing.
    const hold = Number(process.env.EQUIMOL_TEST_HOLD_OUTPUT_MS ?? 0);
    if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
    for (const o of outputs) await commit(o);
  } finally {
    await Promise.all(outputs.map((o) => rm(o.tempPath, { force: true, recursive: true })));
    for (const o of outputs) pending.delete(o.tempPath);
    updateHandlers();
  }
}

/** Throws a usage error unless `path` is an existing regular file. */
export function requireInputFile(path: string, what = 'input file'): void {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file (${what})`);
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a file (${what})`);
}
