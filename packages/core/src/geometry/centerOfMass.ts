import * as tf from '@tensorflow/tfjs-core';

// EDM works in the linear subspace where the (unweighted) centre of the atoms is zero: that makes the
// distributions translation invariant (paper, sec. 3.2). "Centre of mass" here, as in EDM, means the
// plain mean of the real atoms' positions.

/** Subtracts each molecule's mean position over real atoms; padded atoms stay at zero. x: [B, N, 3], mask: [B, N, 1]. */
export function removeCenterOfMass(x: tf.Tensor3D, nodeMask: tf.Tensor3D): tf.Tensor3D {
  // No tf.tidy of its own: callers run it inside their tidy or gradient scope.
  const count = tf.sum(nodeMask, 1, true);
  const mean = tf.div(tf.sum(tf.mul(x, nodeMask), 1, true), count);
  return tf.mul(tf.sub(x, mean), nodeMask) as tf.Tensor3D;
}

/** The same projection on a flat Float32Array of B·N·3 values, for noise drawn in JavaScript. */
export function removeCenterOfMassInPlace(x: Float32Array, nodeMask: ArrayLike<number>, B: number, N: number): Float32Array {
  for (let b = 0; b < B; b++) {
    let count = 0;
    const mean = [0, 0, 0];
    for (let i = 0; i < N; i++) {
      const m = nodeMask[b * N + i]!;
      if (!m) continue;
      count++;
      for (let d = 0; d < 3; d++) mean[d]! += x[(b * N + i) * 3 + d]!;
    }
    for (let i = 0; i < N; i++) {
      const m = nodeMask[b * N + i]!;
      for (let d = 0; d < 3; d++) {
        const k = (b * N + i) * 3 + d;
        x[k] = m ? x[k]! - mean[d]! / Math.max(count, 1) : 0;
      }
    }
  }
  return x;
}
