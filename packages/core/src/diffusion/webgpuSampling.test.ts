import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../modelFormat/modelFormat.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { dawnGpu } from '../node/dawn.js';
import { selectNodeBackend } from '../node/backends.js';
import { type SampleOptions, type SampleResult, sampleMolecules } from '../pipeline/sampleMolecules.js';
import { Rng } from '../random/rng.js';
import { maxAbsDiff, tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { EDM_QM9_SCHEDULE } from './schedule.js';

// The sampling chain on WebGPU against wasm, with the same seed: the chain's state stays on the
// device and only the result is read back, while the noise comes from the same CPU streams, so the
// molecules must agree to float32 rounding. Without a GPU this runs on SwiftShader (Debian's chromium
// ships it); it is skipped only where Dawn finds no Vulkan driver at all.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env['VK_ICD_FILENAMES'] === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
  process.env['XDG_RUNTIME_DIR'] ??= tmpdir();
}
const adapter = await dawnGpu(undefined).then((gpu) => gpu.requestAdapter()).catch(() => null);

const base = createModel({
  name: 'tiny',
  egnn: tinyEgnnConfig(5, { hiddenSize: 16, layers: 2 }),
  schedule: { ...EDM_QM9_SCHEDULE, timesteps: 100 },
  encoding: qm9Encoding(false),
  atomCountHistogram: [0, 0, 0, 2, 3, 4, 1],
});
const model = { ...base, params: base.dynamics.layout.initialise(new Rng(2)) };
// Two atoms held, far from the origin (inpainting), with RePaint jumps.
const fixed = { elements: ['C', 'O'], positions: Float64Array.from([4.25, -1.5, 2.0, 5.45, -1.5, 2.0]) };
// One size, so one batch shape: SwiftShader compiles each shader program once per shape, slowly.
const runs: Record<string, SampleOptions> = {
  ancestral: { count: 3, atoms: 5, seed: 3, steps: 10, trajectoryFrames: 3 },
  'DDIM with held atoms': { count: 3, atoms: 5, seed: 5, steps: 10, sampler: 'ddim', fixed, resample: 2 },
};

describe.skipIf(adapter === null)('sampling on WebGPU against wasm (10-step chains)', () => {
  const wasm: Record<string, SampleResult> = {};
  const webgpu: Record<string, SampleResult> = {};
  const tensors: number[] = [];

  beforeAll(async () => {
    await useTestBackend();
    for (const [name, options] of Object.entries(runs)) wasm[name] = await sampleMolecules(model, options);
    expect((await selectNodeBackend({ preferred: 'webgpu', notice: () => {} })).name).toBe('webgpu');
    await sampleMolecules(model, { count: 3, atoms: 5, steps: 2 }); // tfjs-webgpu's first use keeps some tensors of its own
    tensors.push(tf.memory().numTensors);
    for (const [name, options] of Object.entries(runs)) webgpu[name] = await sampleMolecules(model, options);
    tensors.push(tf.memory().numTensors);
  }, 900_000); // SwiftShader on a busy CI machine

  afterAll(useTestBackend);

  for (const name of Object.keys(runs)) {
    it(`${name}: the same elements, coordinates within 0.01 Å`, () => {
      const [a, b] = [webgpu[name]!.molecules, wasm[name]!.molecules];
      expect(a.map((m) => m.elements)).toEqual(b.map((m) => m.elements));
      for (const [k, m] of a.entries()) expect(maxAbsDiff(m.positions, b[k]!.positions), `molecule ${k}`).toBeLessThan(0.01);
    });
  }

  it('keeps the requested trajectory frames and holds the atoms exactly', () => {
    const frames = webgpu['ancestral']!.trajectory!.molecules.map((m) => m.frames.map((f) => f.step));
    expect(frames).toEqual(wasm['ancestral']!.trajectory!.molecules.map((m) => m.frames.map((f) => f.step)));
    for (const m of webgpu['DDIM with held atoms']!.molecules) expect(Array.from(m.positions.subarray(0, 6))).toEqual(Array.from(fixed.positions));
  });

  it('leaks no tensors', () => {
    expect(tensors[1]).toBe(tensors[0]);
  });
});
