import * as tf from '@tensorflow/tfjs-core';
import { removeCenterOfMass } from '../geometry/centerOfMass.js';
import type { EgnnConfig } from './config.js';
import { egnnForward, egnnParameterSpecs, type EgnnForwardOptions, type GraphMasks } from './egnn.js';
import { ParameterLayout, type ParameterTensors } from './parameters.js';

/** Noisy inputs of the denoising network for a batch of B molecules padded to N atoms. */
export interface DynamicsInputs {
  /** Noisy coordinates z_x [B, N, 3] (centre of mass zero over real atoms, zero on padding). */
  zx: tf.Tensor3D;
  /** Noisy node features z_h [B, N, F]. */
  zh: tf.Tensor3D;
  /** Diffusion time t/T ∈ [0, 1], one per molecule [B]. */
  t: tf.Tensor1D;
  /** Real-atom mask [B, N]. */
  nodeMask: tf.Tensor2D;
  /** Optional conditioning vector per molecule [B, contextSize]. */
  context?: tf.Tensor2D;
  /** log SNR_t = −γ_t per molecule [B]; required when the config has `logSnrInput`. */
  logSnr?: tf.Tensor1D;
  /** Noisy bond one-hots z_e [B, N, N, K], symmetric; required when the config has `bondClasses`. */
  ze?: tf.Tensor4D;
}

/** Predicted noise: ε̂_x [B, N, 3] with zero centre of mass, ε̂_h [B, N, F], and ε̂_e [B, N, N, K] with bonds. */
export interface NoisePrediction {
  epsX: tf.Tensor3D;
  epsH: tf.Tensor3D;
  /** Symmetric, zero on the diagonal and padding (networks with bonds only). */
  epsE?: tf.Tensor4D;
}

/** log SNR spans about ±11.5 for EDM's schedule; divided by this it enters at the scale of t/T. */
const LOG_SNR_SCALE = 10;

/** Node and edge masks for a batch: self-pairs and padding never exchange messages. */
export function graphMasks(nodeMask: tf.Tensor2D): GraphMasks {
  const [B, N] = nodeMask.shape;
  const pair = tf.mul(tf.reshape(nodeMask, [B, N, 1]), tf.reshape(nodeMask, [B, 1, N]));
  const offDiagonal = tf.sub(1, tf.eye(N));
  const edgeMask = tf.reshape(tf.mul(pair, offDiagonal), [B * N * N, 1]) as tf.Tensor2D;
  return { nodeMask: tf.reshape(nodeMask, [B, N, 1]) as tf.Tensor3D, edgeMask };
}

/**
 * EDM's EGNN dynamics: the network φ(z_t, t) that predicts the noise ε. Time t/T, the optional
 * context and, with `logSnrInput`, log SNR_t/10 are appended to the node features; the output for x
 * is x_out − x_in, projected to zero centre of mass. Callers compute the noise-level inputs from
 * their schedule.
 */
export class EgnnDynamics {
  /** Node input width: features + time + context (+ log SNR). */
  readonly inputWidth: number;
  /** Where each parameter sits in the flat parameter vector. */
  readonly layout: ParameterLayout;

  constructor(readonly config: EgnnConfig) {
    this.inputWidth = config.nodeFeatures + 1 + config.contextSize + (config.logSnrInput ? 1 : 0);
    this.layout = new ParameterLayout(egnnParameterSpecs(config, this.inputWidth));
  }

  /**
   * ε̂ = φ(z_t, t). Call inside tf.tidy (or dispose the results). `options.fused` selects the fused
   * inference kernels where the backend has them (no gradients through them): samplers set it.
   */
  predictNoise(params: ParameterTensors, inputs: DynamicsInputs, options: EgnnForwardOptions = {}): NoisePrediction {
    const { zx, zh, t, nodeMask } = inputs;
    const [B, N] = nodeMask.shape;
    const F = this.config.nodeFeatures;
    const masks = graphMasks(nodeMask);
    const nodeMask3 = masks.nodeMask;
    const x = tf.mul(zx, nodeMask3) as tf.Tensor3D;
    const parts: tf.Tensor[] = [tf.mul(zh, nodeMask3), tf.tile(tf.reshape(t, [B, 1, 1]), [1, N, 1])];
    if (this.config.contextSize > 0) {
      if (!inputs.context) throw new Error('this model is conditional: a context vector is required');
      parts.push(tf.tile(tf.reshape(inputs.context, [B, 1, this.config.contextSize]), [1, N, 1]));
    }
    if (this.config.logSnrInput) {
      if (!inputs.logSnr) throw new Error('this model takes the noise level: a logSnr input is required');
      parts.push(tf.tile(tf.reshape(tf.div(inputs.logSnr, LOG_SNR_SCALE), [B, 1, 1]), [1, N, 1]));
    }
    const h0 = tf.reshape(tf.concat(parts, 2), [B * N, this.inputWidth]) as tf.Tensor2D;
    const K = this.config.bondClasses ?? 0;
    let bonds: tf.Tensor2D | undefined;
    if (K > 0) {
      if (!inputs.ze) throw new Error('this model generates bonds: a noisy bond state ze is required');
      bonds = tf.mul(tf.reshape(inputs.ze, [B * N * N, K]), masks.edgeMask) as tf.Tensor2D;
    }
    const out = egnnForward(params, this.config, h0, x, masks, options, bonds);
    const epsX = removeCenterOfMass(tf.mul(tf.sub(out.x, x), nodeMask3) as tf.Tensor3D, nodeMask3);
    const epsH = tf.reshape(tf.slice(out.h, [0, 0], [B * N, F]), [B, N, F]) as tf.Tensor3D;
    if (!out.e) return { epsX, epsH };
    return { epsX, epsH, epsE: tf.reshape(out.e, [B, N, N, K]) as tf.Tensor4D };
  }
}
