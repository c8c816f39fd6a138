import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, useTestBackend } from '../testing/fixtures.js';
import { linear, silu } from './layers.js';

describe('layers with hand-written gradients', () => {
  beforeAll(useTestBackend);

  // Output widths 3 and 1: one output column takes a separate (broadcast) backward path.
  for (const out of [3, 1]) {
    it(`linear (${out} output column${out > 1 ? 's' : ''}): value and gradients equal tfjs autodiff of matMul + bias`, () => {
      const x = tf.randomNormal([7, 5], 0, 1, 'float32', 1);
      const w = tf.randomNormal([5, out], 0, 1, 'float32', 2);
      const b = tf.randomNormal([out], 0, 1, 'float32', 3);
      const target = tf.randomNormal([7, out], 0, 1, 'float32', 4);
      const ours = tf.grads((xx, ww, bb) => tf.sum(tf.mul(linear(xx as tf.Tensor2D, ww!, bb), target)))([x, w, b]);
      const ref = tf.grads((xx, ww, bb) => tf.sum(tf.mul(tf.add(tf.matMul(xx!, ww!), bb!), target)))([x, w, b]);
      ours.forEach((g, k) => expect(maxAbsDiff(g.dataSync(), ref[k]!.dataSync())).toBeLessThan(1e-5));
      const oursNoBias = tf.grads((xx, ww) => tf.sum(tf.mul(linear(xx as tf.Tensor2D, ww!), target)))([x, w]);
      const refNoBias = tf.grads((xx, ww) => tf.sum(tf.mul(tf.matMul(xx!, ww!), target)))([x, w]);
      oursNoBias.forEach((g, k) => expect(maxAbsDiff(g.dataSync(), refNoBias[k]!.dataSync())).toBeLessThan(1e-5));
      expect(maxAbsDiff(linear(x as tf.Tensor2D, w).dataSync(), tf.matMul(x, w).dataSync())).toBeLessThan(1e-5);
    });
  }

  it('silu: value and gradient equal x·sigmoid(x) under autodiff', () => {
    const x = tf.linspace(-6, 6, 25);
    const ours = tf.grad((v) => tf.sum(tf.mul(silu(v), v)))(x);
    const ref = tf.grad((v) => tf.sum(tf.mul(tf.mul(v, tf.sigmoid(v)), v)))(x);
    expect(maxAbsDiff(ours.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(silu(x).dataSync(), tf.mul(x, tf.sigmoid(x)).dataSync())).toBeLessThan(1e-6);
  });
});
