import * as tf from '@tensorflow/tfjs-core';
import type { EgnnConfig } from './config.js';
import { edgeImplementation, pairwiseDifferences, type BlockEdges, type GraphMasks } from './egnnEdges.js';
import { linear, silu } from './layers.js';
import { flatSource, type ParameterSpec, type ParameterTensors } from './parameters.js';
import { webgpuNetwork, webgpuNetworkAvailable } from './webgpuEdges.js';

// EDM's equivariant graph network (Satorras et al. 2021, as extended by Hoogeboom et al. 2022) over
// dense, masked batches: B molecules of N (padded) atoms, all pairs as edges. tfjs-wasm has no
// UnsortedSegmentSum kernel, so messages live in [B, N, N, H] tensors and aggregation is a sum over
// the neighbour axis; the edge mask zeroes padding, self-pairs and pairs across molecules. The edge
// stages are in egnnEdges.ts: composed tfjs ops for training, fused wasm kernels for sampling. On
// the webgpu backend the whole network is one fused, differentiable op (webgpuEdges.ts).

export type { GraphMasks } from './egnnEdges.js';

/** Parameter specs of the EGNN for a given input width (node features + time + context). */
export function egnnParameterSpecs(config: EgnnConfig, inputWidth: number): ParameterSpec[] {
  const H = config.hiddenSize;
  const specs: ParameterSpec[] = [];
  const dense = (name: string, fanIn: number, fanOut: number, bias = true): void => {
    specs.push({ name: `${name}.w`, shape: [fanIn, fanOut], init: { kind: 'uniform-fan-in', fanIn } });
    if (bias) specs.push({ name: `${name}.b`, shape: [fanOut], init: { kind: 'uniform-fan-in', fanIn } });
  };
  const K = config.bondClasses ?? 0;
  const edgeInputs = 2 * H + 2 + K; // [h_i, h_j, ‖x_i − x_j‖², initial ‖x_i − x_j‖², noisy bond one-hot]
  dense('embedding', inputWidth, H);
  for (let l = 0; l < config.layers; l++) {
    for (let s = 0; s < config.invSublayers; s++) {
      const p = `block${l}.gcl${s}`;
      dense(`${p}.edge1`, edgeInputs, H);
      dense(`${p}.edge2`, H, H);
      dense(`${p}.node1`, 2 * H, H);
      dense(`${p}.node2`, H, H);
      if (config.attention) dense(`${p}.att`, H, 1);
    }
    const p = `block${l}.coord`;
    dense(`${p}.mlp1`, edgeInputs, H);
    dense(`${p}.mlp2`, H, H);
    specs.push({
      name: `${p}.out.w`,
      shape: [H, 1],
      init: { kind: 'xavier-uniform', fanIn: H, fanOut: 1, gain: 0.001 },
    });
  }
  dense('embeddingOut', H, config.nodeFeatures + 1); // features + time, as EDM: no context out
  if (K > 0) {
    // The bond head, last so that atom-only layouts are unchanged: MLP(h_i + h_j, ‖x_i − x_j‖², e_ij).
    dense('bondOut1', H + 1 + K, H);
    dense('bondOut2', H, K);
  }
  return specs;
}

/** EDM's GCL: the message sum from the edges, then a residual node MLP on [h, Σ messages]. */
function graphConvolution(
  params: ParameterTensors,
  prefix: string,
  edges: BlockEdges,
  h: tf.Tensor2D,
  nodeMask2: tf.Tensor,
): tf.Tensor2D {
  const p = (name: string): tf.Tensor => params[`${prefix}.${name}`]!;
  const agg = edges.messageSum(h, prefix);
  const update = linear(
    silu(linear(tf.concat([h, agg], 1), p('node1.w'), p('node1.b'))) as tf.Tensor2D,
    p('node2.w'),
    p('node2.b'),
  );
  return tf.mul(tf.add(h, update), nodeMask2) as tf.Tensor2D;
}

