import { rmSync } from 'node:fs';
import { link, mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

// Every file or directory equimol replaces is written under a temporary name in the same directory
// and renamed into place when complete: a rename within one file system is atomic, so a reader, a
// crash or Ctrl-C sees the old contents or the new, never half of either. The temporary name ends
// with the target's name, so writers that choose compression by extension (`.sdf.gz`) see the same
// suffix, and carries the writer's pid, so that leftovers of a killed process can be told from the
// work of a live one (sweepStaleTemporaries).

const TEMP_PREFIX = '.equimol-';

/** Temporaries of this process not yet committed or discarded. */
const active = new Set<string>();

// On process.exit (a second Ctrl-C, or the CLI's exit after an interrupt) pending temporaries are
// removed, so only kill -9 or a power cut can leave one behind; the next save sweeps those.
function removeActiveSync(): void {
  for (const path of active) rmSync(path, { recursive: true, force: true });
  active.clear();
}

function track(path: string): void {
  if (active.size === 0) process.on('exit', removeActiveSync);
  active.add(path);
}

function untrack(path: string): void {
  if (active.delete(path) && active.size === 0) process.off('exit', removeActiveSync);
}

/** A file or directory being written under a temporary name next to its target. */
export interface StagedFile {
  /** The final path (absolute). */
  readonly target: string;
  /** Where to write meanwhile: same directory as the target, so that the final rename is atomic. */
  readonly tempPath: string;
  /**
   * Moves the finished temporary into place. With `replace: false` an existing target is never
   * replaced: the move fails with EEXIST instead.
   */
  commit(options?: { replace?: boolean }): Promise<void>;
  /** Removes the temporary (recursively); does nothing once committed. */
  discard(): Promise<void>;
}

/**
 * Picks a temporary sibling for `target` (creating its directory); nothing is written yet.
 * Temporaries of the same target that killed processes left behind are swept first, so a run that
 * is killed and resumed many times does not pile up half-written checkpoints.
 */
export async function stageFile(target: string): Promise<StagedFile> {
  const absolute = resolve(target);
  const dir = dirname(absolute);
  await mkdir(dir, { recursive: true });
  await sweepStaleTemporaries(absolute);
  const tempPath = join(dir, `${TEMP_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp.${basename(absolute)}`);
  track(tempPath);
  let settled = false;
  return {
    target: absolute,
    tempPath,
    async commit({ replace = true } = {}) {
      if (settled) throw new Error(`${tempPath} was already committed or discarded`);
      if (replace) {
        await rename(tempPath, absolute);
      } else {
        // link() fails if the target exists, where rename() would silently replace it.
        await link(tempPath, absolute);
        await unlink(tempPath);
      }
      settled = true;
      untrack(tempPath);
    },
    async discard() {
      if (settled) return;
      settled = true;
      await rm(tempPath, { recursive: true, force: true });
      untrack(tempPath);
    },
  };
}

/**
 * Runs `write(tempPath)` and moves what it wrote into place at `target`; if anything fails the
 * temporary is removed and the target keeps its old contents (or stays absent).
 */
export async function replaceAtomically<T>(target: string, write: (tempPath: string) => Promise<T>, options: { replace?: boolean } = {}): Promise<T> {
  const staged = await stageFile(target);
  try {
    const result = await write(staged.tempPath);
    await staged.commit(options);
    return result;
  } finally {
    await staged.discard();
  }
}

/** Writes a file via a temporary sibling and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await replaceAtomically(path, (tempPath) => writeFile(tempPath, data));
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pid in the name of a temporary of `name`, or null if `entry` is no equimol temporary of it. */
function temporaryOwner(entry: string, name: string): number | null {
  const n = escapeRegExp(name);
  // The current naming, and `.NAME.tmp-PID-MS`, which equimol used before (crashed runs still have them).
  const match = new RegExp(`^${escapeRegExp(TEMP_PREFIX)}(\\d+)-[0-9a-z]+\\.tmp\\.${n}$`).exec(entry) ?? new RegExp(`^\\.${n}\\.tmp-(\\d+)-\\d+$`).exec(entry);
  return match ? Number(match[1]) : null;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, owned by someone else
  }
}

/**
 * Removes temporaries of `target` that a killed process left next to it (only names equimol itself
 * gives temporaries, and only of processes that no longer run). Returns the paths removed.
 */
export async function sweepStaleTemporaries(target: string): Promise<string[]> {
  const absolute = resolve(target);
  const dir = dirname(absolute);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    const pid = temporaryOwner(entry, basename(absolute));
    const path = join(dir, entry);
    if (pid === null || active.has(path)) continue;
    // This process's own live temporaries are all in `active`: one with our pid that is not comes
    // from an earlier process that had the same pid (common in containers).
    if (pid !== process.pid && processRuns(pid)) continue;
    try {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Housekeeping only: a leftover that cannot be removed must not fail the save.
    }
  }
  return removed;
}
