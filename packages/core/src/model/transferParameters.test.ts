import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { qm9Encoding } from '../data/atomEncoding.js';
import { removeCenterOfMassInPlace } from '../geometry/centerOfMass.js';
import { Rng } from '../random/rng.js';
import { maxAbsDiff, tinyEgnnConfig, useTestBackend, wideParameters } from '../testing/fixtures.js';
import { EgnnDynamics } from './dynamics.js';
import { disposeParameters } from './parameters.js';
import { transferParameters } from './transferParameters.js';

const heavy = { egnn: tinyEgnnConfig(5, { layers: 2 }), encoding: qm9Encoding(false) }; // C N O F charge
const withH = { egnn: tinyEgnnConfig(6, { layers: 2 }), encoding: qm9Encoding(true) }; // H C N O F charge

function predict(egnn: typeof heavy.egnn, params: Float32Array, x: Float32Array, h: Float32Array, n: number) {
  const dynamics = new EgnnDynamics(egnn);
  const tensors = dynamics.layout.toTensors(params);
  try {
    return tf.tidy(() => {
      const out = dynamics.predictNoise(tensors, {
        zx: tf.tensor3d(x, [1, n, 3]),
        zh: tf.tensor3d(h, [1, n, egnn.nodeFeatures]),
        t: tf.tensor1d([0.3]),
        nodeMask: tf.ones([1, n]) as tf.Tensor2D,
        logSnr: tf.tensor1d([2]),
      });
      return { epsX: out.epsX.dataSync() as Float32Array, epsH: out.epsH.arraySync()[0]! };
    });
  } finally {
    disposeParameters(tensors);
  }
}

describe('transferParameters', () => {
  beforeAll(useTestBackend);
  const source = wideParameters(new EgnnDynamics(heavy.egnn).layout.size);
  const fresh = new EgnnDynamics(withH.egnn).layout.initialise(new Rng(7));

  it('carries a heavy-atom network to one with hydrogens: the same function on molecules without H', () => {
    const target = transferParameters(heavy, source, withH, fresh);
    const n = 5;
    const rng = new Rng(3);
    const x = removeCenterOfMassInPlace(Float32Array.from({ length: 3 * n }, () => 1.4 * rng.normal()), new Float32Array(n).fill(1), 1, n);
    const hHeavy = Float32Array.from({ length: n * 5 }, () => rng.normal());
    // The same atoms in the with-H encoding: an H column of zeros in front.
    const hWithH = Float32Array.from({ length: n * 6 }, (_, k) => (k % 6 === 0 ? 0 : hHeavy[Math.floor(k / 6) * 5 + (k % 6) - 1]!));
    const a = predict(heavy.egnn, source, x, hHeavy, n);
    const b = predict(withH.egnn, target, x, hWithH, n);
    expect(maxAbsDiff(a.epsX, b.epsX)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.epsH.flat(), b.epsH.map((row) => row.slice(1)).flat())).toBeLessThan(1e-5);
    // The network does react to hydrogens: their embedding row is the fresh one, not zeros.
    const withHydrogen = hWithH.slice();
    withHydrogen[0] = 1;
    expect(maxAbsDiff(b.epsX, predict(withH.egnn, target, x, withHydrogen, n).epsX)).toBeGreaterThan(1e-4);
  });

  it('takes new rows and columns from the fresh vector and drops inputs the target lacks', () => {
    const sourceWithSnr = { ...heavy, egnn: { ...heavy.egnn, logSnrInput: true } };
    const snrSource = wideParameters(new EgnnDynamics(sourceWithSnr.egnn).layout.size);
    const target = transferParameters(sourceWithSnr, snrSource, withH, fresh);
    const layout = new EgnnDynamics(withH.egnn).layout;
    const fromLayout = new EgnnDynamics(sourceWithSnr.egnn).layout;
    const block = (l: typeof layout, flat: Float32Array, name: string) => {
      const k = l.specs.findIndex((s) => s.name === name);
      const size = l.specs[k]!.shape.reduce((p, q) => p * q, 1);
      return Array.from(flat.subarray(l.offsets[k]!, l.offsets[k]! + size));
    };
    const H = withH.egnn.hiddenSize;
    const embTarget = block(layout, target, 'embedding.w');
    const embFresh = block(layout, fresh, 'embedding.w');
    const embSource = block(fromLayout, snrSource, 'embedding.w');
    // Row 0 (H) fresh; rows 1–6 (C N O F charge time) are the source's rows 0–5; its logSnr row 6 is dropped.
    expect(embTarget.slice(0, H)).toEqual(embFresh.slice(0, H));
    expect(embTarget.slice(H)).toEqual(embSource.slice(0, 6 * H));
    const outTarget = block(layout, target, 'embeddingOut.b');
    expect(outTarget[0]).toBe(block(layout, fresh, 'embeddingOut.b')[0]);
    expect(outTarget.slice(1)).toEqual(block(fromLayout, snrSource, 'embeddingOut.b'));
    expect(block(layout, target, 'block0.gcl0.edge2.w')).toEqual(block(fromLayout, snrSource, 'block0.gcl0.edge2.w'));
  });

  it('refuses networks of different width or depth', () => {
    const wider = { ...withH, egnn: { ...withH.egnn, hiddenSize: withH.egnn.hiddenSize * 2 } };
    const wideFresh = new EgnnDynamics(wider.egnn).layout.initialise(new Rng(1));
    expect(() => transferParameters(heavy, source, wider, wideFresh)).toThrow(/is \d+×\d+ in the source and \d+×\d+ in the target/);
    expect(() => transferParameters(heavy, source.subarray(1), withH, fresh)).toThrow(/source has \d+ weights/);
  });
});
