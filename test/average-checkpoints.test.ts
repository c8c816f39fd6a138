// scripts/average-checkpoints.mjs, which can produce a shipped model: its weights must be the mean
// of the checkpoints' EMA weights, with model.json's provenance saying so, and a model from another
// step is refused rather than mislabelled.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as core from '@equimol/core/node';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'equimol-average-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const encoding = core.qm9Encoding(false);
const meta = {
  name: 'tiny',
  egnn: core.edmEgnnConfig(core.featureCount(encoding), 8, 1),
  schedule: { ...core.EDM_QM9_SCHEDULE, timesteps: 10 },
  encoding,
  atomCountHistogram: [0, 0, 1],
};

function checkpoint(step: number, ema: Float32Array): string {
  const zeros = new Float32Array(ema.length);
  const state = { step, epoch: 0, batchInEpoch: step, params: zeros, ema, adam: { step, m: zeros, v: zeros, vMax: zeros }, rng: [1, 2, 3, 4] as core.RngState, clipHistory: [], bestValidationLoss: null, elapsedSeconds: step };
  const path = join(work, `step-${step}.eqt`);
  writeFileSync(path, core.trainerStateToBytes(state));
  return path;
}

function run(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'scripts/average-checkpoints.mjs'), ...args], { encoding: 'utf8' });
}

describe('scripts/average-checkpoints.mjs', () => {
  const size = core.createModel(meta).params.length;
  const a = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: size }, (_, i) => Math.cos(i) * 3);
  const modelDir = join(work, 'model');

  it('writes the mean of the EMA weights and names the checkpoints', async () => {
    await core.saveModelDirectory(core.createModel({ ...meta, training: { step: 20, epoch: 1.5, weights: 'EMA' } }, b), modelDir);
    const out = join(work, 'averaged');
    const r = run(modelDir, out, checkpoint(10, a), checkpoint(20, b));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const averaged = await core.loadModelDirectory(out);
    for (const i of [0, 1, 7, size - 1]) expect(averaged.params[i]).toBeCloseTo((a[i]! + b[i]!) / 2, 6);
    expect(averaged.meta.training).toMatchObject({ step: 20, epoch: 1.5, weights: 'mean of the EMA weights of 2 checkpoints, steps 10, 20' });
  });

  it('refuses a model directory from another step', () => {
    const r = run(modelDir, join(work, 'refused'), checkpoint(30, a));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is the model of step 20, the latest checkpoint is step 30');
  });

  it('names a file that is not a checkpoint in one line', () => {
    const bogus = join(work, 'bogus.eqt');
    writeFileSync(bogus, 'not a checkpoint');
    const r = run(modelDir, join(work, 'refused'), bogus);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`average-checkpoints: ${bogus}: not an equimol trainer checkpoint (bad magic bytes)`);
  });
});
