import * as tf from '@tensorflow/tfjs-core';
import { EDGE_KERNELS, fusedEdgeKernelsAvailable } from '../backend/wasmEdgeKernels.js';
import type { EgnnConfig } from './config.js';
import { linear, silu } from './layers.js';
import type { ParameterTensors } from './parameters.js';

// The edge work of one EGNN pass, in two interchangeable implementations:
// - composed: tfjs ops, differentiable, on any backend (training, and the reference);
// - fused: equimol's wasm kernels (backend/wasmEdgeKernels.ts), inference only, about twice as fast.
// Both compute exactly EDM's formulas; the tests hold them to each other and to a loop-per-edge
// reference.

/** Geometry and masks shared by all layers of one forward pass. */
export interface GraphMasks {
  /** [B, N, 1]: 1 for real atoms. */
  nodeMask: tf.Tensor3D;
  /** [B·N·N, 1]: 1 where i ≠ j are both real atoms of the same molecule. */
  edgeMask: tf.Tensor2D;
}

/** The edge stages of one equivariant block at the current coordinates. */
export interface BlockEdges {
  /** Σ_j gate_ij·m_ij / normalization for the GCL `prefix` → [B·N, H]. */
  messageSum(h: tf.Tensor2D, prefix: string): tf.Tensor2D;
  /** x_i + Σ_j (x_i − x_j)/(‖x_i − x_j‖ + c)·φ_x(m_ij) / normalization, masked → [B, N, 3]. */
  moveCoordinates(h: tf.Tensor2D, prefix: string): tf.Tensor3D;
}

/** Builds the edge stages of each block of one forward pass from the initial coordinates x0. */
export type EdgeImplementation = (x0: tf.Tensor3D) => (x: tf.Tensor3D) => BlockEdges;

/** What an edge implementation works with: the parameters, the network configuration and the masks. */
export interface EdgeContext {
  params: ParameterTensors;
  config: EgnnConfig;
  masks: GraphMasks;
  /** Networks with bonds: the noisy bond one-hots [B·N·N, K], masked, an input of every edge MLP. */
  bonds?: tf.Tensor2D;
}

/** x_i − x_j for all pairs and their squared norms: [B, N, N, 3] and [B·N·N, 1]. */
export function pairwiseDifferences(x: tf.Tensor3D): { diff: tf.Tensor4D; radial: tf.Tensor2D } {
  const [B, N] = x.shape;
  const diff = tf.sub(tf.expandDims(x, 2), tf.expandDims(x, 1)) as tf.Tensor4D;
  const radial = tf.reshape(tf.sum(tf.square(diff), 3), [B * N * N, 1]) as tf.Tensor2D;
  return { diff, radial };
}

/** Per-node halves of a first edge layer, h·W_i and h·W_j ([B·N, H] each), W = [W_i; W_j; w_r; w_r0]. */
function nodeProjections(h: tf.Tensor2D, w: tf.Tensor, H: number): [tf.Tensor2D, tf.Tensor2D] {
  return [linear(h, tf.slice(w, [0, 0], [H, H])), linear(h, tf.slice(w, [H, 0], [H, H]))];
}

