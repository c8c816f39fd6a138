import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, portableBackends } from './select.js';

describe('wasm kernel overrides', () => {
  beforeAll(async () => {
    await selectBackend(portableBackends, { preferred: 'wasm', notice: () => {} });
  });

  it('clones share memory yet outlive the original, and gradients through them are unchanged', () => {
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId); // one buffer for both
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // tf.grads saves (clones) inputs of every op: a product of a tensor with itself checks that path.
    const g = tf.grad((v) => tf.sum(tf.mul(tf.mul(v, v), tf.sigmoid(v))))(tf.tensor1d([-1, 0.5, 2]));
    const v = [-1, 0.5, 2];
    const s = (t: number): number => 1 / (1 + Math.exp(-t));
    const expected = v.map((t) => 2 * t * s(t) + t * t * s(t) * (1 - s(t)));
    Array.from(g.dataSync()).forEach((d, i) => expect(d).toBeCloseTo(expected[i]!, 5));
  });
});
