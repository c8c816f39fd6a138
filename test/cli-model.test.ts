// `equimol model average`, which can produce a shipped model: its weights must be the mean of the
// checkpoints' EMA weights, with model.json's provenance saying so; a model from another step is
// refused rather than mislabelled, and nothing is written when anything is wrong.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as core from '@equimol/core/node';
import { equimol, scratch } from './cli-run.js';

const { dir: work, remove } = scratch('model');
afterAll(remove);

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

function average(checkpoints: string[], model: string, out: string, ...more: string[]) {
  return equimol(['model', 'average', ...checkpoints, '-m', model, '-o', out, ...more], work);
}

describe('equimol model average', () => {
  const size = core.createModel(meta).params.length;
  const a = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: size }, (_, i) => Math.cos(i) * 3);
  const modelDir = join(work, 'model');

  it('writes the mean of the EMA weights and names the checkpoints', async () => {
    await core.saveModelDirectory(core.createModel({ ...meta, training: { step: 20, epoch: 1.5, weights: 'EMA' } }, b), modelDir);
    const out = join(work, 'averaged');
    const r = average([checkpoint(10, a), checkpoint(20, b)], modelDir, out);
    expect(r.stderr).toBe(`${out}: mean of 2 EMA weight sets, steps 10–20\n`);
    expect(r.status).toBe(0);
    const averaged = await core.loadModelDirectory(out);
    for (const i of [0, 1, 7, size - 1]) expect(averaged.params[i]).toBeCloseTo((a[i]! + b[i]!) / 2, 6);
    expect(averaged.meta.training).toMatchObject({
      step: 20,
      epoch: 1.5,
      weights: 'mean of the EMA weights of 2 checkpoints, steps 10, 20',
      averagedCheckpoints: ['step-10.eqt', 'step-20.eqt'],
    });
    expect(averaged.meta.training!.averageCommand).toMatch(/^equimol model average .*step-10\.eqt .*step-20\.eqt -m /);
  });

  it('replaces an existing model only with --force', async () => {
    const out = join(work, 'averaged');
    const before = readFileSync(join(out, 'weights.bin'));
    const refused = average([checkpoint(20, a)], modelDir, out);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe(`equimol: ${out} exists; use --force to overwrite it`);
    expect(readFileSync(join(out, 'weights.bin'))).toEqual(before);
    const forced = average([checkpoint(20, a)], modelDir, out, '--force');
    expect(forced.status).toBe(0);
    expect((await core.loadModelDirectory(out)).params[1]).toBeCloseTo(a[1]!, 6);
    // A directory that is not a model is never swapped out, --force or not.
    mkdirSync(join(work, 'notes'));
    writeFileSync(join(work, 'notes/keep.txt'), 'mine');
    const notModel = average([checkpoint(20, a)], modelDir, join(work, 'notes'), '-f');
    expect(notModel.status).toBe(2);
    expect(notModel.stderr).toContain('exists and is not a model directory; not replacing it');
    expect(readdirSync(join(work, 'notes'))).toEqual(['keep.txt']);
  });

  it('refuses a model directory from another step, writing nothing', () => {
    const out = join(work, 'refused');
    const r = average([checkpoint(30, a)], modelDir, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is the model of step 20, the latest checkpoint is step 30');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a checkpoint of another architecture, writing nothing', async () => {
    const wide = core.createModel({ ...meta, egnn: core.edmEgnnConfig(core.featureCount(encoding), 16, 1) }).params.length;
    const other = checkpoint(20, new Float32Array(wide));
    const out = join(work, 'refused');
    const r = average([other], modelDir, out);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`equimol: ${other}: ${wide} weights, but ${modelDir} has ${size}: not the same architecture`);
    expect(existsSync(out)).toBe(false);
  });

  it('names a file that is not a checkpoint in one line, writing nothing', () => {
    const bogus = join(work, 'bogus.eqt');
    writeFileSync(bogus, 'not a checkpoint');
    const out = join(work, 'refused');
    const r = average([bogus], modelDir, out);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`equimol: ${bogus}: not an equimol trainer checkpoint (bad magic bytes)`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.startsWith('.equimol-'))).toEqual([]);
  });

  it.each([
    [['missing.eqt'], /missing\.eqt: no such file \(checkpoint\)/],
    [[], /Not enough non-option arguments/],
  ])('equimol model average %s → exit 2', (checkpoints, message) => {
    const r = average(checkpoints, join(work, 'model'), join(work, 'refused'));
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});
