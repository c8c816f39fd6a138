import * as tf from '@tensorflow/tfjs-core';
import { allocate, edgeColumns, MAX_ATOMS, forwardColumns, type KernelName, type KernelLaunch, launch, nodeColumns, onWebgpuBackend } from '../backend/webgpuEdgeKernels.js';
import type { EgnnConfig } from './config.js';
import type { GraphMasks } from './egnnEdges.js';
import type { ParameterLayout } from './parameters.js';

// The whole EGNN (embedding, every block, output layer) as one differentiable tfjs op on the webgpu
// backend, built from the fused WGSL kernels of backend/webgpuEdgeKernels.ts. It reads the weights
// from the flat parameter vector θ at each parameter's offset and returns dL/dθ as one flat vector,
// so a training step neither slices θ into ~100 tensors nor concatenates their gradients: about
// 3 dispatches a block forward and 14 backward (issue #18). Same formulas as the composed ops of
// egnn.ts / egnnEdges.ts, which stay the reference (webgpuEdges.test.ts holds the two together).

/**
 * Whether the fused network computes this architecture: atom-only edge inputs (first edge layers of
 * 2H + 2 rows: h_i, h_j and two distances; networks with bond inputs have more and keep the
 * composed ops) and a hidden width of at most 256 lanes a workgroup.
 */
export function fusedNetworkSupports(config: EgnnConfig, layout: ParameterLayout): boolean {
  const H = config.hiddenSize;
  if (H > 256) return false;
  const firstEdgeLayers = layout.specs.filter((s) => /\.(edge1|mlp1)\.w$/.test(s.name));
  return firstEdgeLayers.length > 0 && firstEdgeLayers.every((s) => s.shape[0] === 2 * H + 2 && s.shape[1] === H);
}

/**
 * Whether the fused webgpu network runs here: the webgpu backend, an architecture it supports and
 * (given) at most MAX_ATOMS atoms in a pass.
 */
export function webgpuNetworkAvailable(config: EgnnConfig, layout: ParameterLayout, atoms = 0): boolean {
  return onWebgpuBackend() && atoms <= MAX_ATOMS && fusedNetworkSupports(config, layout);
}

/**
 * The EGNN on θ: final node features [B·N, F + 1] (masked) and coordinates [B, N, 3]. h0 [B·N, in]
 * and x0 [B, N, 3] (masked) are inputs without gradients; dL/dθ flows back through the fused kernels.
 */
export function webgpuNetwork(
  theta: tf.Tensor1D,
  layout: ParameterLayout,
  config: EgnnConfig,
  h0: tf.Tensor2D,
  x0: tf.Tensor3D,
  masks: GraphMasks,
): { h: tf.Tensor2D; x: tf.Tensor3D } {
  const [B, N] = x0.shape;
  const M = B * N;
  const F1 = config.nodeFeatures + 1;
  const packed = networkOp(layout, config, h0, x0, tf.reshape(masks.nodeMask, [M]))(theta);
  return {
    h: tf.slice(packed, [0, 0], [M, F1]) as tf.Tensor2D,
    x: tf.reshape(tf.slice(packed, [0, F1], [M, 3]), [B, N, 3]) as tf.Tensor3D,
  };
}

/** Offsets of the parameters of one network, by name. */
function offsets(layout: ParameterLayout): (name: string) => number {
  const map = new Map(layout.specs.map((s, k) => [s.name, layout.offsets[k]!]));
  return (name) => {
    const o = map.get(name);
    if (o === undefined) throw new Error(`no parameter ${name}`);
    return o;
  };
}

/** What one GCL's forward leaves for its backward: its input record, message sums and output record. */
interface GclStage {
  prefix: string;
  fnIn: tf.Tensor;
  agg: tf.Tensor;
  fnOut: tf.Tensor;
}

