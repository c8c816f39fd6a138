import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { swiftshaderAdapter } from '../testing/webgpu.js';
import { selectNodeBackend } from '../node/backends.js';
import { Rng } from '../random/rng.js';
import { relativeError, tinyEgnnConfig, useTestBackend, wideParameters } from '../testing/fixtures.js';
import type { EgnnConfig } from './config.js';
import { EgnnDynamics } from './dynamics.js';
import { disposeParameters, flatParameters, flatSource } from './parameters.js';
import { webgpuNetworkAvailable } from './webgpuEdges.js';

// The fused WGSL network against the composed tfjs ops, on WebGPU (SwiftShader without a GPU) and
// against wasm: ε̂ within 1e-4 and the gradient of every parameter within 1e-3, norm-wise
// (‖a − b‖ / ‖b‖), on a padded batch of molecules of different sizes.

const F = 5;
const counts = [5, 3, 4];
const adapter = await swiftshaderAdapter();

const variants: Record<string, EgnnConfig> = {
  'EDM (attention, tanh)': tinyEgnnConfig(F, { hiddenSize: 16, layers: 2 }),
  'no attention, no tanh, normalization 3, width 12': tinyEgnnConfig(F, { hiddenSize: 12, layers: 2, attention: false, tanh: false, normalizationFactor: 3 }),
  'two GCLs a block, logSnr input': tinyEgnnConfig(F, { hiddenSize: 16, layers: 2, invSublayers: 2, logSnrInput: true }),
};

interface Outcome {
  epsX: Float32Array;
  epsH: Float32Array;
  grads: Float32Array[];
}

/** ε̂ and the gradient of a fixed random projection of it, per parameter (layout order). */
async function outcome(config: EgnnConfig, mode: 'fused' | 'composed'): Promise<Outcome> {
  const dynamics = new EgnnDynamics(config);
  const layout = dynamics.layout;
  // Weights of ±0.2: every layer shapes the output, and tanh(φ_x) is not saturated (gradients flow).
  const flat = wideParameters(layout.size, 7).map((v) => 0.4 * v);
  const B = counts.length;
  const N = Math.max(...counts);
  const rng = new Rng(3);
  const mask = new Float32Array(B * N);
  counts.forEach((n, b) => mask.fill(1, b * N, b * N + n));
  const zx = Float32Array.from({ length: B * N * 3 }, (_, i) => 1.5 * rng.normal() * mask[Math.floor(i / 3)]!);
  const zh = Float32Array.from({ length: B * N * F }, () => rng.normal());
  const rx = Float32Array.from({ length: B * N * 3 }, () => rng.normal());
  const rh = Float32Array.from({ length: B * N * F }, () => rng.normal());
  const params = mode === 'fused' ? flatParameters(tf.tensor1d(flat), layout) : layout.toTensors(flat);
  const names = layout.specs.map((s) => s.name);
  try {
    const { epsX, epsH, grads } = tf.tidy(() => {
      const inputs = {
        zx: tf.tensor3d(zx, [B, N, 3]),
        zh: tf.tensor3d(zh, [B, N, F]),
        t: tf.tensor1d(counts.map((_, b) => (b + 1) / (B + 1))),
        nodeMask: tf.tensor2d(mask, [B, N]),
        logSnr: tf.tensor1d(counts.map((_, b) => b - 1)),
      };
      const composed = mode === 'composed';
      const projection = (p: typeof params): tf.Scalar => {
        const out = dynamics.predictNoise(p, inputs, { composed });
        return tf.add(tf.sum(tf.mul(out.epsX, tf.tensor3d(rx, [B, N, 3]))), tf.sum(tf.mul(out.epsH, tf.tensor3d(rh, [B, N, F])))) as tf.Scalar;
      };
      const out = dynamics.predictNoise(params, inputs, { composed });
      if (mode === 'fused') {
        const g = tf.grad(() => projection(params))(flatSource(params)!.theta);
        return { epsX: out.epsX, epsH: out.epsH, grads: [g] };
      }
      const g = tf.grads((...values: tf.Tensor[]) => projection(Object.fromEntries(names.map((n, i) => [n, values[i]!]))))(names.map((n) => params[n]!));
      return { epsX: out.epsX, epsH: out.epsH, grads: [tf.concat(g.map((t) => tf.reshape(t, [-1])))] };
    });
    const [x, h, g] = (await Promise.all([epsX.data(), epsH.data(), grads[0]!.data()])) as Float32Array[];
    tf.dispose([epsX, epsH, ...grads]);
    // Per parameter, so that a wrong small tensor (a bias) is not hidden by the large ones.
    const perParameter = layout.specs.map((spec, k) => g!.slice(layout.offsets[k]!, layout.offsets[k]! + spec.shape.reduce((a, b) => a * b, 1)));
    return { epsX: x!, epsH: h!, grads: perParameter };
  } finally {
    disposeParameters(params);
  }
}

describe.skipIf(adapter === null)(`the fused WebGPU network (${adapter ?? 'no Vulkan driver'})`, () => {
  const results: Record<string, { wasm: Outcome; composed: Outcome; fused: Outcome; leaked: number; available: boolean }> = {};

  beforeAll(async () => {
    await useTestBackend();
    const wasm: Record<string, Outcome> = {};
    for (const [name, config] of Object.entries(variants)) wasm[name] = await outcome(config, 'composed');
    await selectNodeBackend({ preferred: 'webgpu', notice: () => {} });
    for (const [name, config] of Object.entries(variants)) {
      const available = webgpuNetworkAvailable(config, new EgnnDynamics(config).layout);
      const composed = await outcome(config, 'composed');
      const before = tf.memory().numTensors;
      const fused = await outcome(config, 'fused');
      results[name] = { wasm: wasm[name]!, composed, fused, leaked: tf.memory().numTensors - before, available };
    }
    await useTestBackend();
  }, 900_000);

  for (const name of Object.keys(variants)) {
    it(`${name}: ε̂ within 1e-4 of the composed ops on WebGPU and of wasm`, () => {
      const r = results[name]!;
      expect(r.available).toBe(true);
      for (const ref of [r.composed, r.wasm]) {
        expect(relativeError(r.fused.epsX, ref.epsX)).toBeLessThan(1e-4);
        expect(relativeError(r.fused.epsH, ref.epsH)).toBeLessThan(1e-4);
      }
    });

    it(`${name}: every parameter's gradient within 1e-3, no leaked tensors`, () => {
      const r = results[name]!;
      const layout = new EgnnDynamics(variants[name]!).layout;
      for (const ref of [r.composed, r.wasm]) {
        layout.specs.forEach((spec, k) => {
          expect(ref.grads[k]!.some((v) => v !== 0), spec.name).toBe(true);
          expect(relativeError(r.fused.grads[k]!, ref.grads[k]!), spec.name).toBeLessThan(1e-3);
        });
      }
      expect(r.leaked).toBe(0);
    });
  }
});
