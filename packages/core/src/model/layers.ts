import * as tf from '@tensorflow/tfjs-core';
// tfjs-core ships its gradients separately. The union package registers them in a form that loads in
// Node (CommonJS bundle) and in browsers (ES modules), which tfjs-core's own registration file does not.
import '@tensorflow/tfjs';

// Linear layers with hand-written backward passes. tfjs's own matMul gradient calls matMul with
// transposeA/transposeB, which on the wasm backend is 4–8× slower than an explicit transpose followed
// by a plain matMul (measured on this project's reference machine), and linear layers are most of the
// training cost. The forward pass uses fused matMul+bias, one kernel instead of two. The bias gradient
// is ones·dy: tfjs-wasm's sum over axis 0 is several times slower than that product (profiled).

/**
 * dL/dx = dy·Wᵀ. For a single output column that product has inner size 1, which tfjs-wasm runs
 * slowly; a broadcast product gives the same [m, in] result in one pass.
 */
function inputGradient(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return w.shape[1] === 1 ? tf.mul(dy, tf.reshape(w, [1, w.shape[0]])) : tf.matMul(dy, tf.transpose(w));
}

/** Σ over the rows of dy [m, n] → [n]. */
function columnSum(dy: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, dy.shape[0]]), dy), [dy.shape[1]]);
}

const linearWithBias = tf.customGrad((x, w, b, save) => {
  const [xt, wt, bt] = [x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D];
  (save as tf.GradSaveFunc)([xt, wt]);
  return {
    value: tf.fused.matMul({ a: xt, b: wt, bias: bt }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [inputGradient(dy2, ws), tf.matMul(tf.transpose(xs), dy2), columnSum(dy2)];
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
      return [inputGradient(dy2, ws), tf.matMul(tf.transpose(xs), dy2)];
    },
  };
});

/** y = x·W (+ b) for x [m, in], W [in, out], b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  return (b ? linearWithBias(x, w, b) : linearNoBias(x, w)) as tf.Tensor2D;
}

/**
 * SiLU (x·sigmoid(x)), EDM's activation. The custom gradient reuses the forward sigmoid s and
 * output y = x·s: d/dx = s + y·(1 − s), four element-wise passes instead of autodiff's seven.
 */
export const silu = tf.customGrad((x, save) => {
  const xt = x as tf.Tensor;
  const s = tf.sigmoid(xt);
  const y = tf.mul(xt, s);
  (save as tf.GradSaveFunc)([y, s]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [ys, ss] = saved as [tf.Tensor, tf.Tensor];
      return tf.mul(dy, tf.add(ss, tf.mul(ys, tf.sub(1, ss))));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;
