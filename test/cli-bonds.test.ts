// Pilot B of issue #21 end to end: a ZINC fixture covering C N O F S Cl Br I P goes through
// `data build --bonds` → `train --bonds` (a few steps, tiny model, 2 workers) → resume → `sample` →
// SDF whose bonds are the ones the model generated (not perceived from its coordinates) → `eval --drug`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@equimol/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { equimol, FIXTURES, scratch, sdfRecords } from './cli-run.js';

const ZINC = join(FIXTURES, 'chem/zinc-drug-sample.sdf');
const VOCABULARY = 'C,N,O,F,S,Cl,Br,I,P';
const { dir, remove } = scratch('bonds');
afterAll(remove);

describe('bond models: build --bonds → train → resume → sample → SDF', () => {
  it('builds a dataset with the files’ bonds and charges, and names file and record of an aromatic bond', () => {
    const r = equimol(['data', 'build', ZINC, '-o', 'zinc-bonds.eqd', '--elements', VOCABULARY, '--bonds'], dir);
    expect(r.stderr).toMatch(/6 molecules, elements C N O F S Cl Br I P, up to 25 atoms \(bonds and formal charges as given in the file, never perceived \(0 atoms with a non-zero formal charge\)\)/);
    expect(r.status).toBe(0);
    const dataset = core.MoleculeDataset.fromBytes(readFileSync(join(dir, 'zinc-bonds.eqd')));
    const molecules = core.parseSdf(readFileSync(ZINC, 'utf8'));
    expect(dataset.bonds(3)).toEqual(molecules[3]!.bonds);
    // Record 2 with its first bond marked aromatic (type 4): refused, never kekulised or perceived.
    const records = readFileSync(ZINC, 'utf8').split('$$$$\n');
    const lines = records[1]!.split('\n');
    const firstBond = 4 + Number(lines[3]!.slice(0, 3));
    lines[firstBond] = lines[firstBond]!.slice(0, 6) + '  4' + lines[firstBond]!.slice(9);
    records[1] = lines.join('\n');
    writeFileSync(join(dir, 'aromatic.sdf'), records.join('$$$$\n'));
    const aromatic = equimol(['data', 'build', 'aromatic.sdf', '-o', 'aromatic.eqd', '--elements', VOCABULARY, '--bonds'], dir);
    expect(aromatic.status).toBe(1);
    expect(aromatic.stderr.trim()).toMatch(/^equimol: aromatic\.sdf, record 2: bond \d+-\d+ is aromatic \(type 4\); bond models take Kekulé bonds \(orders 1–3\) as given: kekulise the file first$/);
    // Without --bonds the same file builds as before (atoms only).
    expect(equimol(['data', 'build', 'aromatic.sdf', '-o', 'atoms.eqd', '--elements', VOCABULARY], dir).status).toBe(0);
  });

  it('refuses a bonds run on a dataset without bonds in one line', () => {
    expect(equimol(['data', 'build', ZINC, '-o', 'zinc-atoms.eqd', '--elements', VOCABULARY], dir).status).toBe(0);
    const r = equimol(['train', '--data', 'zinc-atoms.eqd', '--bonds', '--out', 'nope', '--steps', '1', '--hidden', '16', '--layers', '1'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('equimol: the config asks for bonds but zinc-atoms.eqd has none: build it with `equimol data build --bonds`');
  });

  it('trains a tiny bond model on 2 workers and resumes it', () => {
    const common = ['--hidden', '16', '--layers', '2', '--batch-size', '4', '--validation-fraction', '0', '--log-every', '1', '--checkpoint-every', '2'];
    const checks = ['--sample-every', '2', '--sample-count', '2', '--sample-steps', '4'];
    const train = equimol(['train', '--data', 'zinc-bonds.eqd', '--bonds', '--out', 'run', '--steps', '2', '--workers', '2', '--name', 'tiny-bonds', ...common, ...checks], dir);
    expect(train.stderr).toMatch(/stopped at step 2/);
    expect(train.stdout).toMatch(/2 worker\(s\)/);
    expect(train.status).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run/run.json'), 'utf8')) as { bonds?: boolean; egnn: { bondClasses?: number; nodeFeatures: number } };
    expect(run.bonds).toBe(true);
    expect(run.egnn).toMatchObject({ bondClasses: 4, nodeFeatures: 13 });
    const resumed = equimol(['train', '--out', 'run', '--resume', '--set', 'maxSteps=4'], dir);
    expect(resumed.stdout).toMatch(/resuming tiny-bonds at step 2/);
    expect(resumed.stderr).toMatch(/stopped at step 4/);
    expect(resumed.status).toBe(0);
    const log = readFileSync(join(dir, 'run/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; loss?: number; metrics?: Record<string, unknown> });
    expect(log.filter((r) => r.type === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4]);
    // The sample checks judge the generated graph (as `sample` does), EDM's distance rule beside it.
    const checked = log.filter((r) => r.type === 'samples');
    expect(checked.map((r) => r.step)).toEqual([2, 4]);
    for (const r of checked) {
      expect(r.metrics).toMatchObject({ molecules: 2, rule: 'generated graph' });
      for (const key of ['validity', 'connectivity', 'validAndConnected', 'uniqueness', 'edmValidity', 'moleculeStability']) expect(r.metrics![key]).toSatisfy((v: unknown) => typeof v === 'number' && v >= 0 && v <= 1);
    }
    expect(train.stdout).toMatch(/step 2 samples \{"step":2,"molecules":2,"rule":"generated graph","validity":/);
    for (const r of log) if (r.loss !== undefined) expect(Number.isFinite(r.loss)).toBe(true);
    const model = JSON.parse(readFileSync(join(dir, 'run/model/model.json'), 'utf8')) as { formatVersion: number; generatesBonds?: boolean };
    expect(model).toMatchObject({ formatVersion: 2, generatesBonds: true });
    expect(equimol(['info', '-m', 'run/model'], dir).stdout).toMatch(/generates: +bonds \(4 classes: none, single, double, triple\) and formal charges \(-1, 0, 1\)/);
  }, 300_000);

  it('samples SDF whose bonds and charges are the generated ones, and the drug judge reads them', async () => {
    const sample = equimol(['sample', '-m', 'run/model', '-n', '3', '--steps', '5', '--seed', '1', '-o', 'bonds.sdf', '--trajectory', 'bonds-traj.json', '--frames', '3'], dir);
    expect(sample.status).toBe(0);
    const text = readFileSync(join(dir, 'bonds.sdf'), 'utf8');
    const records = sdfRecords(text);
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.fields.bonds)).toEqual(['generated', 'generated', 'generated']);
    // The library's sampler with the same model, seed and steps: the graph the model generated.
    await core.selectNodeBackend({ preferred: 'wasm', notice: () => {} });
    const model = await core.loadModelDirectory(join(dir, 'run/model'));
    const { molecules } = await core.sampleMolecules(model, { count: 3, seed: 1, steps: 5 });
    const written = core.parseSdf(text);
    written.forEach((mol, i) => {
      const n = molecules[i]!.elements.length;
      expect(mol.elements.slice(0, n)).toEqual(molecules[i]!.elements);
      // Hydrogens (where added) come after the generated atoms and bond only to them.
      expect((mol.bonds ?? []).filter((b) => b.a < n && b.b < n)).toEqual(molecules[i]!.bonds);
      expect((mol.formalCharges ?? new Array<number>(mol.elements.length).fill(0)).slice(0, n)).toEqual(molecules[i]!.formalCharges);
    });
    // The trajectory's frames carry the generated graph of their step (for the viewer to draw); the
    // last frame's is the sample's, in JSON and in trajectory SDF alike.
    const traj = core.trajectoryFromJson(readFileSync(join(dir, 'bonds-traj.json'), 'utf8'));
    expect(traj.molecules.map((m) => m.frames.length)).toEqual([3, 3, 3]);
    traj.molecules.forEach((m, i) => {
      for (const f of m.frames) expect(f.formalCharges).toHaveLength(f.elements.length);
      expect(m.frames[2]!.bonds).toEqual(molecules[i]!.bonds);
      expect(m.frames[2]!.formalCharges).toEqual(molecules[i]!.formalCharges);
    });
    expect(equimol(['sample', '-m', 'run/model', '-n', '3', '--steps', '5', '--seed', '1', '-o', 'again.sdf', '--trajectory', 'bonds-traj.sdf', '--frames', '3'], dir).status).toBe(0);
    const sdfTraj = core.trajectoryFromSdfRecords(core.parseSdf(readFileSync(join(dir, 'bonds-traj.sdf'), 'utf8')));
    expect(sdfTraj.molecules.map((m) => m.frames.map((f) => f.bonds))).toEqual(traj.molecules.map((m) => m.frames.map((f) => f.bonds)));
    const judged = equimol(['eval', 'bonds.sdf', '--drug', '--json'], dir);
    expect(judged.status).toBe(0);
    expect((JSON.parse(judged.stdout) as { molecules: number }).molecules).toBe(3);
  }, 300_000);

  it('writes whatever graph the model generates: a bond head biased to "single" bonds every pair', async () => {
    // A model this briefly trained generates no bonds at all, so the export would look the same
    // whether it wrote the generated graph or nothing. Forcing the bond head's output to favour class
    // "single" everywhere gives a graph no perception from coordinates would give: all pairs bonded.
    const model = await core.loadModelDirectory(join(dir, 'run/model'));
    const layout = model.dynamics.layout;
    const at = (name: string): number => layout.offsets[layout.specs.findIndex((s) => s.name === name)]!;
    const w = at('bondOut2.w');
    model.params.fill(0, w, at('bondOut2.b'));
    model.params.set([3, -3, 3, 3], at('bondOut2.b')); // ε̂ for "single" strongly negative: x̂ favours it
    await core.saveModelDirectory(model, join(dir, 'biased'));
    const sample = equimol(['sample', '-m', 'biased', '-n', '2', '--steps', '5', '--seed', '1', '-o', 'biased.sdf'], dir);
    expect(sample.status).toBe(0);
    for (const mol of core.parseSdf(readFileSync(join(dir, 'biased.sdf'), 'utf8'))) {
      const n = mol.elements.length;
      expect(mol.elements).not.toContain('H'); // over-valent: flagged, no hydrogens
      expect(mol.bonds).toHaveLength((n * (n - 1)) / 2);
      expect(mol.bonds!.every((b) => b.order === 1)).toBe(true);
      expect(mol.properties!.valid).toBe('false');
      expect(mol.properties!.issue).toMatch(/generated bonds: .* has valence/);
    }
  });
});
