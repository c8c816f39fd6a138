import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { parseSdf } from '../io/sdf.js';
import { edmEgnnConfig } from '../model/config.js';
import { LocalGradientEngine } from './gradientEngine.js';
import { Trainer } from './trainer.js';
import { trainerStateFromBytes, trainerStateToBytes } from './trainerState.js';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Rng } from '../random/rng.js';
import { fixturePath, relativeError, useTestBackend } from '../testing/fixtures.js';
import { swiftshaderAdapter } from '../testing/webgpu.js';
import { selectNodeBackend } from '../node/backends.js';
import { adamStep, initialAdamState } from './adam.js';
import { DeviceOptimizer } from './deviceOptimizer.js';
import { updateEma } from './ema.js';
import { AdaptiveGradientClipper } from './gradientClipping.js';
import { defaultTrainingConfig } from './trainingConfig.js';
import type { TrainerState } from './trainerState.js';

// The device-resident optimiser against the host one (adam.ts, ema.ts, gradientClipping.ts) on the
// same gradients: ordinary steps, a huge gradient that is clipped, and a non-finite one that is skipped.
// On WebGPU (SwiftShader without a GPU), where its kernels run.

const adapter = await swiftshaderAdapter();

const P = 1000;
const config = defaultTrainingConfig({ seed: 1, optimizer: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4, amsgrad: true } });

function state(): TrainerState {
  const rng = new Rng(4);
  const params = Float32Array.from({ length: P }, () => rng.normal());
  return {
    step: 0, epoch: 0, batchInEpoch: 0, params, ema: params.slice(), adam: initialAdamState(P, config.optimizer),
    rng: new Rng(1).state(), clipHistory: [], bestValidationLoss: null, elapsedSeconds: 0,
  };
}

/** Summed gradients of B = 4 molecules for each step: ordinary, clipped (×1e6), non-finite (NaN). */
function gradients(): Float32Array[] {
  const rng = new Rng(9);
  return Array.from({ length: 8 }, (_, i) => {
    const g = Float32Array.from({ length: P }, () => rng.normal());
    if (i === 3) g.forEach((_, k) => (g[k]! *= 1e6));
    if (i === 5) g[7] = NaN;
    return g;
  });
}

