import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import { Rng } from '../random/rng.js';
import { fillSymmetricBondNoise } from '../data/bondEncoding.js';
import { maxAbs, maxAbsDiff, randomOrthogonal, tinyEgnnConfig, transformPoints, useTestBackend, wideParameters } from '../testing/fixtures.js';
import { edmEgnnConfig } from './config.js';
import { EgnnDynamics } from './dynamics.js';
import { disposeParameters } from './parameters.js';
import { transferParameters } from './transferParameters.js';
import { kekuleBondEncoding } from '../data/bondEncoding.js';

// A network that generates bonds: noisy bond one-hots in every edge MLP and an edge head for their
// noise. ε̂_x must rotate with the molecule, ε̂_h and ε̂_e must not change, every output must follow a
// renumbering of the atoms, and ε̂_e must be symmetric and zero off the real pairs.

const F = 6;
const K = 4;
const B = 2;
const N = 5;
const counts = [5, 4];
const dynamics = new EgnnDynamics(tinyEgnnConfig(F, { bondClasses: K }));
const params = wideParameters(dynamics.layout.size, 7);

interface State {
  x: Float32Array;
  h: Float32Array;
  e: Float32Array;
}

function randomState(rng: Rng): State {
  const mask = maskOf();
  const x = Float32Array.from({ length: B * N * 3 }, () => rng.normal());
  const h = Float32Array.from({ length: B * N * F }, () => rng.normal());
  for (let row = 0; row < B * N; row++) if (!mask[row]) { x.fill(0, 3 * row, 3 * row + 3); h.fill(0, F * row, F * row + F); }
  removeCenterOfMassInPlace(x, mask, B, N);
  const e = new Float32Array(B * N * N * K);
  counts.forEach((n, b) => fillSymmetricBondNoise(e, () => rng.normal(), b, n, N, K));
  return { x, h, e };
}

function maskOf(): Float32Array {
  const mask = new Float32Array(B * N);
  counts.forEach((n, b) => mask.fill(1, b * N, b * N + n));
  return mask;
}

function predict(s: State): { epsX: Float32Array; epsH: Float32Array; epsE: Float32Array } {
  const tensors = dynamics.layout.toTensors(params);
  try {
    return tf.tidy(() => {
      const out = dynamics.predictNoise(tensors, {
        zx: tf.tensor3d(s.x, [B, N, 3]),
        zh: tf.tensor3d(s.h, [B, N, F]),
        t: tf.tensor1d([0.3, 0.7]),
        nodeMask: tf.tensor2d(maskOf(), [B, N]),
        ze: tf.tensor4d(s.e, [B, N, N, K]),
      });
      return { epsX: out.epsX.dataSync() as Float32Array, epsH: out.epsH.dataSync() as Float32Array, epsE: out.epsE!.dataSync() as Float32Array };
    });
  } finally {
    disposeParameters(tensors);
  }
}

/** Atoms of molecule 0 renumbered: new atom a is old atom perm[a]. */
function permute(s: State, perm: number[]): State {
  const x = Float32Array.from(s.x);
  const h = Float32Array.from(s.h);
  const e = Float32Array.from(s.e);
  perm.forEach((old, a) => {
    x.set(s.x.subarray(3 * old, 3 * old + 3), 3 * a);
    h.set(s.h.subarray(F * old, F * old + F), F * a);
    perm.forEach((oldJ, j) => e.set(s.e.subarray((old * N + oldJ) * K, (old * N + oldJ + 1) * K), (a * N + j) * K));
  });
  return { x, h, e };
}

