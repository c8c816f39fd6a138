import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeKernelsWasmBase64 } from '../backend/edgeKernelsBinary.js';
import { fusedEdgeKernelsAvailable } from '../backend/wasmEdgeKernels.js';
import { Rng } from '../random/rng.js';
import { maxAbs, maxAbsDiff, useTestBackend } from '../testing/fixtures.js';
import { edmEgnnConfig } from './config.js';
import { EgnnDynamics } from './dynamics.js';
import { disposeParameters } from './parameters.js';

// The fused wasm edge kernels (sampling) against the composed tfjs ops (training) at EDM's width,
// on a padded batch of molecules of different sizes, with EDM's initialisation and with wide weights.

const F = 5;

function predict(dynamics: EgnnDynamics, flat: Float32Array, counts: number[], scale: number, fused: boolean) {
  const B = counts.length;
  const N = Math.max(...counts);
  const rng = new Rng(3);
  const mask = new Float32Array(B * N);
  counts.forEach((n, b) => mask.fill(1, b * N, b * N + n));
  const zx = Float32Array.from({ length: B * N * 3 }, (_, i) => scale * rng.normal() * mask[Math.floor(i / 3)]!);
  const zh = Float32Array.from({ length: B * N * F }, () => rng.normal());
  const params = dynamics.layout.toTensors(flat);
  try {
    return tf.tidy(() => {
      const out = dynamics.predictNoise(
        params,
        {
          zx: tf.tensor3d(zx, [B, N, 3]),
          zh: tf.tensor3d(zh, [B, N, F]),
          t: tf.tensor1d(counts.map((_, b) => (b + 1) / (B + 1))),
          nodeMask: tf.tensor2d(mask, [B, N]),
        },
        { fused },
      );
      return { epsX: out.epsX.dataSync() as Float32Array, epsH: out.epsH.dataSync() as Float32Array };
    });
  } finally {
    disposeParameters(params);
  }
}

describe('fused wasm edge kernels', () => {
  beforeAll(useTestBackend);

  it('is a self-contained module that only imports the backend memory', () => {
    const module = new WebAssembly.Module(Uint8Array.from(atob(edgeKernelsWasmBase64), (c) => c.charCodeAt(0)));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(fusedEdgeKernelsAvailable(128)).toBe(true);
    expect(fusedEdgeKernelsAvailable(130)).toBe(false); // SIMD needs a multiple of 4
  });

  const dynamics = new EgnnDynamics(edmEgnnConfig(F, 128, 3));
  const counts = [9, 4, 7, 9];
  const cases: [string, () => Float32Array, number][] = [
    ['EDM initialisation', () => dynamics.layout.initialise(new Rng(1)), 1],
    ['wide weights, spread-out atoms', () => { const r = new Rng(2); return Float32Array.from({ length: dynamics.layout.size }, () => 0.2 * (r.uniform() - 0.5)); }, 4],
  ];
  for (const [label, weights, scale] of cases) {
    it(`agrees with the composed tfjs ops on a padded batch (${label})`, () => {
      const flat = weights();
      const composed = predict(dynamics, flat, counts, scale, false);
      const fused = predict(dynamics, flat, counts, scale, true);
      for (const key of ['epsX', 'epsH'] as const) {
        expect(fused[key].every(Number.isFinite)).toBe(true);
        expect(maxAbs(composed[key])).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(fused[key], composed[key])).toBeLessThan(1e-4 * Math.max(1, maxAbs(composed[key])));
      }
      // Padding rows stay exactly zero.
      const N = 9;
      expect(maxAbs(fused.epsX.subarray((1 * N + 4) * 3, 2 * N * 3))).toBe(0);
    });
  }

  it('keeps a diverged input non-finite, as the composed ops do', () => {
    const flat = dynamics.layout.initialise(new Rng(1));
    const params = dynamics.layout.toTensors(flat);
    const zx = Float32Array.from({ length: 4 * 3 }, (_, i) => i * 0.3);
    zx[4] = NaN;
    for (const fused of [false, true]) {
      const epsX = tf.tidy(() =>
        dynamics.predictNoise(params, {
          zx: tf.tensor3d(zx, [1, 4, 3]),
          zh: tf.ones([1, 4, F]) as tf.Tensor3D,
          t: tf.tensor1d([0.5]),
          nodeMask: tf.ones([1, 4]) as tf.Tensor2D,
        }, { fused }).epsX.dataSync(),
      );
      expect(epsX.some((v) => !Number.isFinite(v))).toBe(true);
    }
    disposeParameters(params);
  });
});
