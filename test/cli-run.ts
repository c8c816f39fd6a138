// Runs the built `equimol` executable as users do, for the end-to-end tests in test/cli-*.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const MAIN = join(ROOT, 'packages/cli/dist/main.js');
export const FIXTURES = join(ROOT, 'data/fixtures');

/**
 * The shipped default model's directory: data/models/qm9-heavy, or under $EQUIMOL_MODELS when set
 * (the CLI reads that variable too).
 */
export function defaultModelDir(): string {
  return join(process.env.EQUIMOL_MODELS ? resolve(process.env.EQUIMOL_MODELS) : join(ROOT, 'data/models'), 'qm9-heavy');
}

/** The `name` in the default model's model.json (sampled records carry it as their `model` field). */
export function defaultModelName(): string {
  return (JSON.parse(readFileSync(join(defaultModelDir(), 'model.json'), 'utf8')) as { name: string }).name;
}

/** What a finished `equimol` process left behind. */
export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `equimol ...args` in `cwd` and waits for it (stderr is a pipe, so progress comes as plain lines). */
export function equimol(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `equimol ...args` without waiting, for tests that interrupt it or talk to it. */
export function startEquimol(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

/** A fresh temporary directory, and a function that removes it. */
export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `equimol-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The records of an SD file's text, each as its molfile lines and its data fields. */
export function sdfRecords(text: string): { lines: string[]; fields: Record<string, string> }[] {
  return text
    .split(/^\$\$\$\$\n/m)
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const lines = r.split('\n');
      const fields: Record<string, string> = {};
      for (let i = 0; i < lines.length; i++) {
        const m = /^> +<([^>]+)>/.exec(lines[i]!);
        if (m) fields[m[1]!] = lines[i + 1] ?? '';
      }
      return { lines, fields };
    });
}

/** Element symbols of one SDF record (V2000 atom block). */
export function recordElements(lines: string[]): string[] {
  const counts = lines[3]!;
  const n = Number(counts.slice(0, 3));
  return lines.slice(4, 4 + n).map((l) => l.slice(31, 34).trim());
}

/** Number of bonds of one SDF record (V2000 counts line). */
export function recordBondCount(lines: string[]): number {
  return Number(lines[3]!.slice(3, 6));
}
