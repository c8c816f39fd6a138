import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { parseSdf } from '../io/sdf.js';
import { edmEgnnConfig } from '../model/config.js';
import { estimatePeakBytes } from '../model/memoryEstimate.js';
import { selectNodeBackend } from '../node/backends.js';
import { fixturePath, useTestBackend } from '../testing/fixtures.js';
import { swiftshaderAdapter } from '../testing/webgpu.js';
import { LocalGradientEngine } from '../train/gradientEngine.js';
import { Trainer } from '../train/trainer.js';
import { defaultTrainingConfig } from '../train/trainingConfig.js';
import { gpuMemory } from './webgpu.js';

// GPU memory stays bounded over a run on WebGPU: 200 training steps of a small network, with the
// training state on the device. tfjs-webgpu's buffer pool never frees a buffer, so its size is the
// run's peak: it must stop growing once every batch shape has been seen (after step 200 within 5 %
// of after step 20), and stay within twice the live working set that model/memoryEstimate.ts
// estimates for the largest batch (the limit issue #18 sets).

const adapter = await swiftshaderAdapter();
const molecules = parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8')).map(heavyAtomsOnly);
const dataset = MoleculeDataset.fromMolecules(molecules, qm9Encoding(false), { name: 'fixture', source: 'fixture', filters: [] });
const F = 5;
const B = 4;
const egnn = edmEgnnConfig(F, 8, 1);

describe.skipIf(adapter === null)(`GPU memory over 200 training steps (${adapter ?? 'no Vulkan driver'})`, () => {
  const allocated: Record<number, number> = {};
  let leaked = 0;
  let largestBatch = 0;
  let onDevice = false;

  beforeAll(async () => {
    await selectNodeBackend({ preferred: 'webgpu', notice: () => {} });
    const before = tf.memory().numTensors;
    const model = { egnn, schedule: { ...EDM_QM9_SCHEDULE, timesteps: 100 } };
    const config = defaultTrainingConfig({ seed: 3, batchSize: B, microBatch: B, validationFraction: 0, validateEvery: 0, checkpointEvery: 0, logEvery: 50 });
    const trainer = new Trainer(model, dataset, config, new LocalGradientEngine({ ...model, microBatch: B }));
    onDevice = trainer.onDevice;
    await trainer.run({
      onStep: (step) => {
        if (step === 20 || step === 200) allocated[step] = gpuMemory().allocated;
      },
      shouldStop: () => trainer.current.step >= 200,
    });
    leaked = tf.memory().numTensors - before;
    largestBatch = Math.max(...molecules.map((m) => m.elements.length));
    await useTestBackend();
  }, 1_200_000);

  it('trains on the device and leaks no tensors', () => {
    expect(onDevice).toBe(true);
    expect(leaked).toBe(0);
  });

  it('allocates no more after step 200 than after step 20 (within 5 %)', () => {
    expect(allocated[20]).toBeGreaterThan(0);
    expect(allocated[200]! / allocated[20]!).toBeLessThanOrEqual(1.05);
  });

  it('peaks within twice the estimated live working set of the largest batch', () => {
    const estimate = estimatePeakBytes(egnn, { molecules: B, atoms: largestBatch }, 'training');
    expect(allocated[200]!).toBeLessThanOrEqual(2 * estimate);
  });
});