function networkOp(layout: ParameterLayout, config: EgnnConfig, h0: tf.Tensor2D, x0: tf.Tensor3D, mask: tf.Tensor1D): (theta: tf.Tensor1D) => tf.Tensor2D {
  const [B, N] = x0.shape;
  const M = B * N;
  const E = M * N;
  const H = config.hiddenSize;
  const F1 = config.nodeFeatures + 1;
  const inW = h0.shape[1];
  const S = config.invSublayers;
  const L = config.layers;
  const off = offsets(layout);
  const FW = forwardColumns(H).width;
  const EC = edgeColumns(H);
  const NC = nodeColumns(H);
  const floats = { normalization: config.normalizationFactor, range: config.coordsRange, normConstant: config.normConstant };
  const useTanh = config.tanh ? 1 : 0;
  const lanes = { M, N, H, fw: FW };
  const gcl = (l: number, t: number): string => `block${l}.gcl${t}`;
  const att = (prefix: string): number => (config.attention ? off(`${prefix}.att.w`) : -1);
  const toTensor = (info: tf.TensorInfo): tf.Tensor => tf.engine().makeTensorFromTensorInfo(info);
  const run = (kernel: KernelName, args: Omit<KernelLaunch, 'H' | 'workgroups'> & { workgroups?: number }): tf.Tensor =>
    toTensor(launch(kernel, { H, workgroups: M, ...args }));

  return tf.customGrad((thetaArg, saveArg) => {
    const theta = thetaArg as tf.Tensor1D;
    const save = saveArg as tf.GradSaveFunc;
    const x0m = x0;
    // Forward: embedding, then per block its GCLs (messages, node update) and the coordinate stage.
    let fn = run('embed', { inputs: { h0, theta }, ints: { ...lanes, inW, we: off('embedding.w'), offM: off(`${gcl(0, 0)}.edge1.w`) }, output: [M, FW] });
    let x: tf.Tensor = x0m;
    const xs: tf.Tensor[] = [];
    const stages: GclStage[][] = [];
    for (let l = 0; l < L; l++) {
      xs.push(x);
      const block: GclStage[] = [];
      for (let t = 0; t < S; t++) {
        const prefix = gcl(l, t);
        const agg = run('messages', {
          inputs: { fnode: fn, x, x0: x0m, mask, theta },
          ints: { ...lanes, w1: off(`${prefix}.edge1.w`), w2: off(`${prefix}.edge2.w`), wa: att(prefix) },
          floats,
          output: [M, H],
        });
        const last = t === S - 1;
        const offC = last ? off(`block${l}.coord.mlp1.w`) : -1;
        const offM = !last ? off(`${gcl(l, t + 1)}.edge1.w`) : l + 1 < L ? off(`${gcl(l + 1, 0)}.edge1.w`) : -1;
        const fnOut = run('nodes', {
          inputs: { fnode: fn, agg, mask, theta },
          ints: { ...lanes, n1: off(`${prefix}.node1.w`), n2: off(`${prefix}.node2.w`), offC, offM },
          output: [M, FW],
        });
        block.push({ prefix, fnIn: fn, agg, fnOut });
        fn = fnOut;
      }
      stages.push(block);
      const p = `block${l}.coord`;
      x = run('coordinates', {
        inputs: { fnode: fn, x, x0: x0m, mask, theta },
        ints: { ...lanes, w1: off(`${p}.mlp1.w`), w2: off(`${p}.mlp2.w`), wo: off(`${p}.out.w`), useTanh },
        floats,
        output: [M, 3],
      });
    }
    const packed = run('output', { inputs: { fnode: fn, xL: x, mask, theta }, ints: { ...lanes, wo: off('embeddingOut.w'), F1 }, output: [M, F1 + 3] });

    // Everything the backward reads, kept past the forward's scope (save clones share the data).
    const flatStages = stages.flat();
    save([theta, h0, x0m, mask, ...xs, ...flatStages.flatMap((s) => [s.fnIn, s.agg, s.fnOut])]);

    return {
      value: packed as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [th, h0s, x0s, masks, ...rest] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
        const xsS = rest.slice(0, L);
        const st = (l: number, t: number): GclStage => {
          const k = 3 * (l * S + t);
          return { prefix: gcl(l, t), fnIn: rest[L + k]!, agg: rest[L + k + 1]!, fnOut: rest[L + k + 2]! };
        };
        const grad = allocate([layout.size]);
        // A weight gradient Σ_rows [A | 1]ᵀ·D written into θ's gradient at the parameter's offset.
        const reduce = (
          rows: number,
          a: { t: tf.Tensor; stride: number; off: number; cols: number; ones: boolean },
          d: { t: tf.Tensor; stride: number; off: number; cols: number; blocks?: number; blockStride?: number },
          outOff: number,
        ): void => {
          const R = a.cols + (a.ones ? 1 : 0);
          const tilesR = Math.ceil(R / 16);
          const tilesK = Math.ceil(d.cols / 16);
          const blocks = d.blocks ?? 1;
          launch('reduce', {
            H,
            workgroups: tilesR * tilesK * blocks,
            inputs: { a: a.t, d: d.t },
            ints: {
              rows, aStride: a.stride, aOff: a.off, RA: a.cols, ones: a.ones ? 1 : 0, dStride: d.stride, dOff: d.off,
              dBlock: d.blockStride ?? 0, K: d.cols, outOff, tilesR, tilesK, blocks,
            },
            output: grad,
          });
        };
        const edgeWeightGrads = (eb: tf.Tensor, w1: number, w2: number): void => {
          const EW = EC.width;
          // Rows 2H, 2H + 1 of W1 and its bias: Σ_e [r, r0, 1]ᵀ·dpre.
          reduce(E, { t: eb, stride: EW, off: EC.r, cols: 2, ones: true }, { t: eb, stride: EW, off: EC.dpre, cols: H }, w1 + 2 * H * H);
          // W2 and its bias: Σ_e [a1, 1]ᵀ·dz2.
          reduce(E, { t: eb, stride: EW, off: EC.a1, cols: H, ones: true }, { t: eb, stride: EW, off: EC.dz2, cols: H }, w2);
        };
        // Rows 0 … 2H − 1 of a first edge layer, W_i and W_j: Σ_atoms hᵀ·[dP | dQ].
        const projectionWeightGrads = (fnIn: tf.Tensor, nb: tf.Tensor, w1: number): void =>
          reduce(M, { t: fnIn, stride: FW, off: 0, cols: H, ones: false }, { t: nb, stride: NC.width, off: NC.dP, cols: H, blocks: 2, blockStride: H }, w1);
        const nodeWeightGrads = (nb: tf.Tensor, prefix: string): void => {
          reduce(M, { t: nb, stride: NC.width, off: NC.hIn, cols: 2 * H, ones: true }, { t: nb, stride: NC.width, off: NC.dv, cols: H }, off(`${prefix}.node1.w`));
          reduce(M, { t: nb, stride: NC.width, off: NC.u, cols: H, ones: true }, { t: nb, stride: NC.width, off: NC.dOut, cols: H }, off(`${prefix}.node2.w`));
        };

        const ko = run('outputBack', { inputs: { dy, mask: masks, theta: th }, ints: { M, N, H, wo: off('embeddingOut.w'), F1 }, output: [M, F1 + H] });
        const lastFn = st(L - 1, S - 1).fnOut;
        reduce(M, { t: lastFn, stride: FW, off: 0, cols: H, ones: true }, { t: ko, stride: F1 + H, off: 0, cols: F1 }, off('embeddingOut.w'));
        let dxSrc = { t: dy, stride: F1 + 3, off: F1 };
        let dhSrc = { t: ko, stride: F1 + H, off: F1 };
        for (let l = L - 1; l >= 0; l--) {
          const p = `block${l}.coord`;
          const lastGcl = st(l, S - 1);
          const w1c = off(`${p}.mlp1.w`);
          const w2c = off(`${p}.mlp2.w`);
          const ebc = run('coordinatesBack', {
            inputs: { fnode: lastGcl.fnOut, x: xsS[l]!, x0: x0s, mask: masks, theta: th, dxin: dxSrc.t },
            ints: { ...lanes, w1: w1c, w2: w2c, wo: off(`${p}.out.w`), useTanh, EW: EC.width, dxStride: dxSrc.stride, dxOff: dxSrc.off },
            floats,
            output: [E, EC.width],
          });
          let nb = run('nodesBack', {
            inputs: { edges: ebc, dxin: dxSrc.t, dhin: dhSrc.t, mask: masks, theta: th, fnode: lastGcl.fnIn, agg: lastGcl.agg },
            ints: {
              ...lanes, EW: EC.width, NW: NC.width, dxStride: dxSrc.stride, dxOff: dxSrc.off, dhStride: dhSrc.stride, dhOff: dhSrc.off,
              coordStage: 1, w1: w1c, mlp: 1, n1: off(`${lastGcl.prefix}.node1.w`), n2: off(`${lastGcl.prefix}.node2.w`),
            },
            output: [M, NC.width],
          });
          projectionWeightGrads(lastGcl.fnOut, nb, w1c);
          edgeWeightGrads(ebc, w1c, w2c);
          reduce(E, { t: ebc, stride: EC.width, off: EC.m, cols: H, ones: false }, { t: ebc, stride: EC.width, off: EC.s, cols: 1 }, off(`${p}.out.w`));
          nodeWeightGrads(nb, lastGcl.prefix);
          for (let t = S - 1; t >= 0; t--) {
            const g = st(l, t);
            const prev = t > 0 ? st(l, t - 1) : undefined;
            const w1 = off(`${g.prefix}.edge1.w`);
            const w2 = off(`${g.prefix}.edge2.w`);
            const ebm = run('messagesBack', {
              inputs: { fnode: g.fnIn, x: xsS[l]!, x0: x0s, mask: masks, theta: th, grads: nb },
              ints: { ...lanes, w1, w2, wa: att(g.prefix), EW: EC.width, NW: NC.width },
              floats,
              output: [E, EC.width],
            });
            const next = run('nodesBack', {
              inputs: { edges: ebm, dxin: nb, dhin: nb, mask: masks, theta: th, fnode: prev?.fnIn ?? masks, agg: prev?.agg ?? masks },
              ints: {
                ...lanes, EW: EC.width, NW: NC.width, dxStride: NC.width, dxOff: NC.dx, dhStride: NC.width, dhOff: NC.dh,
                coordStage: 0, w1, mlp: prev ? 1 : 0, n1: prev ? off(`${prev.prefix}.node1.w`) : 0, n2: prev ? off(`${prev.prefix}.node2.w`) : 0,
              },
              output: [M, NC.width],
            });
            projectionWeightGrads(g.fnIn, next, w1);
            edgeWeightGrads(ebm, w1, w2);
            if (config.attention) {
              reduce(E, { t: ebm, stride: EC.width, off: EC.m, cols: H, ones: true }, { t: ebm, stride: EC.width, off: EC.s, cols: 1 }, off(`${g.prefix}.att.w`));
            }
            if (prev) nodeWeightGrads(next, prev.prefix);
            nb = next;
          }
          dxSrc = { t: nb, stride: NC.width, off: NC.dx };
          dhSrc = { t: nb, stride: NC.width, off: NC.dh };
        }
        reduce(M, { t: h0s, stride: inW, off: 0, cols: inW, ones: true }, { t: dhSrc.t, stride: NC.width, off: NC.dh, cols: H }, off('embedding.w'));
        return [toTensor(grad)];
      },
    };
  }) as (theta: tf.Tensor1D) => tf.Tensor2D;
}