/** Options of `egnnForward`. */
export interface EgnnForwardOptions {
  /**
   * Use equimol's fused wasm edge kernels when the backend has them: inference only, no gradients
   * flow through them. Default false (composed, differentiable tfjs ops).
   */
  fused?: boolean;
  /**
   * Force the composed tfjs ops (the reference). Otherwise, on the webgpu backend, parameters made by
   * `flatParameters` run the fused WGSL network (model/webgpuEdges.ts), which is differentiable.
   */
  composed?: boolean;
}

/**
 * The bond head: ε̂_e,ij = MLP(h_i + h_j, ‖x_i − x_j‖², e_ij) at the final features and coordinates.
 * Every input is symmetric in i and j and E(3)-invariant, so the output is too (exactly: h_i·W +
 * h_j·W is the same float sum either way round). Masked to real off-diagonal pairs: [B·N·N, K].
 */
function bondHead(params: ParameterTensors, config: EgnnConfig, h: tf.Tensor2D, x: tf.Tensor3D, bonds: tf.Tensor2D, masks: GraphMasks): tf.Tensor2D {
  const [B, N] = x.shape;
  const H = config.hiddenSize;
  const K = config.bondClasses!;
  const w1 = params['bondOut1.w']!;
  const perNode = tf.reshape(linear(h, tf.slice(w1, [0, 0], [H, H])), [B, N, H]);
  const pair = tf.add(tf.reshape(perNode, [B, N, 1, H]), tf.reshape(perNode, [B, 1, N, H]));
  const edgeIn = tf.concat([pairwiseDifferences(x).radial, bonds], 1) as tf.Tensor2D;
  const fromEdge = tf.reshape(linear(edgeIn, tf.slice(w1, [H, 0], [1 + K, H]), params['bondOut1.b']), [B, N, N, H]);
  const hidden = silu(tf.reshape(tf.add(pair, fromEdge), [B * N * N, H])) as tf.Tensor2D;
  return tf.mul(linear(hidden, params['bondOut2.w']!, params['bondOut2.b']), masks.edgeMask) as tf.Tensor2D;
}

/**
 * The EGNN: embeds node features, runs `layers` equivariant blocks, maps back to the input width.
 * Returns the final node features [B·N, inputWidth] and coordinates [B, N, 3], and for a network
 * with bonds (`bonds`: the noisy bond one-hots [B·N·N, K], masked) the bond head's output [B·N·N, K].
 */
export function egnnForward(
  params: ParameterTensors,
  config: EgnnConfig,
  h0: tf.Tensor2D,
  x0: tf.Tensor3D,
  masks: GraphMasks,
  options: EgnnForwardOptions = {},
  bonds?: tf.Tensor2D,
): { h: tf.Tensor2D; x: tf.Tensor3D; e?: tf.Tensor2D } {
  // The fused WGSL network covers atom-only networks; a network with bond inputs runs composed.
  const flat = options.composed || config.bondClasses ? undefined : flatSource(params);
  if (flat && webgpuNetworkAvailable(config, flat.layout, x0.shape[0] * x0.shape[1])) return webgpuNetwork(flat.theta, flat.layout, config, h0, x0, masks);
  const [B, N] = x0.shape;
  const nodeMask2 = tf.reshape(masks.nodeMask, [B * N, 1]);
  const blockEdges = edgeImplementation({ params, config, masks, bonds }, options.fused ?? false)(x0);
  let h = linear(h0, params['embedding.w']!, params['embedding.b']);
  let x = x0;
  for (let l = 0; l < config.layers; l++) {
    const edges = blockEdges(x);
    for (let s = 0; s < config.invSublayers; s++) h = graphConvolution(params, `block${l}.gcl${s}`, edges, h, nodeMask2);
    x = edges.moveCoordinates(h, `block${l}.coord`);
    h = tf.mul(h, nodeMask2) as tf.Tensor2D;
  }
  const hOut = tf.mul(linear(h, params['embeddingOut.w']!, params['embeddingOut.b']), nodeMask2) as tf.Tensor2D;
  if (!bonds) return { h: hOut, x };
  return { h: hOut, x, e: bondHead(params, config, h, x, bonds, masks) };
}
