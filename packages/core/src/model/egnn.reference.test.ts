import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import { maxAbs, maxAbsDiff, tinyEgnnConfig, useTestBackend, wideParameters } from '../testing/fixtures.js';
import type { EgnnConfig } from './config.js';
import { fusedEdgeKernelsAvailable } from '../backend/wasmEdgeKernels.js';
import { EgnnDynamics } from './dynamics.js';
import { disposeParameters } from './parameters.js';

// A straightforward, loop-per-edge implementation of EDM's EGNN dynamics (egnn_new.py's GCL,
// EquivariantUpdate and EGNN_dynamics_QM9) on plain arrays. The fast dense/broadcast tfjs version
// must agree with it to float32 precision: this pins down the math, not just symmetry.

type P = Record<string, { w: number[][]; b?: number[] }>;

function dense(p: { w: number[][]; b?: number[] }, x: number[]): number[] {
  const out = p.b ? [...p.b] : new Array(p.w[0]!.length).fill(0);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out.length; j++) out[j] += x[i]! * p.w[i]![j]!;
  return out;
}
const siluArr = (v: number[]): number[] => v.map((x) => x / (1 + Math.exp(-x)));

function referenceDynamics(cfg: EgnnConfig, p: P, x0: number[][], h0: number[][], t: number): { epsX: number[][]; epsH: number[][] } {
  const n = x0.length;
  const sqdist = (x: number[][], i: number, j: number): number => x[i]!.reduce((s, v, k) => s + (v - x[j]![k]!) ** 2, 0);
  let h = h0.map((row) => dense(p['embedding']!, [...row, t]));
  let x = x0.map((r) => [...r]);
  for (let l = 0; l < cfg.layers; l++) {
    const radial = x.map((_, i) => x.map((__, j) => sqdist(x, i, j)));
    const radial0 = x0.map((_, i) => x0.map((__, j) => sqdist(x0, i, j)));
    for (let s = 0; s < cfg.invSublayers; s++) {
      const q = `block${l}.gcl${s}`;
      const agg = h.map(() => new Array(cfg.hiddenSize).fill(0));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (i === j) continue;
          let m = siluArr(dense(p[`${q}.edge1`]!, [...h[i]!, ...h[j]!, radial[i]![j]!, radial0[i]![j]!]));
          m = siluArr(dense(p[`${q}.edge2`]!, m));
          const gate = cfg.attention ? 1 / (1 + Math.exp(-dense(p[`${q}.att`]!, m)[0]!)) : 1;
          for (let k = 0; k < m.length; k++) agg[i]![k] += (m[k]! * gate) / cfg.normalizationFactor;
        }
      }
      h = h.map((hi, i) => {
        const upd = dense(p[`${q}.node2`]!, siluArr(dense(p[`${q}.node1`]!, [...hi, ...agg[i]!])));
        return hi.map((v, k) => v + upd[k]!);
      });
    }
    const q = `block${l}.coord`;
    x = x.map((xi, i) => {
      const moved = [...xi];
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let m = siluArr(dense(p[`${q}.mlp1`]!, [...h[i]!, ...h[j]!, radial[i]![j]!, radial0[i]![j]!]));
        m = siluArr(dense(p[`${q}.mlp2`]!, m));
        let phi = dense(p[`${q}.out`]!, m)[0]!;
        if (cfg.tanh) phi = Math.tanh(phi) * cfg.coordsRange;
        const norm = Math.sqrt(radial[i]![j]! + 1e-8) + cfg.normConstant;
        for (let k = 0; k < 3; k++) moved[k]! += (((xi[k]! - x[j]![k]!) / norm) * phi) / cfg.normalizationFactor;
      }
      return moved;
    });
  }
  const hOut = h.map((row) => dense(p['embeddingOut']!, row));
  const vel = x.map((xi, i) => xi.map((v, k) => v - x0[i]![k]!));
  const mean = [0, 1, 2].map((k) => vel.reduce((s, v) => s + v[k]!, 0) / n);
  return { epsX: vel.map((v) => v.map((c, k) => c - mean[k]!)), epsH: hOut.map((row) => row.slice(0, cfg.nodeFeatures)) };
}

describe('EGNN dynamics against a loop-per-edge reference', () => {
  beforeAll(useTestBackend);

  for (const [attention, fused] of [[true, false], [false, false], [true, true], [false, true]]) {
    it(`matches EDM's formulas (attention ${attention}, ${fused ? 'fused wasm kernels' : 'composed tfjs ops'})`, () => {
      if (fused) expect(fusedEdgeKernelsAvailable(16)).toBe(true);
      const F = 4;
      const cfg = tinyEgnnConfig(F, { layers: 2, invSublayers: 2, attention, normalizationFactor: attention ? 1 : 3 });
      const dynamics = new EgnnDynamics(cfg);
      const flat = wideParameters(dynamics.layout.size, 9);
      const p: P = {};
      dynamics.layout.specs.forEach((spec, k) => {
        const [layer, kind] = [spec.name.slice(0, spec.name.lastIndexOf('.')), spec.name.slice(spec.name.lastIndexOf('.') + 1)];
        const off = dynamics.layout.offsets[k]!;
        const entry = (p[layer] ??= { w: [] });
        if (kind === 'w') {
          const [rows, cols] = spec.shape as [number, number];
          entry.w = Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(off + r * cols, off + (r + 1) * cols)));
        } else {
          entry.b = Array.from(flat.subarray(off, off + spec.shape[0]!));
        }
      });
      const rng = new Rng(11);
      const n = 5;
      const xFlat = removeCenterOfMassInPlace(Float32Array.from({ length: 3 * n }, () => rng.normal()), new Float32Array(n).fill(1), 1, n);
      const hFlat = Float32Array.from({ length: n * F }, () => rng.normal());
      const x0 = Array.from({ length: n }, (_, i) => Array.from(xFlat.subarray(3 * i, 3 * i + 3)));
      const h0 = Array.from({ length: n }, (_, i) => Array.from(hFlat.subarray(F * i, F * i + F)));
      const ref = referenceDynamics(cfg, p, x0, h0, 0.25);
      const tensors = dynamics.layout.toTensors(flat);
      const ours = tf.tidy(() => {
        const out = dynamics.predictNoise(tensors, {
          zx: tf.tensor3d(xFlat, [1, n, 3]),
          zh: tf.tensor3d(hFlat, [1, n, F]),
          t: tf.tensor1d([0.25]),
          nodeMask: tf.ones([1, n]) as tf.Tensor2D,
        }, { fused });
        return { epsX: out.epsX.dataSync(), epsH: out.epsH.dataSync() };
      });
      disposeParameters(tensors);
      const refX = ref.epsX.flat();
      const refH = ref.epsH.flat();
      expect(maxAbs(refX)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(ours.epsX, refX)).toBeLessThan(1e-4 * Math.max(1, maxAbs(refX)));
      expect(maxAbsDiff(ours.epsH, refH)).toBeLessThan(1e-4 * Math.max(1, maxAbs(refH)));
    });
  }
});
