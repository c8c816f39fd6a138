import * as tf from '@tensorflow/tfjs-core';
import type { EgnnConfig } from './config.js';
import { edgeImplementation, type BlockEdges, type GraphMasks } from './egnnEdges.js';
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
  const edgeInputs = 2 * H + 2; // [h_i, h_j, ‖x_i − x_j‖², initial ‖x_i − x_j‖²]
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
 * The EGNN: embeds node features, runs `layers` equivariant blocks, maps back to the input width.
 * Returns the final node features [B·N, inputWidth] and coordinates [B, N, 3].
 */
export function egnnForward(
  params: ParameterTensors,
  config: EgnnConfig,
  h0: tf.Tensor2D,
  x0: tf.Tensor3D,
  masks: GraphMasks,
  options: EgnnForwardOptions = {},
): { h: tf.Tensor2D; x: tf.Tensor3D } {
  const flat = options.composed ? undefined : flatSource(params);
  if (flat && webgpuNetworkAvailable(config, flat.layout, x0.shape[0] * x0.shape[1])) return webgpuNetwork(flat.theta, flat.layout, config, h0, x0, masks);
  const [B, N] = x0.shape;
  const nodeMask2 = tf.reshape(masks.nodeMask, [B * N, 1]);
  const blockEdges = edgeImplementation({ params, config, masks }, options.fused ?? false)(x0);
  let h = linear(h0, params['embedding.w']!, params['embedding.b']);
  let x = x0;
  for (let l = 0; l < config.layers; l++) {
    const edges = blockEdges(x);
    for (let s = 0; s < config.invSublayers; s++) h = graphConvolution(params, `block${l}.gcl${s}`, edges, h, nodeMask2);
    x = edges.moveCoordinates(h, `block${l}.coord`);
    h = tf.mul(h, nodeMask2) as tf.Tensor2D;
  }
  const hOut = tf.mul(linear(h, params['embeddingOut.w']!, params['embeddingOut.b']), nodeMask2) as tf.Tensor2D;
  return { h: hOut, x };
}
