// The entry points of @equimol/core, loaded by package name as a user's program loads them (through
// package.json's "exports" and the built dist/), each in a fresh Node process.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-run.js';

/** The names an entry point exports, as a fresh `node` sees them when importing it by package name. */
function exportsOf(specifier: string): string[] {
  const script = `const m = await import(${JSON.stringify(specifier)}); process.stdout.write(JSON.stringify(Object.keys(m)));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

describe('package entry points', () => {
  const core = exportsOf('@equimol/core');
  const node = exportsOf('@equimol/core/node');
  const internal = exportsOf('@equimol/core/internal');
  const errors = exportsOf('@equimol/core/errors');

  it('@equimol/core: the curated library', () => {
    for (const name of ['sampleMolecules', 'Trainer', 'NoiseSchedule', 'EgnnDynamics', 'moleculeFormatOf', 'evaluateMolecules', 'Rng', 'EquimolError']) expect(core).toContain(name);
    expect(core).not.toContain('linear');
    expect(core).not.toContain('readSdfFile');
  });

  it('@equimol/core/node: all of it, and the Node-only helpers', () => {
    expect(node).toEqual(expect.arrayContaining(core));
    for (const name of ['readSdfFile', 'writeMoleculeFile', 'loadModelDirectory', 'runTraining', 'selectNodeBackend']) expect(node).toContain(name);
  });

  it('@equimol/core/internal: kernels and plumbing, apart from both', () => {
    for (const name of ['linear', 'silu', 'composedEdges', 'fusedEdges', 'sliceRequest', 'parseJsonText']) expect(internal).toContain(name);
    expect(internal.filter((n) => node.includes(n))).toEqual([]);
  });

  it('@equimol/core/errors: the error family alone', () => {
    expect(errors.sort()).toEqual(['EquimolError', 'isEquimolError']);
  });
});