describe.skipIf(adapter === null)(`DeviceOptimizer on WebGPU (${adapter ?? 'no Vulkan driver'})`, () => {
  let host: TrainerState;
  let device: TrainerState;
  let hostFlags: { clipped: boolean; skipped: boolean }[];
  let deviceFlags: { clipped: number; skipped: number; loss: number }[];
  let window: { clipped: number; skipped: number };
  let leaked: number;

  beforeAll(async () => {
    const B = 4;
    host = state();
    const clipper = new AdaptiveGradientClipper();
    hostFlags = [];
    for (const [i, g0] of gradients().entries()) {
      const g = g0.map((v) => v / B);
      const norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
      const skipped = !Number.isFinite(norm);
      let clipped = false;
      if (!skipped) {
        clipped = clipper.clip(g).clipped;
        adamStep(host.params, g, host.adam, config.optimizer);
        updateEma(host.ema, host.params, 0.9 - 0.01 * i);
      }
      hostFlags.push({ clipped, skipped });
    }
    host.clipHistory = clipper.recentNorms;

    await selectNodeBackend({ preferred: 'webgpu', notice: () => {} });
    device = state();
    const before = tf.memory().numTensors;
    const optimizer = DeviceOptimizer.upload(device, config);
    deviceFlags = [];
    for (const [i, g] of gradients().entries()) {
      const [grad, loss] = [tf.tensor1d(g), tf.scalar(2 * i)];
      optimizer.step(grad, loss, B, config, 0.9 - 0.01 * i);
      tf.dispose([grad, loss]);
      deviceFlags.push(await optimizer.lastStep().then((r) => ({ clipped: r.clipped, skipped: r.skipped, loss: r.loss })));
    }
    window = await optimizer.window();
    await optimizer.download(device);
    optimizer.dispose();
    leaked = tf.memory().numTensors - before;
    await useTestBackend();
  }, 600_000);

  // The host computes in float64 and stores float32; the device computes in float32 throughout.
  it('takes the same steps: parameters, moments and EMA agree with the host optimiser', () => {
    expect(device.adam.step).toBe(host.adam.step);
    expect(host.adam.step).toBe(7);
    expect(relativeError(device.params, host.params)).toBeLessThan(1e-5);
    expect(relativeError(device.adam.m, host.adam.m)).toBeLessThan(1e-4);
    expect(relativeError(device.adam.v, host.adam.v)).toBeLessThan(1e-4);
    expect(relativeError(device.adam.vMax, host.adam.vMax)).toBeLessThan(1e-4);
    expect(relativeError(device.ema, host.ema)).toBeLessThan(1e-5);
  });

  it('clips the huge gradient and skips the non-finite one, as the host does, and keeps the same norm history', () => {
    expect(hostFlags.map((f) => f.clipped)).toEqual([false, false, false, true, false, false, false, false]);
    expect(deviceFlags.map((f) => f.clipped === 1)).toEqual(hostFlags.map((f) => f.clipped));
    expect(deviceFlags.map((f) => f.skipped === 1)).toEqual(hostFlags.map((f) => f.skipped));
    expect(deviceFlags.map((f) => f.loss)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
    expect(window).toMatchObject({ clipped: 1, skipped: 1 });
    expect(device.clipHistory).toHaveLength(host.clipHistory.length);
    expect(relativeError(device.clipHistory, host.clipHistory)).toBeLessThan(1e-6);
  });

  it('leaves no tensors behind once disposed', () => {
    expect(leaked).toBe(0);
  });
});

// Exact resume with the state on the device: a checkpoint reads it back once, and a trainer resumed
// from those bytes continues exactly as the uninterrupted one.
const molecules = parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8')).map(heavyAtomsOnly);
const dataset = MoleculeDataset.fromMolecules(molecules, qm9Encoding(false), { name: 'fixture', source: 'fixture', filters: [] });
const model = { egnn: edmEgnnConfig(5, 8, 1), schedule: { ...EDM_QM9_SCHEDULE, timesteps: 100 } };
const training = defaultTrainingConfig({ seed: 6, batchSize: 3, microBatch: 3, validationFraction: 0, validateEvery: 0, checkpointEvery: 0, logEvery: 1000 });
const trainer = (resumeFrom?: TrainerState): Trainer => new Trainer(model, dataset, training, new LocalGradientEngine({ ...model, microBatch: 3 }), resumeFrom);

describe.skipIf(adapter === null)(`training on the device (${adapter ?? 'no Vulkan driver'})`, () => {
  let straight: TrainerState;
  let resumed: TrainerState;
  let onDevice = false;

  beforeAll(async () => {
    await selectNodeBackend({ preferred: 'webgpu', notice: () => {} });
    const a = trainer();
    onDevice = a.onDevice;
    for (let i = 0; i < 6; i++) await a.step();
    straight = await a.release();
    const b = trainer();
    for (let i = 0; i < 3; i++) await b.step();
    const bytes = trainerStateToBytes(await b.release());
    const c = trainer(trainerStateFromBytes(bytes).state);
    for (let i = 0; i < 3; i++) await c.step();
    resumed = await c.release();
    await useTestBackend();
  }, 600_000);

  it('resumes exactly from a checkpoint read back from the device', () => {
    expect(onDevice).toBe(true);
    expect(resumed.step).toBe(6);
    expect(resumed.adam.step).toBe(straight.adam.step);
    expect(resumed.params).toEqual(straight.params);
    expect(resumed.ema).toEqual(straight.ema);
    expect(resumed.adam.m).toEqual(straight.adam.m);
    expect(resumed.adam.vMax).toEqual(straight.adam.vMax);
    expect(resumed.clipHistory).toEqual(straight.clipHistory);
  });
});

// Validation with the state on the device evaluates the device's EMA where it lives: over a run that
// validates every 2 steps and checkpoints every 3, the state is read back once per checkpoint and
// never for a validation, and the loss is the one the EMA read back to host arrays gives.
describe.skipIf(adapter === null)(`validation on the device (${adapter ?? 'no Vulkan driver'})`, () => {
  const settings = defaultTrainingConfig({ ...training, batchSize: 2, microBatch: 2, validationFraction: 0.34, maxSteps: 6, validateEvery: 2, checkpointEvery: 3 });
  const downloads: number[] = [];
  const checkpoints: { step: number; reason: string }[] = [];
  const validations: { step: number; loss: number }[] = [];
  let hostLoss = NaN;
  let onDevice = false;

  beforeAll(async () => {
    await selectNodeBackend({ preferred: 'webgpu', notice: () => {} });
    const download = DeviceOptimizer.prototype.download;
    const spy = vi.spyOn(DeviceOptimizer.prototype, 'download').mockImplementation(function (this: DeviceOptimizer, state: TrainerState) {
      downloads.push(state.step);
      return download.call(this, state);
    });
    try {
      const t = new Trainer(model, dataset, settings, new LocalGradientEngine({ ...model, microBatch: 2 }));
      onDevice = t.onDevice;
      await t.run({
        onLog: (r) => {
          if (r.type === 'validation') validations.push({ step: r.step, loss: r.loss });
        },
        onCheckpoint: (s, reason) => {
          checkpoints.push({ step: s.step, reason });
        },
      });
      // The run ended at a validation step and released the state: the host arrays hold that EMA.
      hostLoss = await t.validationLoss();
    } finally {
      spy.mockRestore();
      await useTestBackend();
    }
  }, 600_000);

  it('reads the state back only for checkpoints, not for validations', () => {
    expect(onDevice).toBe(true);
    expect(validations.map((v) => v.step)).toEqual([2, 4, 6]);
    expect(checkpoints).toContainEqual({ step: 3, reason: 'periodic' });
    expect(checkpoints.at(-1)).toEqual({ step: 6, reason: 'end' });
    expect(downloads).toEqual(checkpoints.map((c) => c.step));
  });

  it("gives the validation loss that the host arrays' EMA gives", () => {
    const loss = validations.at(-1)!.loss;
    expect(Number.isFinite(loss)).toBe(true);
    expect(Math.abs(loss - hostLoss) / Math.abs(hostLoss)).toBeLessThan(1e-5);
  });
});
