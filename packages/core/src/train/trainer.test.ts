import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { qm9Encoding } from '../data/atomEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { parseSdf } from '../io/sdf.js';
import { fixturePath, relativeError, tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { LocalGradientEngine } from './gradientEngine.js';
import { Trainer } from './trainer.js';
import { defaultTrainingConfig } from './trainingConfig.js';
import { trainerStateFromBytes, trainerStateToBytes } from './trainerState.js';
import { collateBatch } from '../data/batch.js';
import { drawTrainingNoise } from '../diffusion/noise.js';
import { simpleLossWeights } from '../diffusion/objective.js';
import { Rng } from '../random/rng.js';

const dataset = MoleculeDataset.fromMolecules(
  parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8')),
  qm9Encoding(true),
  { name: 'fixture', source: 'fixture', filters: [] },
);
const model = { egnn: tinyEgnnConfig(6), schedule: { ...EDM_QM9_SCHEDULE, timesteps: 100 } };
const config = defaultTrainingConfig({
  seed: 3,
  batchSize: 2,
  microBatch: 2,
  validationFraction: 0,
  validateEvery: 0,
  checkpointEvery: 0,
  logEvery: 1000,
  optimizer: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: true },
});
const engine = (): LocalGradientEngine => new LocalGradientEngine({ egnn: model.egnn, schedule: model.schedule, microBatch: 2 });

