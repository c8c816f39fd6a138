import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import { maxAbs, maxAbsDiff, randomOrthogonal, tinyEgnnConfig, transformPoints, useTestBackend, wideParameters } from '../testing/fixtures.js';
import { fusedEdgeKernelsAvailable } from '../backend/wasmEdgeKernels.js';
import { EgnnDynamics } from './dynamics.js';
import { disposeParameters, resizeParameters } from './parameters.js';

const F = 5;

function run(
  dynamics: EgnnDynamics,
  params: Float32Array,
  zx: Float32Array,
  zh: Float32Array,
  mask: Float32Array,
  t: number[],
  fused = false,
): { epsX: Float32Array; epsH: Float32Array } {
  const B = t.length;
  const N = mask.length / B;
  const tensors = dynamics.layout.toTensors(params);
  try {
    return tf.tidy(() => {
      const out = dynamics.predictNoise(tensors, {
        zx: tf.tensor3d(zx, [B, N, 3]),
        zh: tf.tensor3d(zh, [B, N, F]),
        t: tf.tensor1d(t),
        nodeMask: tf.tensor2d(mask, [B, N]),
      }, { fused });
      return { epsX: out.epsX.dataSync() as Float32Array, epsH: out.epsH.dataSync() as Float32Array };
    });
  } finally {
    disposeParameters(tensors);
  }
}

function randomMolecule(rng: Rng, n: number): { x: Float32Array; h: Float32Array; mask: Float32Array } {
  const mask = new Float32Array(n).fill(1);
  const x = removeCenterOfMassInPlace(Float32Array.from({ length: 3 * n }, () => 1.5 * rng.normal()), mask, 1, n);
  const h = Float32Array.from({ length: n * F }, () => rng.normal());
  return { x, h, mask };
}

// The invariances hold for both edge implementations: composed tfjs ops and the fused wasm kernels.
for (const fused of [false, true]) describe(`EGNN dynamics (${fused ? 'fused wasm kernels' : 'composed tfjs ops'})`, () => {
  const dynamics = new EgnnDynamics(tinyEgnnConfig(F, { layers: 3 }));
  const params = wideParameters(dynamics.layout.size);
  beforeAll(async () => {
    await useTestBackend();
    if (fused) expect(fusedEdgeKernelsAvailable(dynamics.config.hiddenSize)).toBe(true);
  });

  it('predicts position noise with zero centre of mass and non-trivial size', () => {
    const { x, h, mask } = randomMolecule(new Rng(1), 7);
    const { epsX } = run(dynamics, params, x, h, mask, [0.4], fused);
    const mean = [0, 1, 2].map((k) => epsX.filter((_, i) => i % 3 === k).reduce((a, b) => a + b, 0));
    expect(maxAbs(mean)).toBeLessThan(1e-4);
    expect(maxAbs(epsX)).toBeGreaterThan(1e-2);
  });

  for (const reflect of [false, true]) {
    it(`is E(3) equivariant under ${reflect ? 'rotation+reflection' : 'rotation'} and translation`, () => {
      const rng = new Rng(reflect ? 3 : 2);
      const { x, h, mask } = randomMolecule(rng, 8);
      const r = randomOrthogonal(rng, reflect);
      const base = run(dynamics, params, x, h, mask, [0.3], fused);
      const moved = run(dynamics, params, transformPoints(x, r, [3, -2, 5]), h, mask, [0.3], fused);
      // ε̂_x rotates with the input and ignores the translation; ε̂_h does not change.
      expect(maxAbsDiff(moved.epsX, transformPoints(base.epsX, r))).toBeLessThan(1e-4 * Math.max(1, maxAbs(base.epsX)));
      expect(maxAbsDiff(moved.epsH, base.epsH)).toBeLessThan(1e-4 * Math.max(1, maxAbs(base.epsH)));
    });
  }

  it('is equivariant under atom permutation', () => {
    const rng = new Rng(4);
    const n = 6;
    const { x, h, mask } = randomMolecule(rng, n);
    const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    const permute = (a: Float32Array, w: number): Float32Array => {
      const out = new Float32Array(a.length);
      perm.forEach((src, dst) => out.set(a.subarray(src * w, src * w + w), dst * w));
      return out;
    };
    const base = run(dynamics, params, x, h, mask, [0.7], fused);
    const permuted = run(dynamics, params, permute(x, 3), permute(h, F), mask, [0.7], fused);
    // float32 tolerance relative to the output's scale (wide test weights make ε̂_h large).
    expect(maxAbsDiff(permuted.epsX, permute(base.epsX, 3))).toBeLessThan(1e-4 * Math.max(1, maxAbs(base.epsX)));
    expect(maxAbsDiff(permuted.epsH, permute(base.epsH, F))).toBeLessThan(1e-4 * Math.max(1, maxAbs(base.epsH)));
  });

  it('ignores padded atoms and other molecules of the batch', () => {
    const rng = new Rng(5);
    const a = randomMolecule(rng, 5);
    const b = randomMolecule(rng, 7);
    const alone = run(dynamics, params, a.x, a.h, a.mask, [0.5], fused);
    // Batch of two padded to 7 atoms; molecule a's padding holds garbage that must be ignored.
    const N = 7;
    const zx = new Float32Array(2 * N * 3);
    const zh = new Float32Array(2 * N * F);
    const mask = new Float32Array(2 * N);
    zx.set(a.x, 0);
    zh.set(a.h, 0);
    mask.fill(1, 0, 5);
    for (let i = 5 * 3; i < N * 3; i++) zx[i] = 100 * rng.normal();
    for (let i = 5 * F; i < N * F; i++) zh[i] = 100 * rng.normal();
    zx.set(b.x, N * 3);
    zh.set(b.h, N * F);
    mask.fill(1, N, 2 * N);
    const batched = run(dynamics, params, zx, zh, mask, [0.5, 0.9], fused);
    expect(maxAbsDiff(batched.epsX.subarray(0, 15), alone.epsX)).toBeLessThan(1e-4);
    expect(maxAbsDiff(batched.epsH.subarray(0, 5 * F), alone.epsH)).toBeLessThan(1e-4);
    expect(maxAbs(batched.epsX.subarray(15, N * 3))).toBe(0);
    const bAlone = run(dynamics, params, b.x, b.h, b.mask, [0.9], fused);
    expect(maxAbsDiff(batched.epsX.subarray(N * 3), bAlone.epsX)).toBeLessThan(1e-4);
  });

  it('depends on the diffusion time', () => {
    const { x, h, mask } = randomMolecule(new Rng(6), 5);
    const early = run(dynamics, params, x, h, mask, [0.1], fused);
    const late = run(dynamics, params, x, h, mask, [0.9], fused);
    expect(maxAbsDiff(early.epsH, late.epsH)).toBeGreaterThan(1e-3);
  });
});

