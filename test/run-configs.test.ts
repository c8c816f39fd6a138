// The shipped models' runs as config files (configs/): the qm9-heavy run, whose changes were once made
// by scripts editing run.json, is two configs whose schedules say what held at every step; qm9-h's
// in-progress state resumes with a change appended to its schedule.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as core from '@equimol/core/node';
import { equimol, FIXTURES, ROOT, scratch } from './cli-run.js';

const { dir, remove } = scratch('configs');
afterAll(remove);

const config = (name: string): core.RunConfig => JSON.parse(readFileSync(join(ROOT, 'configs', name), 'utf8')) as core.RunConfig;

describe('run configs', () => {
  const stage1 = config('qm9-heavy-stage1.json');
  const stage2 = config('qm9-heavy.json');
  const legacy = JSON.parse(readFileSync(join(ROOT, 'training/qm9-heavy/legacy-run.json'), 'utf8')) as core.RunConfig & {
    interventions: { step: number; what: string }[];
  };

  it('qm9-heavy: the converted schedule holds what the recorded changes set, from the steps they were made at', () => {
    const at = (step: number) => core.trainingConfigAt(step < 26547 ? stage1.training : stage2.training, step);
    // Before and after each recorded change.
    expect([at(0).optimizer.learningRate, at(7422).optimizer.learningRate, at(7423).optimizer.learningRate, at(16595).optimizer.learningRate]).toEqual([2e-4, 2e-4, 1e-4, 5e-5]);
    expect([at(2692).emaWarmup, at(2693).emaWarmup]).toEqual([false, true]);
    expect(core.resetsEmaAt(stage1.training, 2693)).toBe(true);
    expect([at(19448).timestepSampling, at(19449).timestepSampling, at(29520).timestepSampling]).toEqual([
      undefined,
      { lowNoiseShare: 0.5, lowNoiseSteps: 100 },
      { lowNoiseShare: 0.5, lowNoiseSteps: 300 },
    ]);
    // Every recorded change has its schedule entry at its step.
    const steps = [...(stage2.training.schedule ?? []).map((e) => e.fromStep), 26547].sort((a, b) => a - b);
    expect(steps).toEqual(legacy.interventions.map((i) => i.step));
    // The log-SNR input came with a continuation at step 26,547 (stage 1 ends there).
    expect(stage1.training.maxSteps).toBe(26547);
    expect(stage1.egnn.logSnrInput).toBeUndefined();
    expect(stage2.init).toEqual({ fromRun: 'runs/qm9-heavy-stage1' });
    // Where the run ended, the settings are those the legacy run.json showed, and the network is the shipped one's.
    const { schedule: _s, maxSteps: _m, ...final } = at(64698);
    const { timestepSampling, ...legacyRest } = legacy.training;
    expect(final).toEqual({ ...legacyRest, timestepSampling });
    const shipped = JSON.parse(readFileSync(join(ROOT, 'data/models/qm9-heavy/model.json'), 'utf8')) as { egnn: core.EgnnConfig; training: { step: number } };
    expect(stage2.egnn).toEqual(shipped.egnn);
    expect(stage2.training.maxSteps).toBe(shipped.training.step);
  });

  it('replays both stages at small scale: stage 2 continues stage 1 with the log-SNR input grown in', () => {
    mkdirSync(join(dir, 'runs'));
    expect(equimol(['data', 'build', join(FIXTURES, 'chem/qm9-train-sample.sdf'), '-o', 'runs/qm9-heavy.eqd', '--remove-hydrogens', '--elements', 'C,N,O,F'], dir).status).toBe(0);
    const small = (c: core.RunConfig, maxSteps: number, schedule: core.ScheduleEntry[]): core.RunConfig => ({
      ...c,
      egnn: { ...c.egnn, hiddenSize: 8, layers: 1 },
      training: { ...c.training, maxSteps, batchSize: 3, workers: 1, validationFraction: 0, sampleEvery: 0, logEvery: 1, schedule },
    });
    // The same entries, at steps 2 (EMA reset), 3 (lr) and 4 (low-noise draws), and the grow at 4.
    const shift = (entries: core.ScheduleEntry[]) => entries.map((e, k) => ({ ...e, fromStep: [2, 3, 3, 4, 5][k]! }));
    writeFileSync(join(dir, 'stage1.json'), JSON.stringify(small(stage1, 4, shift(stage1.training.schedule!))));
    writeFileSync(join(dir, 'stage2.json'), JSON.stringify(small(stage2, 6, shift(stage2.training.schedule!))));
    expect(equimol(['train', '--config', 'stage1.json', '--out', 'runs/qm9-heavy-stage1'], dir).status).toBe(0);
    const r = equimol(['train', '--config', 'stage2.json', '--out', 'runs/qm9-heavy'], dir);
    expect(r.stdout).toMatch(/continuing qm9-heavy from step 4 \(runs\/qm9-heavy-stage1\/checkpoints\/latest\.eqt\), network \d+ → \d+ parameters/);
    expect(r.status).toBe(0);
    const log = readFileSync(join(dir, 'runs/qm9-heavy/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; learningRate: number });
    expect(log.map((x) => [x.step, x.learningRate])).toEqual([[5, 5e-5], [6, 5e-5]]);
  }, 120_000);

  it("qm9-h: the in-progress state at step 4,500 resumes with --set, which appends to its schedule", () => {
    expect(equimol(['data', 'build', join(FIXTURES, 'chem/qm9-train-sample.sdf'), '-o', 'qm9-h.eqd', '--elements', 'H,C,N,O,F'], dir).status).toBe(0);
    mkdirSync(join(dir, 'h/checkpoints'), { recursive: true });
    cpSync(join(ROOT, 'training/qm9-h/latest.eqt'), join(dir, 'h/checkpoints/latest.eqt'));
    const run = JSON.parse(readFileSync(join(ROOT, 'training/qm9-h/run.json'), 'utf8')) as core.RunConfig;
    writeFileSync(join(dir, 'h/run.json'), JSON.stringify({ ...run, dataset: 'qm9-h.eqd', training: { ...run.training, workers: 1, validationFraction: 0, logEvery: 1 } }));
    const r = equimol(['train', '--out', 'h', '--resume', '--set', 'maxSteps=4501', '--set', 'optimizer.learningRate=5e-5'], dir);
    expect(r.stdout).toMatch(/resuming qm9-h at step 4500/);
    expect(r.status).toBe(0);
    const after = JSON.parse(readFileSync(join(dir, 'h/run.json'), 'utf8')) as core.RunConfig;
    expect(after.training.optimizer.learningRate).toBe(2e-4);
    expect(after.training.schedule).toMatchObject([{ fromStep: 4500, set: { maxSteps: 4501, optimizer: { learningRate: 5e-5 } } }]);
    const log = readFileSync(join(dir, 'h/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; learningRate: number });
    expect(log.at(-1)).toMatchObject({ step: 4501, learningRate: 5e-5 });
  }, 120_000);
});