/** tfjs ops: differentiable, any backend. */
export function composedEdges({ params, config, masks, bonds }: EdgeContext): EdgeImplementation {
  const H = config.hiddenSize;
  const edgeWidth = 2 + (bonds ? bonds.shape[1] : 0);
  const p = (name: string): tf.Tensor => params[name]!;
  return (x0) => {
    const [B, N] = x0.shape;
    // Edge inputs: current and initial squared distances side by side, [B·N·N, 2], built as
    // r·[1, 0] + r₀·[0, 1] (tfjs-wasm's concat of such thin tensors is several times slower).
    const initialColumn = tf.mul(pairwiseDifferences(x0).radial, tf.tensor2d([[0, 1]]));
    const radialRow = tf.tensor2d([[1, 0]]);
    // First layer W·[h_i, h_j, e_ij] + b as per-node projections broadcast over pairs: N² fewer rows
    // through the big matrices. The [E, 2]·[2, H] product carries the bias (K = 1 products are slow
    // on tfjs-wasm).
    const edgeMlp = (h: tf.Tensor2D, edgeFeatures: tf.Tensor2D, layer1: string, layer2: string): tf.Tensor2D => {
      const w = p(`${layer1}.w`);
      const fromEdge = tf.reshape(linear(edgeFeatures, tf.slice(w, [2 * H, 0], [edgeWidth, H]), p(`${layer1}.b`)), [B, N, N, H]);
      const [fromI, fromJ] = nodeProjections(h, w, H);
      const pre = tf.add(tf.add(tf.reshape(fromI, [B, N, 1, H]), tf.reshape(fromJ, [B, 1, N, H])), fromEdge);
      const first = silu(tf.reshape(pre, [B * N * N, H])) as tf.Tensor2D;
      return silu(linear(first, p(`${layer2}.w`), p(`${layer2}.b`))) as tf.Tensor2D;
    };
    const neighbourSum = (values: tf.Tensor, C: number): tf.Tensor => {
      const summed = tf.sum(tf.reshape(values, [B, N, N, C]), 2);
      return config.normalizationFactor === 1 ? summed : tf.div(summed, config.normalizationFactor);
    };
    return (x) => {
      const { diff, radial } = pairwiseDifferences(x);
      const distances = tf.add(tf.mul(radial, radialRow), initialColumn) as tf.Tensor2D;
      // The bond one-hots join the distances as edge features; atom-only networks run exactly as before.
      const edgeFeatures = bonds ? (tf.concat([distances, bonds], 1) as tf.Tensor2D) : distances;
      return {
        messageSum(h, prefix) {
          const m = edgeMlp(h, edgeFeatures, `${prefix}.edge1`, `${prefix}.edge2`);
          const gate = config.attention
            ? tf.mul(tf.sigmoid(linear(m, p(`${prefix}.att.w`), p(`${prefix}.att.b`))), masks.edgeMask)
            : masks.edgeMask;
          return tf.reshape(neighbourSum(tf.mul(m, gate), H), [B * N, H]) as tf.Tensor2D;
        },
        moveCoordinates(h, prefix) {
          const m = edgeMlp(h, edgeFeatures, `${prefix}.mlp1`, `${prefix}.mlp2`);
          let phi: tf.Tensor = linear(m, p(`${prefix}.out.w`));
          if (config.tanh) phi = tf.mul(tf.tanh(phi), config.coordsRange);
          // Distance normalisation and edge mask folded into the per-edge scalar: [B·N·N, 1] work only.
          const scale = tf.div(tf.mul(phi, masks.edgeMask), tf.add(tf.sqrt(tf.add(radial, 1e-8)), config.normConstant));
          const moved = neighbourSum(tf.mul(diff, tf.reshape(scale, [B, N, N, 1])), 3);
          return tf.mul(tf.add(x, moved), masks.nodeMask) as tf.Tensor3D;
        },
      };
    };
  };
}

/** equimol's fused wasm kernels: inference only (no gradients), wasm backend only. */
export function fusedEdges({ params, config, masks }: EdgeContext): EdgeImplementation {
  const H = config.hiddenSize;
  const p = (name: string): tf.Tensor => params[name]!;
  const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor =>
    tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor;
  const normalization = config.normalizationFactor;
  return (x0) => {
    const [B, N] = x0.shape;
    const radial0 = run(EDGE_KERNELS.pairSquaredDistances, { x: x0 });
    const edgeInput = (h: tf.Tensor2D, radial: tf.Tensor, layer: string): tf.Tensor2D => {
      const w = p(`${layer}.w`);
      const [P, Q] = nodeProjections(h, w, H);
      const inputs = { P, Q, radial, radial0, w, b: p(`${layer}.b`), edgeMask: masks.edgeMask };
      return run(EDGE_KERNELS.edgeInputSilu, inputs, { B, N }) as tf.Tensor2D;
    };
    return (x) => {
      const radial = run(EDGE_KERNELS.pairSquaredDistances, { x });
      return {
        messageSum(h, prefix) {
          const pre = tf.matMul(edgeInput(h, radial, `${prefix}.edge1`), p(`${prefix}.edge2.w`));
          const inputs: tf.NamedTensorMap = { pre, b: p(`${prefix}.edge2.b`), edgeMask: masks.edgeMask };
          if (config.attention) Object.assign(inputs, { attW: p(`${prefix}.att.w`), attB: p(`${prefix}.att.b`) });
          return run(EDGE_KERNELS.gatedMessageSum, inputs, { B, N, normalization }) as tf.Tensor2D;
        },
        moveCoordinates(h, prefix) {
          const pre = tf.matMul(edgeInput(h, radial, `${prefix}.mlp1`), p(`${prefix}.mlp2.w`));
          return run(
            EDGE_KERNELS.coordinateUpdate,
            { x, pre, b: p(`${prefix}.mlp2.b`), outW: p(`${prefix}.out.w`), radial, edgeMask: masks.edgeMask, nodeMask: masks.nodeMask },
            { useTanh: config.tanh ? 1 : 0, coordsRange: config.coordsRange, normConstant: config.normConstant, normalization },
          ) as tf.Tensor3D;
        },
      };
    };
  };
}

/**
 * The fused kernels when asked for and the backend has them, else the composed ops. The fused kernels
 * take distances only as edge features, so networks with bonds run composed.
 */
export function edgeImplementation(context: EdgeContext, preferFused: boolean): EdgeImplementation {
  const fused = preferFused && !context.bonds && fusedEdgeKernelsAvailable(context.config.hiddenSize);
  return fused ? fusedEdges(context) : composedEdges(context);
}
