import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { collateBatch } from '../data/batch.js';
import { MoleculeDataset } from '../data/dataset.js';
import { drawTrainingNoise } from '../diffusion/noise.js';
import { noisyInputs, simpleLossWeights } from '../diffusion/objective.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { parseSdf } from '../io/sdf.js';
import { disposeParameters } from '../model/parameters.js';
import { adapterInfo } from './gpuAdapter.js';
import { countDispatches } from './webgpu.js';
import { dawnGpu } from '../node/dawn.js';
import { selectNodeBackend } from '../node/backends.js';
import { Rng } from '../random/rng.js';
import { fixturePath, relativeError, tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { type GradientRequest, LocalGradientEngine } from '../train/gradientEngine.js';
import { Trainer } from '../train/trainer.js';
import { defaultTrainingConfig } from '../train/trainingConfig.js';

// The WebGPU backend against wasm on the same inputs. Without a GPU this runs on SwiftShader, the
// Vulkan driver Debian's chromium ships (.ci/run installs it); it is skipped only where Dawn finds no
// Vulkan driver at all. Errors are norm-wise over the whole tensor: ‖a − b‖ / ‖b‖.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env['VK_ICD_FILENAMES'] === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
  // SwiftShader's loader wants a runtime directory, which CI containers do not set.
  process.env['XDG_RUNTIME_DIR'] ??= tmpdir();
}
const found = await dawnGpu(undefined).then((gpu) => gpu.requestAdapter()).catch(() => null);
const adapter = found ? adapterInfo(found) : null;


// Tiny, so that it runs in about a minute on SwiftShader: heavy atoms (≤ 9), hidden 16, 2 layers, 2 molecules a batch.
const molecules = parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8')).map(heavyAtomsOnly);
const dataset = MoleculeDataset.fromMolecules(molecules, qm9Encoding(false), { name: 'fixture', source: 'fixture', filters: [] });
const F = 5;
const model = { egnn: tinyEgnnConfig(F, { hiddenSize: 16, layers: 2 }), schedule: { ...EDM_QM9_SCHEDULE, timesteps: 100 } };
const engine = (): LocalGradientEngine => new LocalGradientEngine({ ...model, microBatch: 2 });
const config = defaultTrainingConfig({ seed: 5, batchSize: 2, microBatch: 2, validationFraction: 0, validateEvery: 0, checkpointEvery: 0, logEvery: 1000 });

function request(): GradientRequest {
  const batch = collateBatch(dataset, [4, 5]);
  const noise = drawTrainingNoise(new Rng(11), batch.size, batch.maxAtoms, F, batch.nodeMask, model.schedule.timesteps);
  return { batch, noise, weights: simpleLossWeights(batch, F) };
}

/** ε̂ of the network, the gradient of one batch, and the losses of 20 training steps, on the active backend. */
async function outcomes(): Promise<{ epsX: Float32Array; epsH: Float32Array; grads: Float32Array; losses: number[] }> {
  const e = engine();
  const params = e.dynamics.layout.initialise(new Rng(3));
  const req = request();
  const B = req.batch.size;
  const N = req.batch.maxAtoms;
  const inputs = noisyInputs(req.batch, req.noise, e.schedule, F);
  const tensors = e.dynamics.layout.toTensors(params);
  const prediction = tf.tidy(() =>
    e.dynamics.predictNoise(tensors, {
      zx: tf.tensor3d(inputs.zx, [B, N, 3]),
      zh: tf.tensor3d(inputs.zh, [B, N, F]),
      t: tf.tensor1d(inputs.t),
      nodeMask: tf.tensor2d(req.batch.nodeMask, [B, N]),
    }),
  );
  const [epsX, epsH] = (await Promise.all([prediction.epsX.data(), prediction.epsH.data()])) as Float32Array[];
  tf.dispose([prediction.epsX, prediction.epsH]);
  disposeParameters(tensors);
  const { grads } = await e.compute(params, req);
  const trainer = new Trainer(model, dataset, config, engine());
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) losses.push((await trainer.step()).loss);
  return { epsX: epsX!, epsH: epsH!, grads, losses };
}

describe.skipIf(adapter === null)(`WebGPU against wasm (${adapter ? `${adapter.vendor} ${adapter.architecture}` : 'no Vulkan driver'})`, () => {
  let wasm: Awaited<ReturnType<typeof outcomes>>;
  let webgpu: Awaited<ReturnType<typeof outcomes>>;
  const dispatchesPerStep: number[] = [];

  beforeAll(async () => {
    await useTestBackend();
    wasm = await outcomes();
    const choice = await selectNodeBackend({ preferred: 'webgpu', notice: () => {} });
    expect(choice.name).toBe('webgpu');
    webgpu = await outcomes();
    const e = engine();
    const params = e.dynamics.layout.initialise(new Rng(3));
    for (let i = 0; i < 2; i++) {
      const counter = countDispatches();
      await e.compute(params, request());
      dispatchesPerStep.push(counter.count);
    }
    await useTestBackend();
  }, 900_000); // SwiftShader on a busy CI machine

  it('predicts the same noise ε̂ (within 1e-4)', () => {
    expect(relativeError(webgpu.epsX, wasm.epsX)).toBeLessThan(1e-4);
    expect(relativeError(webgpu.epsH, wasm.epsH)).toBeLessThan(1e-4);
  });

  it('computes the same gradient (within 1e-3)', () => {
    expect(wasm.grads.some((g) => g !== 0)).toBe(true);
    expect(relativeError(webgpu.grads, wasm.grads)).toBeLessThan(1e-3);
  });

  it('counts the compute dispatches of a gradient step, the same each time (they depend on shapes only)', () => {
    expect(dispatchesPerStep[0]).toBeGreaterThan(20);
    expect(dispatchesPerStep[1]).toBe(dispatchesPerStep[0]);
  });

  it('trains alike: the losses of 20 steps agree within 1 % at every step', () => {
    expect(webgpu.losses).toHaveLength(20);
    for (let i = 0; i < 20; i++) expect(Math.abs(webgpu.losses[i]! - wasm.losses[i]!) / wasm.losses[i]!, `step ${i + 1}`).toBeLessThan(0.01);
  });
});
