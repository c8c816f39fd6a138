import type { EgnnConfig } from './config.js';

// How many bytes one pass of the EGNN holds at its peak. The network is dense: every block keeps
// [B·N·N, H] edge tensors, so memory grows with N². Training keeps every intermediate of the forward
// pass for the backward pass; inference frees them layer by layer.
//
// The coefficients are bytes per unit of each term, fitted to tfjs's own peak (`tf.profile`'s
// peakBytes) on tfjs-wasm for twelve shapes from B·N = 40 to 3,200, N = 9 to 120, H = 16 to 128 and
// 2 to 6 layers (all within 1 % of the fit; memoryEstimate.test.ts re-measures a few). The terms:
// edges × width × layers (edge MLP activations), atoms × width × layers (node MLPs), edges × layers
// (distances, differences, masks), and width² × layers (parameters, their gradients and copies).
// The wasm heap itself grew to 0.85–0.9 of that peak in the same runs.
const TRAINING = { edgeWidth: 235, nodeWidth: 262, edge: 382, weights: 243 };
const INFERENCE = { edgeWidth: 72.2, nodeWidth: 78.9, edge: 154, weights: 56.3 };

/** The shape of one forward (and backward) pass: B molecules padded to N atoms. */
export interface PassShape {
  molecules: number;
  atoms: number;
}

/** The network dimensions that memory depends on. */
export type NetworkSize = Pick<EgnnConfig, 'hiddenSize' | 'layers' | 'invSublayers'> & Pick<Partial<EgnnConfig>, 'bondClasses'>;

/** What a pass computes: gradients (training) or a noise prediction only (validation, sampling). */
export type PassKind = 'training' | 'inference';

/** Peak bytes of tensors alive during one pass of the EGNN, as tfjs counts them. */
export function estimatePeakBytes(network: NetworkSize, shape: PassShape, kind: PassKind): number {
  const c = kind === 'training' ? TRAINING : INFERENCE;
  const { molecules: B, atoms: N } = shape;
  const H = network.hiddenSize;
  // Each block has invSublayers message MLPs and one coordinate MLP; the fit had one of each.
  const L = (network.layers * (network.invSublayers + 1)) / 2;
  const edges = B * N * N;
  // Bond networks (not in the fit): the bond head is one more edge MLP, and every edge MLP's input
  // carries K more values per edge; counted as half a block of edge MLPs and K/2 more edge scalars.
  const K = network.bondClasses ?? 0;
  const edgeL = K > 0 ? L + 0.5 : L;
  const scalarL = K > 0 ? L * (1 + K / 2) : L;
  return c.edgeWidth * edges * H * edgeL + c.nodeWidth * B * N * H * L + c.edge * edges * scalarL + c.weights * H * H * L;
}

/** Bytes of the largest single tensor of a pass: one [B·N·N, H] float32 edge activation. */
export function largestTensorBytes(network: NetworkSize, shape: PassShape): number {
  return 4 * shape.molecules * shape.atoms * shape.atoms * network.hiddenSize;
}
