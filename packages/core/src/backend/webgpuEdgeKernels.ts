import * as tf from '@tensorflow/tfjs-core';

// Fused WGSL kernels of the EGNN for tfjs-backend-webgpu, forward and backward.
//
// Why: composed tfjs ops cost about 1,300 compute dispatches for one training step of the heavy
// QM9 shape (B64, h128, 6 layers), each a separate pass over [B·N·N, H] edge tensors, and the step
// is bound by dispatch overhead, not by arithmetic (issue #18). Here one workgroup per atom i runs
// the whole edge MLP of every pair (i, j) in registers and workgroup memory and sums over j inside
// the kernel, so a block costs three dispatches forward. The backward kernels write what the weight
// gradients need per edge; the weight gradients are then tiled reductions over the edge dimension,
// written straight into one flat gradient vector at each parameter's offset (no concat, no slices).
//
// Layouts (all row-major, float32; M = B·N atoms, E = B·N·N pairs, e = (b·N + i)·N + j):
// - node forward record [M, 5H]: h | P_c | Q_c | P_m | Q_m, where P/Q are the per-atom halves of the
//   next stages' first edge layers (h·W_i, h·W_j): _c for the coordinate stage, _m for a message stage;
// - edge backward record [E, 4H + 8]: see EDGE_COLUMNS;
// - node backward record [M, 9H + 4]: see NODE_COLUMNS.
// model/webgpuEdges.ts strings these kernels into the network and its gradient.

/** Columns of the per-edge backward record, in units of H plus a fixed part. */
export function edgeColumns(H: number) {
  return { a1: 0, dz2: H, dpre: 2 * H, m: 3 * H, r: 4 * H, r0: 4 * H + 1, s: 4 * H + 2, c: 4 * H + 3, width: 4 * H + 8 };
}

/** Columns of the per-atom backward record. */
export function nodeColumns(H: number) {
  return { dP: 0, dQ: H, hIn: 2 * H, agg: 3 * H, u: 4 * H, dOut: 5 * H, dv: 6 * H, dh: 7 * H, dAgg: 8 * H, dx: 9 * H, width: 9 * H + 4 };
}

/** Columns of the node forward record. */
export function forwardColumns(H: number) {
  return { h: 0, pc: H, pm: 3 * H, width: 5 * H };
}