describe('trainer', () => {
  beforeAll(useTestBackend);

  it('after 20 steps, resuming from saved state gives exactly the next step of an uninterrupted run', async () => {
    const straight = new Trainer(model, dataset, config, engine());
    for (let i = 0; i < 20; i++) await straight.step();
    const saved = trainerStateToBytes(straight.current);
    const expected = await straight.step();

    const restored = trainerStateFromBytes(saved).state;
    const resumed = new Trainer(model, dataset, config, engine(), restored);
    expect(await resumed.step()).toEqual(expected);
    // The whole state, so that a resume bug anywhere shows: all weights, EMA, Adam's moments and
    // step, epoch and batch position, RNG, clipping history, best validation loss, elapsed time.
    expect(resumed.current).toEqual(straight.current);
    // State the trainer keeps outside TrainerState (clipper, batch plan) must be rebuilt the same.
    for (let i = 0; i < 3; i++) expect(await resumed.step()).toEqual(await straight.step());
    expect(resumed.current).toEqual(straight.current);
  });

  it('drives the loss down on a tiny set and keeps the tensor count flat', async () => {
    const trainer = new Trainer(model, dataset, { ...config, batchSize: 6, microBatch: 3 }, engine());
    const losses: number[] = [];
    let tensorsAfterWarmup = 0;
    for (let i = 0; i < 100; i++) {
      losses.push((await trainer.step()).loss);
      if (i === 4) tensorsAfterWarmup = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const last = losses.slice(-10).reduce((a, b) => a + b) / 10;
    expect(last).toBeLessThan(first / 2);
  });

  it('warms the EMA up: after one step it is mostly the new weights, without warm-up mostly the initial ones', async () => {
    const warm = new Trainer(model, dataset, { ...config, emaWarmup: true }, engine());
    const cold = new Trainer(model, dataset, { ...config, emaWarmup: false }, engine());
    const init = warm.current.params.slice();
    await warm.step();
    await cold.step();
    // Step 0 uses decay min(0.999, 1/10) = 0.1: ema = 0.1·init + 0.9·params.
    const i = 7;
    expect(warm.current.ema[i]).toBeCloseTo(0.1 * init[i]! + 0.9 * warm.current.params[i]!, 6);
    expect(cold.current.ema[i]).toBeCloseTo(0.999 * init[i]! + 0.001 * cold.current.params[i]!, 6);
  });

  it('draws low-noise timesteps for training only: the validation loss stays uniform and comparable', async () => {
    const held = { ...config, validationFraction: 0.3, validationSize: 8 };
    const uniform = new Trainer(model, dataset, held, engine());
    const boosted = new Trainer(model, dataset, { ...held, timestepSampling: { lowNoiseShare: 0.5, lowNoiseSteps: 10 } }, engine());
    expect(await boosted.validationLoss()).toBe(await uniform.validationLoss());
    const a = await uniform.step();
    const b = await boosted.step();
    expect(b.loss).not.toBe(a.loss);
    expect(() => new Trainer(model, dataset, { ...held, loss: 'vlb', timestepSampling: { lowNoiseShare: 0.5, lowNoiseSteps: 10 } }, engine())).toThrow(/l2/);
  });

  it('trains with the variational bound as the loss', async () => {
    const trainer = new Trainer(model, dataset, { ...config, loss: 'vlb' }, engine());
    for (let i = 0; i < 3; i++) {
      const r = await trainer.step();
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.skipped).toBe(false);
    }
  });

  it('run() logs, checkpoints at the end and stops on request with a checkpoint', async () => {
    const records: string[] = [];
    const reasons: string[] = [];
    const trainer = new Trainer(model, dataset, { ...config, maxSteps: 4, logEvery: 2 }, engine());
    await trainer.run({ onLog: (r) => void records.push(r.type), onCheckpoint: (_s, reason) => void reasons.push(reason) });
    expect(records).toEqual(['train', 'train']);
    expect(reasons).toEqual(['end']);
    let polls = 0;
    const stopped = new Trainer(model, dataset, { ...config, maxSteps: 100 }, engine());
    const state = await stopped.run({ shouldStop: () => ++polls > 3, onCheckpoint: (_s, reason) => void reasons.push(reason) });
    expect(state.step).toBe(3);
    expect(reasons.at(-1)).toBe('stop');
  });

  it('applies schedule entries at their steps: settings from fromStep on, an EMA reset once', async () => {
    const scheduled = {
      ...config,
      maxSteps: 6,
      logEvery: 1,
      schedule: [
        { fromStep: 2, set: { optimizer: { learningRate: 0 } } },
        { fromStep: 4, resetEma: true, set: { emaDecay: 0.5, timestepSampling: { lowNoiseShare: 1, lowNoiseSteps: 5 } } },
      ],
    };
    const plain = new Trainer(model, dataset, config, engine());
    const trainer = new Trainer(model, dataset, scheduled, engine());
    const rates: number[] = [];
    const params: Float32Array[] = [];
    await trainer.run({
      onLog: (r) => void (r.type === 'train' && rates.push(r.learningRate)),
      onStep: () => void params.push(trainer.current.params.slice()),
    });
    expect(rates).toEqual([1e-3, 1e-3, 0, 0, 0, 0]);
    // The first two steps are those of the unscheduled run; with lr 0 the weights then stay put.
    await plain.step();
    await plain.step();
    expect(params[1]).toEqual(plain.current.params);
    expect(params[5]).toEqual(params[1]);
    // Reset at step 4 to the (frozen) weights: the EMA equals them from then on.
    expect(trainer.current.ema).toEqual(trainer.current.params);
    expect(trainer.settings()).toMatchObject({ emaDecay: 0.5, timestepSampling: { lowNoiseShare: 1, lowNoiseSteps: 5 } });
    expect(() => new Trainer(model, dataset, { ...config, schedule: [{ fromStep: 5 }, { fromStep: 3 }] }, engine())).toThrow(/non-decreasing/);
  });

  it('checkpoints the state before a failed step, then rethrows', async () => {
    const failing = engine();
    const trainer = new Trainer(model, dataset, { ...config, maxSteps: 5 }, failing);
    let calls = 0;
    const compute = failing.compute.bind(failing);
    failing.compute = async (p, r) => {
      if (++calls === 3) throw new Error('worker died');
      return compute(p, r);
    };
    const saved: number[] = [];
    await expect(trainer.run({ onCheckpoint: (s, reason) => void saved.push(s.step, reason === 'failure' ? 1 : 0) })).rejects.toThrow('worker died');
    expect(saved).toEqual([2, 1]);
  });

  it('micro-batches change only the summation order of the gradient', async () => {
    const trainer = new Trainer(model, dataset, { ...config, batchSize: 6 }, engine());
    const layout = trainer.layout;
    const rng = new Rng(9);
    const indices = [0, 1, 2, 3, 4, 5];
    const batch = collateBatch(dataset, indices);
    const F = model.egnn.nodeFeatures;
    const request = { batch, noise: drawTrainingNoise(rng, 6, batch.maxAtoms, F, batch.nodeMask, 100, 0), weights: simpleLossWeights(batch, F) };
    const params = layout.initialise(new Rng(4));
    const whole = await new LocalGradientEngine({ ...model, microBatch: 6 }).compute(params, request);
    const split = await new LocalGradientEngine({ ...model, microBatch: 'auto', memory: { backend: 'test', limitBytes: 2e7, usableBytes: 1e7, maxTensorBytes: Infinity } }).compute(params, request);
    expect(new LocalGradientEngine({ ...model, microBatch: 'auto', memory: { backend: 'test', limitBytes: 2e7, usableBytes: 1e7, maxTensorBytes: Infinity } }).microBatchFor(batch.maxAtoms, 6, 'training')).toBeLessThan(6);
    expect(relativeError(split.grads, whole.grads)).toBeLessThan(1e-6);
    expect(split.lossSum).toBeCloseTo(whole.lossSum, 5);
  });

  it('fromConfig fills in EDM defaults sized to the dataset; toModel gives the EMA weights as a model', async () => {
    const trainer = Trainer.fromConfig({ egnn: { hiddenSize: 8, layers: 1 }, schedule: model.schedule, training: { batchSize: 3, validationFraction: 0 } }, dataset);
    expect(trainer.spec.egnn).toMatchObject({ hiddenSize: 8, layers: 1, nodeFeatures: 6, attention: true });
    expect(trainer.config).toMatchObject({ batchSize: 3, microBatch: 'auto', emaDecay: 0.999 });
    await trainer.step();
    const trained = trainer.toModel('tiny');
    expect(trained.meta).toMatchObject({ name: 'tiny', encoding: dataset.encoding, training: { step: 1, weights: 'EMA' } });
    expect(trained.params).toEqual(trainer.current.ema);
    expect(trained.params).not.toBe(trainer.current.ema);
  });
});
