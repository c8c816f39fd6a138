import * as tf from '@tensorflow/tfjs-core';
import type { EgnnConfig } from './config.js';
import { linear, silu } from './layers.js';
import type { ParameterSpec, ParameterTensors } from './parameters.js';

// EDM's equivariant graph network (Satorras et al. 2021, as extended by Hoogeboom et al. 2022) over
// dense, masked batches: B molecules of N (padded) atoms, all pairs as edges. tfjs-wasm has no
// UnsortedSegmentSum kernel, so messages live in [B, N, N, H] tensors and aggregation is a sum over
// the neighbour axis; the edge mask zeroes padding, self-pairs and pairs across molecules.

/** Geometry and masks shared by all layers of one forward pass. */
export interface GraphMasks {
  /** [B, N, 1]: 1 for real atoms. */
  nodeMask: tf.Tensor3D;
  /** [B·N·N, 1]: 1 where i ≠ j are both real atoms of the same molecule. */
  edgeMask: tf.Tensor2D;
}

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

/**
 * First layer of an edge MLP, W·[h_i, h_j, e_ij] + b, computed as per-node projections broadcast over
 * pairs (W_i·h_i + W_j·h_j + W_e·e_ij + b): N² fewer rows through the big matrices.
 */
function edgeInputLayer(
  h: tf.Tensor2D,
  edgeFeatures: tf.Tensor2D,
  w: tf.Tensor,
  b: tf.Tensor,
  B: number,
  N: number,
  H: number,
): tf.Tensor2D {
  // One [E, 2]·[2, H] product with the bias fused: half the time of two rank-1 products and an add
  // on tfjs-wasm (profiled; K = 1 products are slow there).
  const fromEdge = tf.reshape(linear(edgeFeatures, tf.slice(w, [2 * H, 0], [2, H]), b), [B, N, N, H]);
  const fromI = tf.reshape(linear(h, tf.slice(w, [0, 0], [H, H])), [B, N, 1, H]);
  const fromJ = tf.reshape(linear(h, tf.slice(w, [H, 0], [H, H])), [B, 1, N, H]);
  return tf.reshape(tf.add(tf.add(fromI, fromJ), fromEdge), [B * N * N, H]);
}

/** The two-layer SiLU MLP on [h_i, h_j, e_ij] that both the messages and the coordinate weights start with. */
function edgeMlp(
  h: tf.Tensor2D,
  edgeFeatures: tf.Tensor2D,
  [w1, b1, w2, b2]: [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor],
  B: number,
  N: number,
  H: number,
): tf.Tensor2D {
  const first = silu(edgeInputLayer(h, edgeFeatures, w1, b1, B, N, H)) as tf.Tensor2D;
  return silu(linear(first, w2, b2)) as tf.Tensor2D;
}

/** Sum of per-edge values [B·N·N, C] over neighbours j → [B·N, C]. */
function aggregate(values: tf.Tensor2D, B: number, N: number, factor: number): tf.Tensor2D {
  const C = values.shape[1];
  const summed = tf.reshape(tf.sum(tf.reshape(values, [B, N, N, C]), 2), [B * N, C]) as tf.Tensor2D;
  return factor === 1 ? summed : tf.div(summed, factor);
}

/** x_i − x_j for all pairs and their squared norms: [B, N, N, 3] and [B·N·N, 1]. */
export function pairwiseDifferences(x: tf.Tensor3D): { diff: tf.Tensor4D; radial: tf.Tensor2D } {
  const [B, N] = x.shape;
  const diff = tf.sub(tf.expandDims(x, 2), tf.expandDims(x, 1)) as tf.Tensor4D;
  const radial = tf.reshape(tf.sum(tf.square(diff), 3), [B * N * N, 1]) as tf.Tensor2D;
  return { diff, radial };
}

