// Training across processes and threads, against the built package (worker threads need the
// compiled .js files): data-parallel gradients equal single-thread ones, and a run killed with
// SIGKILL resumes from its last checkpoint.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '@equimol/core/node';

const root = new URL('..', import.meta.url).pathname;
const fixture = join(root, 'data/fixtures/chem/qm9-train-sample.sdf');
const work = mkdtempSync(join(tmpdir(), 'equimol-train-'));
const datasetPath = join(work, 'fixture.eqd');
const egnn = { hiddenSize: 16, layers: 2, invSublayers: 1, attention: true, tanh: true, coordsRange: 15, normConstant: 1, normalizationFactor: 1, nodeFeatures: 6, contextSize: 0 };
const schedule = { kind: 'polynomial' as const, timesteps: 100, power: 2, precision: 1e-5 };

beforeAll(async () => {
  await core.selectNodeBackend({ preferred: 'wasm', notice: () => {} });
  const ds = await core.buildDataset(core.readSdfFile(fixture), { name: 'fixture', source: 'qm9-train-sample.sdf', elements: ['H', 'C', 'N', 'O', 'F'] });
  writeFileSync(datasetPath, ds.toBytes());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('training end to end', () => {
  it('two worker threads give the same gradient as one thread on the full batch', async () => {
    const ds = core.MoleculeDataset.fromBytes(readFileSync(datasetPath));
    const spec = { egnn, schedule, microBatch: 64 };
    const batch = core.collateBatch(ds, [0, 1, 2, 3, 4, 5]);
    const noise = core.drawTrainingNoise(new core.Rng(1), batch.size, batch.maxAtoms, 6, batch.nodeMask, 100);
    const request = { batch, noise, weights: core.simpleLossWeights(batch, 6) };
    const local = new core.LocalGradientEngine(spec);
    const params = local.dynamics.layout.initialise(new core.Rng(2));
    const one = await local.compute(params, request);
    const pool = await core.WorkerGradientEngine.start(spec, 2, 'wasm');
    try {
      const two = await pool.compute(params, request);
      expect(two.lossSum).toBeCloseTo(one.lossSum, 5);
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < params.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(two.grads[i]! - one.grads[i]!));
        maxAbs = Math.max(maxAbs, Math.abs(one.grads[i]!));
      }
      expect(maxAbs).toBeGreaterThan(1e-3);
      expect(maxDiff).toBeLessThan(1e-4 * maxAbs);
      expect(await pool.evaluate(params, request)).toBeCloseTo(await local.evaluate(params, request), 5);
    } finally {
      await pool.dispose();
    }
  });

  it('a run killed with SIGKILL resumes from its last checkpoint and finishes', async () => {
    const outDir = join(work, 'run');
    const script = `
      import { runTraining, selectNodeBackend } from '@equimol/core/node';
      await selectNodeBackend({ preferred: 'wasm', notice: () => {} });
      const resume = process.argv[1] === 'resume';
      await runTraining({
        outDir: ${JSON.stringify(outDir)},
        resume,
        print: (line) => console.log(line),
        config: resume ? undefined : {
          name: 'kill-test', dataset: ${JSON.stringify(datasetPath)},
          egnn: ${JSON.stringify({ hiddenSize: 16, layers: 2 })}, schedule: ${JSON.stringify(schedule)},
          training: { batchSize: 2, microBatch: 2, maxSteps: 400, checkpointEvery: 5, logEvery: 5, validateEvery: 0, validationFraction: 0, sampleEvery: 5, sampleCount: 2, sampleSteps: 4 },
        },
      });
    `;
    const run = (mode: string): ReturnType<typeof spawn> =>
      spawn(process.execPath, ['--input-type=module', '-e', script, mode], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });

    const first = run('new');
    let output = '';
    first.stdout!.on('data', (d) => (output += d));
    // Wait for a periodic checkpoint, then kill without warning.
    const latest = join(outDir, 'checkpoints', 'latest.eqt');
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const step = existsSync(latest) ? core.trainerStateFromBytes(new Uint8Array(readFileSync(latest))).state.step : 0;
        if (step >= 10) {
          clearInterval(timer);
          first.kill('SIGKILL');
          resolve();
        }
      }, 50);
      first.on('exit', (code) => code !== null && code !== 0 && reject(new Error(`training exited with ${code}: ${output}`)));
    });
    await new Promise((r) => first.on('close', r));
    const saved = core.trainerStateFromBytes(new Uint8Array(readFileSync(latest))).state.step;
    expect(saved).toBeGreaterThanOrEqual(10);
    expect(saved % 5).toBe(0);

    // Resume: a shorter target so the test stays quick.
    const runJson = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8'));
    runJson.training.maxSteps = saved + 5;
    writeFileSync(join(outDir, 'run.json'), JSON.stringify(runJson));
    const second = run('resume');
    let resumed = '';
    second.stdout!.on('data', (d) => (resumed += d));
    const code = await new Promise((r) => second.on('close', r));
    expect(code).toBe(0);
    expect(resumed).toContain(`resuming kill-test at step ${saved}`);
    const final = core.trainerStateFromBytes(new Uint8Array(readFileSync(latest))).state;
    expect(final.step).toBe(saved + 5);
    const log = readFileSync(join(outDir, 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.at(-1).step).toBe(saved + 5);
    // Resuming dropped what the killed run logged after its checkpoint: no step is logged twice.
    for (const type of ['train', 'samples']) {
      const steps: number[] = log.filter((r) => r.type === type).map((r) => r.step);
      steps.slice(1).forEach((step, i) => expect(step).toBeGreaterThan(steps[i]!));
    }
    const samples = log.filter((r) => r.type === 'samples');
    expect(samples.length).toBeGreaterThan(0);
    for (const key of ['validity', 'atomStability', 'moleculeStability']) {
      expect(samples[0].metrics[key]).toBeGreaterThanOrEqual(0);
      expect(samples[0].metrics[key]).toBeLessThanOrEqual(1);
    }
    const model = await core.loadModelDirectory(join(outDir, 'model'));
    expect(model.meta.training?.['step']).toBe(saved + 5);
  });
});
