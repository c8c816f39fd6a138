// Smoke tests of the research diagnostics in scripts/research/, on shipped fixtures and the shipped
// model: each runs end to end on tiny inputs, and bad arguments get the shared "usage:" line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelDir, equimol, FIXTURES, ROOT, scratch } from './cli-run.js';

const { dir, remove } = scratch('research');
afterAll(remove);
const sdf = join(FIXTURES, 'chem/qm9-train-sample.sdf');

function script(name: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/research', name), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/research', () => {
  beforeAll(() => {
    expect(equimol(['data', 'build', sdf, '-o', 'tiny.eqd', '--remove-hydrogens', '--elements', 'C,N,O,F'], dir).status).toBe(0);
  });

  it('denoising-diagnostics runs the chain back from a noise level and reports validity', () => {
    const r = script('denoising-diagnostics.mjs', defaultModelDir(), 'tiny.eqd', '--count', '2', '--from', '5');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| *5 *\|/);
  }, 120_000);

  it('quality-vs-steps samples at each step count and prints JSON rows', () => {
    const r = script('quality-vs-steps.mjs', defaultModelDir(), '--count', '2', '--steps', '3,4', '--workers', '1', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: { steps: number; molecules: number }[] };
    expect(out.rows.map((x) => [x.steps, x.molecules])).toEqual([[3, 2], [4, 2]]);
  }, 120_000);

  it('pair-distances finds a file identical to its reference', () => {
    const r = script('pair-distances.mjs', sdf, sdf, '--pairs', 'C-C,C-O');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/C-C.*100\.0 %/);
  });

  it('composition counts heavy atoms and validity by heteroatoms', () => {
    const r = script('composition.mjs', sdf, '--limit', '3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/qm9-train-sample\.sdf \| 3 \|/);
  });

  it.each([
    ['composition.mjs', []],
    ['pair-distances.mjs', [sdf, sdf, '--bins', '3']],
    ['quality-vs-steps.mjs', ['model', '--count', 'many']],
  ] as [string, string[]][])('%s with bad arguments: one reason and the usage line, exit 2', (name, args) => {
    const r = script(name, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`\\nusage: node scripts/research/${name.replace('.', '\\.')} `));
  });
});