describe('EGNN dynamics', () => {
  beforeAll(useTestBackend);

  it('takes a context vector in and gives features + time out, as EDM', () => {
    const conditional = new EgnnDynamics(tinyEgnnConfig(F, { layers: 2, contextSize: 2 }));
    const out = conditional.layout.specs.find((s) => s.name === 'embeddingOut.w')!;
    expect(out.shape[1]).toBe(F + 1);
    const tensors = conditional.layout.toTensors(wideParameters(conditional.layout.size));
    const { x, h, mask } = randomMolecule(new Rng(7), 4);
    const predict = (context: number[]): Float32Array =>
      tf.tidy(() => {
        const p = conditional.predictNoise(tensors, {
          zx: tf.tensor3d(x, [1, 4, 3]),
          zh: tf.tensor3d(h, [1, 4, F]),
          t: tf.tensor1d([0.5]),
          nodeMask: tf.tensor2d(mask, [1, 4]),
          context: tf.tensor2d([context], [1, 2]),
        });
        return p.epsH.dataSync() as Float32Array;
      });
    expect(maxAbsDiff(predict([0, 0]), predict([1, -1]))).toBeGreaterThan(1e-3);
    disposeParameters(tensors);
  });

  it('with logSnrInput: uses log SNR, stays E(3) equivariant, and a grown EDM model computes exactly what it did', () => {
    const plain = new EgnnDynamics(tinyEgnnConfig(F, { layers: 2 }));
    const withSnr = new EgnnDynamics({ ...plain.config, logSnrInput: true });
    expect(withSnr.inputWidth).toBe(plain.inputWidth + 1);
    const { x, h, mask } = randomMolecule(new Rng(8), 5);
    const predict = (dynamics: EgnnDynamics, params: Float32Array, logSnr: number | undefined, pos = x): { epsX: Float32Array; epsH: Float32Array } => {
      const tensors = dynamics.layout.toTensors(params);
      try {
        return tf.tidy(() => {
          const p = dynamics.predictNoise(tensors, {
            zx: tf.tensor3d(pos, [1, 5, 3]),
            zh: tf.tensor3d(h, [1, 5, F]),
            t: tf.tensor1d([0.05]),
            nodeMask: tf.tensor2d(mask, [1, 5]),
            logSnr: logSnr === undefined ? undefined : tf.tensor1d([logSnr]),
          });
          return { epsX: p.epsX.dataSync() as Float32Array, epsH: p.epsH.dataSync() as Float32Array };
        });
      } finally {
        disposeParameters(tensors);
      }
    };
    const plainParams = wideParameters(plain.layout.size);
    const grown = resizeParameters(plain.layout, withSnr.layout, plainParams);
    const before = predict(plain, plainParams, undefined);
    const after = predict(withSnr, grown, 9.3);
    expect(Array.from(after.epsX)).toEqual(Array.from(before.epsX));
    expect(Array.from(after.epsH)).toEqual(Array.from(before.epsH));
    expect(() => predict(withSnr, grown, undefined)).toThrow(/logSnr input is required/);

    const own = wideParameters(withSnr.layout.size);
    expect(maxAbsDiff(predict(withSnr, own, 9).epsX, predict(withSnr, own, 2).epsX)).toBeGreaterThan(1e-3);
    const R = randomOrthogonal(new Rng(9), true);
    const turned = predict(withSnr, own, 9, transformPoints(x, R, [0, 0, 0]));
    expect(maxAbsDiff(turned.epsX, transformPoints(predict(withSnr, own, 9).epsX, R, [0, 0, 0]))).toBeLessThan(1e-4);
  });
});