/** One invariant graph convolution (EDM's GCL): messages, attention, sum, residual node MLP. */
function graphConvolution(
  params: ParameterTensors,
  prefix: string,
  config: EgnnConfig,
  h: tf.Tensor2D,
  edgeFeatures: tf.Tensor2D,
  masks: GraphMasks,
  B: number,
  N: number,
): tf.Tensor2D {
  const H = config.hiddenSize;
  const p = (name: string): tf.Tensor => params[`${prefix}.${name}`]!;
  const m = edgeMlp(h, edgeFeatures, [p('edge1.w'), p('edge1.b'), p('edge2.w'), p('edge2.b')], B, N, H);
  const gate = config.attention
    ? tf.mul(tf.sigmoid(linear(m, p('att.w'), p('att.b'))), masks.edgeMask)
    : masks.edgeMask;
  const agg = aggregate(tf.mul(m, gate) as tf.Tensor2D, B, N, config.normalizationFactor);
  const update = linear(
    silu(linear(tf.concat([h, agg], 1), p('node1.w'), p('node1.b'))) as tf.Tensor2D,
    p('node2.w'),
    p('node2.b'),
  );
  return tf.mul(tf.add(h, update), tf.reshape(masks.nodeMask, [B * N, 1])) as tf.Tensor2D;
}

/** EDM's equivariant coordinate update: x_i += Σ_j (x_i − x_j)/(‖x_i − x_j‖ + c) · φ_x(m_ij). */
function coordinateUpdate(
  params: ParameterTensors,
  prefix: string,
  config: EgnnConfig,
  h: tf.Tensor2D,
  x: tf.Tensor3D,
  diff: tf.Tensor4D,
  radial: tf.Tensor2D,
  edgeFeatures: tf.Tensor2D,
  masks: GraphMasks,
  B: number,
  N: number,
): tf.Tensor3D {
  const H = config.hiddenSize;
  const p = (name: string): tf.Tensor => params[`${prefix}.${name}`]!;
  const m = edgeMlp(h, edgeFeatures, [p('mlp1.w'), p('mlp1.b'), p('mlp2.w'), p('mlp2.b')], B, N, H);
  let phi: tf.Tensor = linear(m, p('out.w'));
  if (config.tanh) phi = tf.mul(tf.tanh(phi), config.coordsRange);
  // Fold the distance normalisation and the edge mask into the per-edge scalar: [B·N·N, 1] work only.
  const scale = tf.div(tf.mul(phi, masks.edgeMask), tf.add(tf.sqrt(tf.add(radial, 1e-8)), config.normConstant));
  const trans = tf.mul(diff, tf.reshape(scale, [B, N, N, 1]));
  const agg = tf.sum(trans, 2);
  const moved = config.normalizationFactor === 1 ? agg : tf.div(agg, config.normalizationFactor);
  return tf.mul(tf.add(x, moved), masks.nodeMask) as tf.Tensor3D;
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
): { h: tf.Tensor2D; x: tf.Tensor3D } {
  const [B, N] = x0.shape;
  const nodeMask2 = tf.reshape(masks.nodeMask, [B * N, 1]);
  // Edge inputs of EDM's edge MLPs: current and initial squared distances side by side, [B·N·N, 2].
  // Built as r·[1, 0] + r₀·[0, 1]: tfjs-wasm's concat of such thin tensors is several times slower.
  const initialColumn = tf.mul(pairwiseDifferences(x0).radial, tf.tensor2d([[0, 1]]));
  const radialRow = tf.tensor2d([[1, 0]]);
  let h = linear(h0, params['embedding.w']!, params['embedding.b']);
  let x = x0;
  for (let l = 0; l < config.layers; l++) {
    const { diff, radial } = pairwiseDifferences(x);
    const edgeFeatures = tf.add(tf.mul(radial, radialRow), initialColumn) as tf.Tensor2D;
    for (let s = 0; s < config.invSublayers; s++) {
      h = graphConvolution(params, `block${l}.gcl${s}`, config, h, edgeFeatures, masks, B, N);
    }
    x = coordinateUpdate(params, `block${l}.coord`, config, h, x, diff, radial, edgeFeatures, masks, B, N);
    h = tf.mul(h, nodeMask2) as tf.Tensor2D;
  }
  const hOut = tf.mul(linear(h, params['embeddingOut.w']!, params['embeddingOut.b']), nodeMask2) as tf.Tensor2D;
  return { h: hOut, x };
}
