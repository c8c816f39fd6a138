import { UsageError } from './errors.js';

// Parsers and checks for option values that yargs' types cannot express. Each throws a UsageError
// that names the option, so the user sees e.g. `--atoms-range 9-5: the lower bound is above the upper`.

/**
 * Names accepted by `--backend`: core's `nodeBackends`, spelled out so that help and option checks
 * do not load tfjs (test/cli-basics.test.ts checks that the two lists agree).
 */
export const BACKEND_NAMES = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** An integer option that must be ≥ `min` (undefined passes through). */
export function integerOption(name: string, value: number | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${Number.isNaN(value) ? 'not a number' : value}`);
  return value;
}

/** A number option that must be finite and within [min, max]. */
export function numberOption(name: string, value: number | undefined, min = -Infinity, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `between ${min} and ${max}`;
    throw new UsageError(`--${name} must be a number ${range}, got ${Number.isNaN(value) ? 'not a number' : value}`);
  }
  return value;
}

/** `--atoms-range A-B` → [A, B] with 1 ≤ A ≤ B. */
export function parseAtomRange(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*[-–:]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--atoms-range must look like A-B (e.g. 9-12), got "${text}"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1) throw new UsageError(`--atoms-range ${text}: atom counts start at 1`);
  if (lo > hi) throw new UsageError(`--atoms-range ${text}: the lower bound is above the upper`);
  return [lo, hi];
}

/** One shard of a campaign: molecules start..start+count−1 of the whole run. */
export interface Shard {
  /** 1-based shard number, as given. */
  index: number;
  of: number;
  start: number;
  count: number;
}

/**
 * `--shard i/n` (1-based, e.g. a Slurm array task id) → the contiguous block of molecule indices
 * this process makes. Blocks are ⌊(i−1)·N/n⌋..⌊i·N/n⌋−1, so shards 1..n concatenated in order are
 * exactly molecules 0..N−1 of the unsplit run.
 */
export function parseShard(text: string | undefined, total: number): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard must look like i/n (e.g. 3/8, shards numbered from 1), got "${text}"`);
  const index = Number(m[1]);
  const of = Number(m[2]);
  if (of < 1 || index < 1 || index > of) throw new UsageError(`--shard ${text}: i must be between 1 and n`);
  if (of > total) throw new UsageError(`--shard ${text}: more shards than molecules (-n ${total})`);
  const start = Math.floor(((index - 1) * total) / of);
  const end = Math.floor((index * total) / of);
  return { index, of, start, count: end - start };
}

/** A comma-separated list option (`--elements C,N,O,F`), empty entries dropped. */
export function parseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}

/** `--fix-atoms 1-6,9` → the 1-based atom numbers, ascending and without repeats. */
export function parseAtomSelection(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const picked = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--fix-atoms must look like 1-6,9 (atom numbers from 1, as in the SD file), got "${text}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1) throw new UsageError(`--fix-atoms ${text}: atom numbers start at 1`);
    if (lo > hi) throw new UsageError(`--fix-atoms ${text}: in ${part} the first atom is after the last`);
    for (let i = lo; i <= hi; i++) picked.add(i);
  }
  return [...picked].sort((a, b) => a - b);
}