/** The parts of tfjs-backend-webgpu's backend these kernels use (public methods of WebGPUBackend). */
interface WebGpuBackendLike {
  runWebGPUProgram(program: unknown, inputs: tf.TensorInfo[], dtype: 'float32', uniforms?: UniformData[], output?: tf.TensorInfo): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

type UniformData = { type: 'int32' | 'float32'; data: number[] };

// Shared by every kernel: activations, the workgroup's atom and lane, and a tree sum over the lanes.
// Kernels run one workgroup of WG lanes (WG = H rounded up to a power of two) per atom; lane k owns
// channel k, lanes k ≥ H idle but take part in every barrier.
const PRELUDE = /* wgsl */ `
fn sigm(v : f32) -> f32 { return 1.0 / (1.0 + exp(-v)); }
fn silu_(v : f32) -> f32 { return v * sigm(v); }
fn dsilu(v : f32) -> f32 { let s = sigm(v); return s * (1.0 + v * (1.0 - s)); }

struct Lane { n : i32, b : i32, i : i32, k : i32, live : bool };

// The atom n = b·N + i of this workgroup (one per atom: at most MAX_ATOMS, so that tfjs never
// reshapes the dispatch) and channel k of this lane; lanes k ≥ H idle (live false).
fn laneSetup() -> Lane {
  let n = i32(workgroupId.x);
  let k = i32(localId.x);
  return Lane(n, n / uniforms.N, n % uniforms.N, k, k < uniforms.H);
}

var<workgroup> red : array<f32, WG>;

// Σ over the lanes of v; every lane gets the total. Called in uniform control flow.
fn laneSum(k : i32, v : f32) -> f32 {
  red[k] = v;
  workgroupBarrier();
  for (var s = i32(WG) / 2; s > 0; s = s / 2) {
    if (k < s) { red[k] = red[k] + red[k + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
`;

// Geometry and the two edge-MLP layers, for kernels that loop over the pairs (i, j) of atom i.
const EDGE_PRELUDE = /* wgsl */ `
struct Pair { nj : i32, r : f32, r0 : f32, diff : vec3<f32>, edge : f32 };

fn pairAt(l : Lane, j : i32) -> Pair {
  let nj = l.b * uniforms.N + j;
  let d = vec3<f32>(x[l.n * 3] - x[nj * 3], x[l.n * 3 + 1] - x[nj * 3 + 1], x[l.n * 3 + 2] - x[nj * 3 + 2]);
  let d0 = vec3<f32>(x0[l.n * 3] - x0[nj * 3], x0[l.n * 3 + 1] - x0[nj * 3 + 1], x0[l.n * 3 + 2] - x0[nj * 3 + 2]);
  var edge = mask[l.n] * mask[nj];
  if (j == l.i) { edge = 0.0; }
  return Pair(nj, d.x * d.x + d.y * d.y + d.z * d.z, d0.x * d0.x + d0.y * d0.y + d0.z * d0.z, d, edge);
}

// Pre-activation of the first edge layer W·[h_i, h_j, r, r0] + b from the atoms' projections
// (columns pcol, pcol + H of the forward record) and the weight matrix at w1.
fn firstLayer(l : Lane, p : Pair, w1 : i32, pcol : i32) -> f32 {
  if (!l.live) { return 0.0; }
  let H = uniforms.H;
  let fw = uniforms.fw;
  return fnode[l.n * fw + pcol + l.k] + fnode[p.nj * fw + pcol + H + l.k]
    + p.r * theta[w1 + 2 * H * H + l.k] + p.r0 * theta[w1 + (2 * H + 1) * H + l.k] + theta[w1 + (2 * H + 2) * H + l.k];
}

var<workgroup> act : array<f32, WG>;

// Second layer b2 + Σ_c a_c·W2[c, k] of the lanes' first-layer activations a.
fn secondLayer(l : Lane, a : f32, w2 : i32) -> f32 {
  act[l.k] = a;
  workgroupBarrier();
  var z = 0.0;
  if (l.live) {
    let H = uniforms.H;
    z = theta[w2 + H * H + l.k];
    for (var c = 0; c < H; c++) { z += act[c] * theta[w2 + c * H + l.k]; }
  }
  workgroupBarrier();
  return z;
}

// Backward through the second layer's weights: Σ_c g_c·W2[k, c].
fn secondLayerBack(l : Lane, g : f32, w2 : i32) -> f32 {
  act[l.k] = g;
  workgroupBarrier();
  var v = 0.0;
  if (l.live) {
    let H = uniforms.H;
    for (var c = 0; c < H; c++) { v += act[c] * theta[w2 + l.k * H + c]; }
  }
  workgroupBarrier();
  return v;
}
`;

// The edge backward record of pair (i, j) (edgeColumns), written by both edge backward kernels:
// per lane the first layer's activation a, the gradients dz and dpre of the second and first layers'
// pre-activations and the message m; the squared distances r, r0; the gradient ds of the stage's
// scalar per pair (the attention gate's pre-activation, or φ_x's output q); and the pair's
// coordinate gradient dx (summed over j by nodesBack).
const EDGE_RECORD = /* wgsl */ `
fn writeEdgeRecord(l : Lane, p : Pair, j : i32, a : f32, dz : f32, dpre : f32, m : f32, ds : f32, dx : vec3<f32>) {
  let H = uniforms.H;
  let row = (l.n * uniforms.N + j) * uniforms.EW;
  if (l.live) {
    result[row + l.k] = a;
    result[row + H + l.k] = dz;
    result[row + 2 * H + l.k] = dpre;
    result[row + 3 * H + l.k] = m;
  }
  if (l.k == 0) {
    result[row + 4 * H] = p.r;
    result[row + 4 * H + 1] = p.r0;
    result[row + 4 * H + 2] = ds;
  }
  if (l.k < 3) { result[row + 4 * H + 3 + l.k] = dx[l.k]; }
}
`;

// Per-atom projections of a hidden state held in workgroup memory \`hs\` (forward record columns).
const PROJECTION = /* wgsl */ `
var<workgroup> hs : array<f32, WG>;

fn project(l : Lane, w1 : i32, row0 : i32) -> f32 {
  let H = uniforms.H;
  var v = 0.0;
  for (var c = 0; c < H; c++) { v += hs[c] * theta[w1 + (row0 + c) * H + l.k]; }
  return v;
}

fn writeProjections(l : Lane, offC : i32, offM : i32) {
  if (!l.live) { return; }
  let H = uniforms.H;
  let row = l.n * uniforms.fw;
  if (offC >= 0) {
    result[row + H + l.k] = project(l, offC, 0);
    result[row + 2 * H + l.k] = project(l, offC, H);
  }
  if (offM >= 0) {
    result[row + 3 * H + l.k] = project(l, offM, 0);
    result[row + 4 * H + l.k] = project(l, offM, H);
  }
}
`;

/** A WGSL kernel: its inputs (storage buffers, in order), uniforms and body of `main(index)`. */
export interface KernelSpec {
  name: string;
  inputs: string[];
  ints: string[];
  floats?: string[];
  /**
   * 'lanes': one workgroup of WG lanes per atom, with the prelude; 'plain': workgroups of 256
   * invocations (reduction tiles, element-wise updates), without it.
   */
  kind: 'lanes' | 'plain';
  parts?: string[];
  body: string;
}

const KERNELS = {
  // h = h0·W_e + b_e, with the first message stage's projections.
  embed: {
    name: 'embed',
    inputs: ['h0', 'theta'],
    ints: ['M', 'N', 'H', 'fw', 'inW', 'we', 'offM'],
    kind: 'lanes',
    parts: [PROJECTION],
    body: `
    let l = laneSetup();
    var v = 0.0;
    if (l.live) {
      let H = uniforms.H;
      v = theta[uniforms.we + uniforms.inW * H + l.k];
      for (var c = 0; c < uniforms.inW; c++) { v += h0[l.n * uniforms.inW + c] * theta[uniforms.we + c * H + l.k]; }
      result[l.n * uniforms.fw + l.k] = v;
    }
    hs[l.k] = v;
    workgroupBarrier();
    writeProjections(l, -1, uniforms.offM);`,
  },
  // Σ_j gate_ij·m_ij / normalization: both edge-MLP layers and the attention gate per pair.
  messages: {
    name: 'messages',
    inputs: ['fnode', 'x', 'x0', 'mask', 'theta'],
    ints: ['M', 'N', 'H', 'fw', 'w1', 'w2', 'wa'],
    floats: ['normalization'],
    kind: 'lanes',
    parts: [EDGE_PRELUDE],
    body: `
    let l = laneSetup();
    var acc = 0.0;
    for (var j = 0; j < uniforms.N; j++) {
      let p = pairAt(l, j);
      let m = silu_(secondLayer(l, silu_(firstLayer(l, p, uniforms.w1, 3 * uniforms.H)), uniforms.w2));
      var gate = 1.0;
      if (uniforms.wa >= 0) {
        var mw = 0.0;
        if (l.live) { mw = m * theta[uniforms.wa + l.k]; }
        gate = sigm(laneSum(l.k, mw) + theta[uniforms.wa + uniforms.H]);
      }
      acc += gate * p.edge * m;
    }
    if (l.live) { result[l.n * uniforms.H + l.k] = acc / uniforms.normalization; }`,
  },
  // EDM's GCL node update (h + φ_h([h, Σ m]))·mask, with the next stages' projections.
  nodes: {
    name: 'nodes',
    inputs: ['fnode', 'agg', 'mask', 'theta'],
    ints: ['M', 'N', 'H', 'fw', 'n1', 'n2', 'offC', 'offM'],
    kind: 'lanes',
    parts: [PROJECTION],
    body: `
    let l = laneSetup();
    let H = uniforms.H;
    var hk = 0.0;
    var gk = 0.0;
    if (l.live) { hk = fnode[l.n * uniforms.fw + l.k]; gk = agg[l.n * H + l.k]; }
    hs[l.k] = hk;
    red[l.k] = gk;
    workgroupBarrier();
    var u = 0.0;
    if (l.live) {
      var v = theta[uniforms.n1 + 2 * H * H + l.k];
      for (var c = 0; c < H; c++) { v += hs[c] * theta[uniforms.n1 + c * H + l.k] + red[c] * theta[uniforms.n1 + (H + c) * H + l.k]; }
      u = silu_(v);
    }
    workgroupBarrier();
    red[l.k] = u;
    workgroupBarrier();
    var hOut = 0.0;
    if (l.live) {
      hOut = hk + theta[uniforms.n2 + H * H + l.k];
      for (var c = 0; c < H; c++) { hOut += red[c] * theta[uniforms.n2 + c * H + l.k]; }
      hOut = hOut * mask[l.n];
      result[l.n * uniforms.fw + l.k] = hOut;
    }
    workgroupBarrier();
    hs[l.k] = hOut;
    workgroupBarrier();
    writeProjections(l, uniforms.offC, uniforms.offM);`,
  },
  // x_i + Σ_j (x_i − x_j)/(‖x_i − x_j‖ + c)·φ_x(m_ij) / normalization, masked.
  coordinates: {
    name: 'coordinates',
    inputs: ['fnode', 'x', 'x0', 'mask', 'theta'],
    ints: ['M', 'N', 'H', 'fw', 'w1', 'w2', 'wo', 'useTanh'],
    floats: ['normalization', 'range', 'normConstant'],
    kind: 'lanes',
    parts: [EDGE_PRELUDE],
    body: `
    let l = laneSetup();
    var acc = vec3<f32>(0.0, 0.0, 0.0);
    for (var j = 0; j < uniforms.N; j++) {
      let p = pairAt(l, j);
      let m = silu_(secondLayer(l, silu_(firstLayer(l, p, uniforms.w1, uniforms.H)), uniforms.w2));
      var mw = 0.0;
      if (l.live) { mw = m * theta[uniforms.wo + l.k]; }
      let q = laneSum(l.k, mw);
      var phi = q;
      if (uniforms.useTanh == 1) { phi = uniforms.range * tanh(clamp(q, -20.0, 20.0)); }
      acc += p.diff * (phi * p.edge / (sqrt(p.r + 1e-8) + uniforms.normConstant));
    }
    if (l.k < 3) { result[l.n * 3 + l.k] = (x[l.n * 3 + l.k] + acc[l.k] / uniforms.normalization) * mask[l.n]; }`,
  },
  // The output layer (h·W_o + b_o)·mask beside the final coordinates: one record [M, F1 + 3].
  output: {
    name: 'output',
    inputs: ['fnode', 'xL', 'mask', 'theta'],
    ints: ['M', 'N', 'H', 'fw', 'wo', 'F1'],
    kind: 'lanes',
    body: `
    let l = laneSetup();
    let H = uniforms.H;
    let F1 = uniforms.F1;
    let row = l.n * (F1 + 3);
    for (var f = l.k; f < F1; f += i32(WG)) {
      var v = theta[uniforms.wo + H * F1 + f];
      for (var c = 0; c < H; c++) { v += fnode[l.n * uniforms.fw + c] * theta[uniforms.wo + c * F1 + f]; }
      result[row + f] = v * mask[l.n];
    }
    if (l.k < 3) { result[row + F1 + l.k] = xL[l.n * 3 + l.k]; }`,
  },
  // Backward of the output layer: dO = dy·mask and dh_L = dO·W_oᵀ → [M, F1 + H].
  outputBack: {
    name: 'outputBack',
    inputs: ['dy', 'mask', 'theta'],
    ints: ['M', 'N', 'H', 'wo', 'F1'],
    kind: 'lanes',
    body: `
    let l = laneSetup();
    let H = uniforms.H;
    let F1 = uniforms.F1;
    let row = l.n * (F1 + H);
    for (var f = l.k; f < F1; f += i32(WG)) { result[row + f] = dy[l.n * (F1 + 3) + f] * mask[l.n]; }
    if (l.live) {
      var v = 0.0;
      for (var f = 0; f < F1; f++) { v += dy[l.n * (F1 + 3) + f] * mask[l.n] * theta[uniforms.wo + l.k * F1 + f]; }
      result[row + F1 + l.k] = v;
    }`,
  },
  // Per pair (i, j) of a message stage, what its gradient needs: the edge backward record.
  messagesBack: {
    name: 'messagesBack',
    inputs: ['fnode', 'x', 'x0', 'mask', 'theta', 'grads'],
    ints: ['M', 'N', 'H', 'fw', 'w1', 'w2', 'wa', 'EW', 'NW'],
    floats: ['normalization'],
    kind: 'lanes',
    parts: [EDGE_PRELUDE, EDGE_RECORD],
    body: `
    let l = laneSetup();
    let H = uniforms.H;
    var dA = 0.0;
    if (l.live) { dA = grads[l.n * uniforms.NW + 8 * H + l.k] / uniforms.normalization; }
    for (var j = 0; j < uniforms.N; j++) {
      let p = pairAt(l, j);
      let pre = firstLayer(l, p, uniforms.w1, 3 * H);
      let a = silu_(pre);
      let z = secondLayer(l, a, uniforms.w2);
      let m = silu_(z);
      var gate = 1.0;
      var ds = 0.0;
      var dm = dA * p.edge;
      if (uniforms.wa >= 0) {
        var mw = 0.0;
        if (l.live) { mw = m * theta[uniforms.wa + l.k]; }
        gate = sigm(laneSum(l.k, mw) + theta[uniforms.wa + H]);
        let dgate = laneSum(l.k, dA * m) * p.edge;
        ds = dgate * gate * (1.0 - gate);
        dm = dm * gate;
        if (l.live) { dm += ds * theta[uniforms.wa + l.k]; }
      }
      let dz = dm * dsilu(z);
      let dpre = secondLayerBack(l, dz, uniforms.w2) * dsilu(pre);
      var wr = 0.0;
      if (l.live) { wr = theta[uniforms.w1 + 2 * H * H + l.k]; }
      let dr = laneSum(l.k, dpre * wr);
      writeEdgeRecord(l, p, j, a, dz, dpre, m, ds, 2.0 * dr * p.diff);
    }`,
  },
  // Per pair (i, j) of a coordinate stage: the edge backward record.
  coordinatesBack: {
    name: 'coordinatesBack',
    inputs: ['fnode', 'x', 'x0', 'mask', 'theta', 'dxin'],
    ints: ['M', 'N', 'H', 'fw', 'w1', 'w2', 'wo', 'useTanh', 'EW', 'dxStride', 'dxOff'],
    floats: ['normalization', 'range', 'normConstant'],
    kind: 'lanes',
    parts: [EDGE_PRELUDE, EDGE_RECORD],
    body: `
    let l = laneSetup();
    let H = uniforms.H;
    let base = l.n * uniforms.dxStride + uniforms.dxOff;
    let g = vec3<f32>(dxin[base], dxin[base + 1], dxin[base + 2]) * (mask[l.n] / uniforms.normalization);
    for (var j = 0; j < uniforms.N; j++) {
      let p = pairAt(l, j);
      let pre = firstLayer(l, p, uniforms.w1, H);
      let a = silu_(pre);
      let z = secondLayer(l, a, uniforms.w2);
      let m = silu_(z);
      var wo = 0.0;
      if (l.live) { wo = theta[uniforms.wo + l.k]; }
      let q = laneSum(l.k, m * wo);
      var phi = q;
      var dphidq = 1.0;
      if (uniforms.useTanh == 1) {
        let t = tanh(clamp(q, -20.0, 20.0));
        phi = uniforms.range * t;
        dphidq = uniforms.range * (1.0 - t * t);
      }
      let dist = sqrt(p.r + 1e-8);
      let den = dist + uniforms.normConstant;
      let s = phi * p.edge / den;
      let ds = dot(g, p.diff);
      let dq = ds * p.edge / den * dphidq;
      let drDist = -ds * phi * p.edge / (den * den) * 0.5 / dist;
      let dz = dq * wo * dsilu(z);
      let dpre = secondLayerBack(l, dz, uniforms.w2) * dsilu(pre);
      var wr = 0.0;
      if (l.live) { wr = theta[uniforms.w1 + 2 * H * H + l.k]; }
      let dr = laneSum(l.k, dpre * wr) + drDist;
      writeEdgeRecord(l, p, j, a, dz, dpre, m, dq, g * s + 2.0 * dr * p.diff);
    }`,
  },
  // Per atom after an edge backward: the sums over pairs (dP, dQ, dx), the gradient of the stage's
  // input h through its projections, and (mlp = 1) the backward of the GCL node MLP that made that h.
  nodesBack: {
    name: 'nodesBack',
    inputs: ['edges', 'dxin', 'dhin', 'mask', 'theta', 'fnode', 'agg'],
    ints: ['M', 'N', 'H', 'fw', 'EW', 'NW', 'dxStride', 'dxOff', 'dhStride', 'dhOff', 'coordStage', 'w1', 'mlp', 'n1', 'n2'],
    kind: 'lanes',
    body: `
    let l = laneSetup();
    let H = uniforms.H;
    let N = uniforms.N;
    let EW = uniforms.EW;
    let row = l.n * uniforms.NW;
    var inMask = 1.0;
    if (uniforms.coordStage == 1) { inMask = mask[l.n]; }
    var dP = 0.0;
    var dQ = 0.0;
    if (l.live) {
      for (var j = 0; j < N; j++) {
        dP += edges[(l.n * N + j) * EW + 2 * H + l.k];
        dQ += edges[((l.b * N + j) * N + l.i) * EW + 2 * H + l.k];
      }
      result[row + l.k] = dP;
      result[row + H + l.k] = dQ;
    }
    if (l.k < 3) {
      var dx = dxin[l.n * uniforms.dxStride + uniforms.dxOff + l.k] * inMask;
      for (var j = 0; j < N; j++) {
        dx += edges[(l.n * N + j) * EW + 4 * H + 3 + l.k] - edges[((l.b * N + j) * N + l.i) * EW + 4 * H + 3 + l.k];
      }
      result[row + 9 * H + l.k] = dx;
    }
    sP[l.k] = dP;
    sQ[l.k] = dQ;
    workgroupBarrier();
    var dh = 0.0;
    if (l.live) {
      dh = dhin[l.n * uniforms.dhStride + uniforms.dhOff + l.k] * inMask;
      for (var c = 0; c < H; c++) { dh += sP[c] * theta[uniforms.w1 + l.k * H + c] + sQ[c] * theta[uniforms.w1 + (H + l.k) * H + c]; }
    }
    if (uniforms.mlp == 0) {
      if (l.live) { result[row + 7 * H + l.k] = dh; }
      return;
    }
    // The GCL node MLP: out = (h + b2 + silu(v)·W2)·mask, v = [h, agg]·W1 + b1.
    var hk = 0.0;
    var gk = 0.0;
    if (l.live) { hk = fnode[l.n * uniforms.fw + l.k]; gk = agg[l.n * H + l.k]; }
    workgroupBarrier();
    sP[l.k] = hk;
    sQ[l.k] = gk;
    workgroupBarrier();
    var v = 0.0;
    if (l.live) {
      v = theta[uniforms.n1 + 2 * H * H + l.k];
      for (var c = 0; c < H; c++) { v += sP[c] * theta[uniforms.n1 + c * H + l.k] + sQ[c] * theta[uniforms.n1 + (H + c) * H + l.k]; }
    }
    let dOut = dh * mask[l.n];
    sD[l.k] = dOut;
    workgroupBarrier();
    var dv = 0.0;
    if (l.live) {
      var du = 0.0;
      for (var c = 0; c < H; c++) { du += sD[c] * theta[uniforms.n2 + l.k * H + c]; }
      dv = du * dsilu(v);
    }
    sV[l.k] = dv;
    workgroupBarrier();
    if (l.live) {
      var dhp = dOut;
      var dAgg = 0.0;
      for (var c = 0; c < H; c++) {
        dhp += sV[c] * theta[uniforms.n1 + l.k * H + c];
        dAgg += sV[c] * theta[uniforms.n1 + (H + l.k) * H + c];
      }
      result[row + 2 * H + l.k] = hk;
      result[row + 3 * H + l.k] = gk;
      result[row + 4 * H + l.k] = silu_(v);
      result[row + 5 * H + l.k] = dOut;
      result[row + 6 * H + l.k] = dv;
      result[row + 7 * H + l.k] = dhp;
      result[row + 8 * H + l.k] = dAgg;
    }`,
    parts: [/* wgsl */ `
var<workgroup> sP : array<f32, WG>;
var<workgroup> sQ : array<f32, WG>;
var<workgroup> sD : array<f32, WG>;
var<workgroup> sV : array<f32, WG>;
`],
  },
  // Weight gradients: out[s·(RA + ones) + c, k] = Σ_e A[e, c]·D[e, s·dBlock + k], A with an optional
  // column of ones (the bias row), over all rows e, in 16×16 tiles of the output; written into the
  // flat gradient at outOff.
  reduce: {
    name: 'reduce',
    inputs: ['a', 'd'],
    ints: ['rows', 'aStride', 'aOff', 'RA', 'ones', 'dStride', 'dOff', 'dBlock', 'K', 'outOff', 'tilesR', 'tilesK', 'blocks'],
    kind: 'plain',
    body: `
    let g = i32(workgroupId.x + workgroupId.y * numWorkgroups.x);
    let perBlock = uniforms.tilesR * uniforms.tilesK;
    let s = g / perBlock;
    let tr = (g % perBlock) / uniforms.tilesK;
    let tk = g % uniforms.tilesK;
    let lx = i32(localId.x) % 16;
    let ly = i32(localId.x) / 16;
    let R = uniforms.RA + uniforms.ones;
    let c = tr * 16 + ly;
    let k = tk * 16 + lx;
    var acc = 0.0;
    for (var e0 = 0; e0 < uniforms.rows; e0 += 16) {
      let e = e0 + ly;
      let ac = tr * 16 + lx;
      var av = 0.0;
      if (e < uniforms.rows && ac < R) {
        if (ac == uniforms.RA) { av = 1.0; } else { av = a[e * uniforms.aStride + uniforms.aOff + ac]; }
      }
      tA[ly * 16 + lx] = av;
      var dv = 0.0;
      if (e < uniforms.rows && k < uniforms.K) { dv = d[e * uniforms.dStride + uniforms.dOff + s * uniforms.dBlock + k]; }
      tD[ly * 16 + lx] = dv;
      workgroupBarrier();
      for (var t = 0; t < 16; t++) { acc += tA[t * 16 + ly] * tD[t * 16 + lx]; }
      workgroupBarrier();
    }
    if (c < R && k < uniforms.K) { result[uniforms.outOff + (s * R + c) * uniforms.K + k] = acc; }`,
    parts: [/* wgsl */ `
var<workgroup> tA : array<f32, 256>;
var<workgroup> tD : array<f32, 256>;
`],
  },
} satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;

/** A tfjs-backend-webgpu program for one of the kernels above at lane width WG. */
class EdgeProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  readonly uniforms: string;

