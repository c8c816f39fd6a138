// The README's library example must keep working: run it as a user would.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('examples/library.mjs', () => {
  it('trains a few steps and samples molecules', () => {
    const root = new URL('..', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['examples/library.mjs'], { cwd: root, encoding: 'utf8', env: { ...process.env, EQUIMOL_BACKEND: 'wasm' } });
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => /^step \d: loss \d+\.\d{3}$/.test(l))).toHaveLength(5);
    expect(lines.filter((l) => /^[CNOF]+$/.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toBe('SDF ok');
  });
});
