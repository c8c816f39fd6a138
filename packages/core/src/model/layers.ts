import * as tf from '@tensorflow/tfjs-core';
// tfjs-core ships its gradients separately. The union package registers them in a form that loads in
// Node (CommonJS bundle) and in browsers (ES modules), which tfjs-core's own registration file does not.
import '@tensorflow/tfjs';

// Linear layers with hand-written backward passes. tfjs's own matMul gradient calls matMul with
// transposeA/transposeB, which on the wasm backend is 4–8× slower than an explicit transpose followed
// by a plain matMul (measured on this project's reference machine), and linear layers are most of the
// training cost. The forward pass uses fused matMul+bias, one kernel instead of two.

const linearWithBias = tf.customGrad((x, w, b, save) => {
  const [xt, wt, bt] = [x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D];
  (save as tf.GradSaveFunc)([xt, wt]);
  return {
    value: tf.fused.matMul({ a: xt, b: wt, bias: bt }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
    },
  };
});

const linearNoBias = tf.customGrad((x, w, save) => {
  const [xt, wt] = [x as tf.Tensor2D, w as tf.Tensor2D];
  (save as tf.GradSaveFunc)([xt, wt]);
  return {
    value: tf.matMul(xt, wt),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2)];
    },
  };
});

/** y = x·W (+ b) for x [m, in], W [in, out], b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  return (b ? linearWithBias(x, w, b) : linearNoBias(x, w)) as tf.Tensor2D;
}

/**
 * SiLU (x·sigmoid(x)), EDM's activation. The custom gradient reuses the forward sigmoid:
 * d/dx = s·(1 + x·(1 − s)).
 */
export const silu = tf.customGrad((x, save) => {
  const xt = x as tf.Tensor;
  const s = tf.sigmoid(xt);
  (save as tf.GradSaveFunc)([xt, s]);
  return {
    value: tf.mul(xt, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ss] = saved as [tf.Tensor, tf.Tensor];
      return tf.mul(dy, tf.mul(ss, tf.add(1, tf.mul(xs, tf.sub(1, ss)))));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;
