// The three worker pools (training gradients, sampling, conformers) against the built package
// (worker threads need the compiled .js files): failures end the process instead of hanging it,
// and sampling on workers forwards trajectory frames.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '@equimol/core/node';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'equimol-pools-'));
const datasetPath = join(work, 'fixture.eqd');
const modelDir = join(work, 'model');
const egnn = { hiddenSize: 16, layers: 2 };
const schedule = { kind: 'polynomial' as const, timesteps: 30, power: 2, precision: 1e-5 };

beforeAll(async () => {
  await core.selectNodeBackend({ preferred: 'wasm', notice: () => {} });
  const fixture = join(root, 'data/fixtures/chem/qm9-train-sample.sdf');
  const ds = await core.buildDataset(core.readSdfFile(fixture), { name: 'fixture', source: 'qm9-train-sample.sdf', elements: ['H', 'C', 'N', 'O', 'F'] });
  writeFileSync(datasetPath, ds.toBytes());
  const model = core.createModel({
    name: 'tiny',
    egnn: { ...core.edmEgnnConfig(6, 16, 2) },
    schedule,
    encoding: ds.encoding,
    atomCountHistogram: [0, 0, 0, 1, 1],
  });
  await core.saveModelDirectory({ ...model, params: model.dynamics.layout.initialise(new core.Rng(1)) }, modelDir);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let scripts = 0;
/**
 * Runs an ES module script in a fresh Node process; a process kept alive by a worker hits the
 * timeout. A file, not `-e`: workers inherit the parent's flags, and `--input-type` stops them.
 */
function node(script: string): { stdout: string; stderr: string; status: number | null; signal: NodeJS.Signals | null } {
  const path = join(work, `script-${scripts++}.mjs`);
  writeFileSync(path, script.replaceAll("'@equimol/core/node'", JSON.stringify(join(root, 'packages/core/dist/node.js'))));
  return spawnSync(process.execPath, [path], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

describe('worker pools', () => {
  it('a training engine whose workers fail to start rejects and leaves no worker running', () => {
    const r = node(`
      import { WorkerGradientEngine, edmEgnnConfig } from '@equimol/core/node';
      const spec = { egnn: edmEgnnConfig(6, 16, 2), schedule: ${JSON.stringify(schedule)}, microBatch: 2 };
      await WorkerGradientEngine.start(spec, 2, 'no-such-backend').catch((e) => console.log(e.message.split('\\n')[0]));
    `);
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^training worker \d failed: .*unknown backend "no-such-backend"/);
  });

  it('runTraining stops its workers when the trainer cannot be built (checkpoint does not fit the model)', async () => {
    const outDir = join(work, 'mismatch');
    await core.runTraining({
      outDir,
      print: () => {},
      config: { name: 'mismatch', dataset: datasetPath, egnn, schedule, training: { batchSize: 2, microBatch: 2, maxSteps: 1, validationFraction: 0, validateEvery: 0 } },
    });
    const runJson = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8'));
    runJson.egnn.hiddenSize = 8;
    runJson.training.workers = 2;
    writeFileSync(join(outDir, 'run.json'), JSON.stringify(runJson));
    const r = node(`
      import { runTraining } from '@equimol/core/node';
      await runTraining({ outDir: ${JSON.stringify(outDir)}, resume: true, backend: 'wasm', print: () => {} }).catch((e) => console.log(e.message));
    `);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checkpoint has \d+ parameters, this model needs \d+/);
  });

  it('sampling on two workers forwards trajectory frames and gives the one-thread molecules', async () => {
    const model = await core.loadModelDirectory(modelDir);
    const options = { count: 3, seed: 7, steps: 5, trajectoryFrames: 3 };
    const one = await core.sampleMolecules(model, options);
    const frames: string[] = [];
    const progress: number[] = [];
    const two = await core.sampleMolecules(model, {
      ...options,
      workers: 2,
      onFrame: (index, frame) => frames.push(`${index}:${frame.step}`),
      onProgress: (done) => progress.push(done),
    });
    expect(two.molecules.map((m) => Array.from(m.positions))).toEqual(one.molecules.map((m) => Array.from(m.positions)));
    expect(frames.sort()).toEqual(one.trajectory!.molecules.flatMap((m, i) => m.frames.map((f) => `${i}:${f.step}`)).sort());
    expect(progress.at(-1)).toBe(3);
  });

  it('sampling rejects when the workers cannot load the model', async () => {
    const model = await core.loadModelDirectory(modelDir);
    const broken = { ...model, params: model.params.subarray(1) }; // one weight short: the workers refuse it
    await expect(core.sampleMolecules(broken, { count: 4, seed: 1, workers: 2 })).rejects.toThrow(/sampling worker \d failed: .*weights/);
  });

  it('conformers on two workers equal those of one thread', async () => {
    // 10 jobs: two chunks of 8, one per worker.
    const jobs = ['CCO', 'c1ccccc1O', 'C1CC1N', 'CC(=O)O', 'CCN', 'CCC', 'OCCO', 'CC#N', 'not_a_smiles', 'CO'].map((smiles) => ({ smiles }));
    const collect = async (workers: number): Promise<core.ConformerOutcome[]> => {
      const out: core.ConformerOutcome[] = [];
      for await (const o of core.generateConformers(jobs, { workers, seed: 3, minimize: false })) out.push(o);
      return out;
    };
    const [one, two] = [await collect(1), await collect(2)];
    expect(two.map((o) => o.index)).toEqual(jobs.map((_, i) => i));
    expect(two).toEqual(one);
    expect(two[8]!.error).toBeDefined();
  });
});