describe('EGNN with bonds', () => {
  beforeAll(useTestBackend);

  it('predicts bond noise that is symmetric, zero on the diagonal and padding, and that depends on the bonds', () => {
    const s = randomState(new Rng(1));
    const { epsE, epsH } = predict(s);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          for (let k = 0; k < K; k++) {
            const v = epsE[((b * N + i) * N + j) * K + k]!;
            expect(v).toBe(epsE[((b * N + j) * N + i) * K + k]!);
            if (i === j || i >= counts[b]! || j >= counts[b]!) expect(Math.abs(v)).toBe(0);
          }
        }
      }
    }
    expect(maxAbs(epsE)).toBeGreaterThan(0.01);
    // The bonds enter the messages: other bonds, other atom features.
    const other = { ...s, e: randomState(new Rng(2)).e };
    expect(maxAbsDiff(predict(other).epsH, epsH)).toBeGreaterThan(1e-3);
  });

  it('is E(3)-equivariant: ε̂_x rotates and reflects with the molecule, ε̂_h and ε̂_e are unchanged', () => {
    const rng = new Rng(3);
    const s = randomState(rng);
    const base = predict(s);
    for (const reflect of [false, true]) {
      const r = randomOrthogonal(rng, reflect);
      const moved = predict({ ...s, x: transformPoints(s.x, r, [0.7, -1.2, 2.5].map((v) => v)) });
      // Translations are removed by the network's centre-of-mass projection of ε̂_x.
      expect(maxAbsDiff(moved.epsX, transformPoints(base.epsX, r))).toBeLessThan(2e-4 * Math.max(1, maxAbs(base.epsX)));
      expect(maxAbsDiff(moved.epsH, base.epsH)).toBeLessThan(2e-4 * Math.max(1, maxAbs(base.epsH)));
      expect(maxAbsDiff(moved.epsE, base.epsE)).toBeLessThan(2e-4 * Math.max(1, maxAbs(base.epsE)));
    }
  });

  it('is permutation-equivariant: renumbering atoms renumbers every output, bonds included', () => {
    const s = randomState(new Rng(4));
    const perm = [3, 0, 4, 1, 2];
    const base = predict(s);
    const out = predict(permute(s, perm));
    const expected = permute({ x: base.epsX, h: base.epsH, e: base.epsE }, perm);
    // Float32 sums in another order: agreement to a few ulps of the outputs' scale.
    expect(maxAbsDiff(out.epsX, expected.x)).toBeLessThan(2e-4 * Math.max(1, maxAbs(base.epsX)));
    expect(maxAbsDiff(out.epsH, expected.h)).toBeLessThan(2e-4 * Math.max(1, maxAbs(base.epsH)));
    expect(maxAbsDiff(out.epsE, expected.e)).toBeLessThan(2e-4 * Math.max(1, maxAbs(base.epsE)));
  });

  it('has 24,583 more weights than the atom-only network at pilot A’s size (896,913)', () => {
    // drugs-heavy: 9 elements + atomic number; drugs-bonds adds three formal-charge features and 4 bond classes.
    const atoms = new EgnnDynamics({ ...edmEgnnConfig(10, 128, 6), normalizationFactor: 10 });
    const bonds = new EgnnDynamics({ ...edmEgnnConfig(13, 128, 6), normalizationFactor: 10, bondClasses: 4 });
    expect(atoms.layout.size).toBe(896913);
    expect(bonds.layout.size).toBe(921496);
    // The atom-only layout is a prefix-compatible subset: same names, bond head last.
    expect(bonds.layout.specs.slice(-4).map((s) => s.name)).toEqual(['bondOut1.w', 'bondOut1.b', 'bondOut2.w', 'bondOut2.b']);
  });

  it('warm-starts a bond network from another by meaning, formal-charge inputs included; atom-only sources are refused', () => {
    const enc = (elements: string[]) => ({ elements, includeCharges: true, normalization: [1, 4, 10] as [number, number, number], bonds: kekuleBondEncoding() });
    const from = { egnn: tinyEgnnConfig(3 + 1 + 3, { bondClasses: K }), encoding: enc(['C', 'N', 'O']) };
    const to = { egnn: tinyEgnnConfig(4 + 1 + 3, { bondClasses: K }), encoding: enc(['C', 'N', 'O', 'F']) };
    const fromLayout = new EgnnDynamics(from.egnn).layout;
    const toLayout = new EgnnDynamics(to.egnn).layout;
    const source = wideParameters(fromLayout.size, 3);
    const out = transferParameters(from, source, to, new Float32Array(toLayout.size));
    const H = from.egnn.hiddenSize;
    const row = (layout: typeof fromLayout, flat: Float32Array, r: number) => {
      const offset = layout.offsets[layout.specs.findIndex((sp) => sp.name === 'embedding.w')]!;
      return Array.from(flat.subarray(offset + r * H, offset + (r + 1) * H));
    };
    // Source rows: C N O charge fc−1 fc0 fc+1 time; target rows: C N O F charge fc−1 fc0 fc+1 time.
    expect(row(toLayout, out, 6)).toEqual(row(fromLayout, source, 5)); // formal charge 0
    expect(row(toLayout, out, 8)).toEqual(row(fromLayout, source, 7)); // time
    expect(row(toLayout, out, 3)).toEqual(new Array(H).fill(0)); // F: new, keeps the fresh values
    const atoms = { egnn: tinyEgnnConfig(4), encoding: { elements: ['C', 'N', 'O'], includeCharges: true, normalization: [1, 4, 10] as [number, number, number] } };
    expect(() => transferParameters(atoms, new Float32Array(new EgnnDynamics(atoms.egnn).layout.size), to, new Float32Array(toLayout.size))).toThrow(/block0\.gcl0\.edge1\.w is .* in the source and .* in the target/);
  });
});