  constructor(
    private readonly spec: KernelSpec,
    private readonly lanes: number,
    outputShape: number[],
    workgroups: number,
  ) {
    this.variableNames = spec.inputs;
    this.outputShape = outputShape;
    this.workgroupSize = [spec.kind === 'plain' ? 256 : lanes, 1, 1];
    this.dispatch = [workgroups, 1, 1];
    this.uniforms = [...spec.ints.map((n) => `${n} : i32,`), ...(spec.floats ?? []).map((n) => `${n} : f32,`)].join(' ');
    this.shaderKey = `equimol_${spec.name}_${lanes}`;
  }

  getUserCode(): string {
    const parts = this.spec.kind === 'lanes' ? [PRELUDE, ...(this.spec.parts ?? [])] : (this.spec.parts ?? []);
    // 'plain' kernels are dispatched over their elements; main's index is the invocation's.
    return [`const WG : u32 = ${this.lanes}u;`, ...parts, `fn main(index : i32) {${this.spec.body}\n}`].join('\n');
  }
}

/**
 * Most atoms (B·N) of one pass: one workgroup per atom, within WebGPU's guaranteed workgroups per
 * dimension. Larger passes use the composed ops.
 */
export const MAX_ATOMS = 65535;

/** H rounded up to a power of two: the lanes of one atom's workgroup. */
export function laneWidth(H: number): number {
  let w = 1;
  while (w < H) w *= 2;
  return w;
}

/** Arguments of one kernel launch. */
export interface KernelLaunch {
  inputs: Record<string, tf.TensorInfo>;
  ints: Record<string, number>;
  floats?: Record<string, number>;
  /** Shape of a new output tensor, or an existing one to write into (the flat gradient). */
  output: number[] | tf.TensorInfo;
  workgroups: number;
  /** Hidden width H (sets the lane count of 'lanes' kernels; ignored by 'plain' ones). */
  H: number;
}

const flatInfo = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, shape: [t.shape.reduce((a, b) => a * b, 1)], dtype: t.dtype });

/** Runs one of the network's kernels on the active (webgpu) backend; returns the output's TensorInfo. */
export function launch(kernel: KernelName, args: KernelLaunch): tf.TensorInfo {
  return launchKernel(KERNELS[kernel], args);
}

/** Runs a WGSL kernel on the active (webgpu) backend; returns the output's TensorInfo. */
export function launchKernel(spec: KernelSpec, args: KernelLaunch): tf.TensorInfo {
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const shape = Array.isArray(args.output) ? args.output : args.output.shape;
  const program = new EdgeProgram(spec, laneWidth(args.H), shape, args.workgroups);
  const inputs = spec.inputs.map((name) => {
    const t = args.inputs[name];
    if (!t) throw new Error(`kernel ${spec.name}: missing input ${name}`);
    if (t.dtype !== 'float32') throw new Error(`kernel ${spec.name}: ${name} must be float32, got ${t.dtype}`);
    return flatInfo(t);
  });
  const uniforms: UniformData[] = [
    ...spec.ints.map((n): UniformData => {
      const v = args.ints[n];
      if (v === undefined) throw new Error(`kernel ${spec.name}: missing uniform ${n}`);
      return { type: 'int32', data: [v] };
    }),
    ...(spec.floats ?? []).map((n): UniformData => {
      const v = args.floats?.[n];
      if (v === undefined) throw new Error(`kernel ${spec.name}: missing uniform ${n}`);
      return { type: 'float32', data: [v] };
    }),
  ];
  return backend.runWebGPUProgram(program, inputs, 'float32', uniforms, Array.isArray(args.output) ? undefined : args.output);
}

/** A new, uninitialised float32 tensor on the webgpu backend for kernels to write into. */
export function allocate(shape: number[]): tf.TensorInfo {
  return (tf.backend() as unknown as WebGpuBackendLike).makeTensorInfo(shape, 'float32');
}

/** Whether the active backend is tfjs-backend-webgpu (the only one these kernels run on). */
export function onWebgpuBackend(): boolean {
  return tf.getBackend() === 'webgpu' && typeof (tf.backend() as unknown as Partial<WebGpuBackendLike>).runWebGPUProgram === 'function';
}
