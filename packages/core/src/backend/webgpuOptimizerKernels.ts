import type { KernelSpec } from './webgpuEdgeKernels.js';

// WGSL kernels of the device-resident optimiser (train/deviceOptimizer.ts): a training step's
// clipping, Adam and EMA in three dispatches, where composed tfjs ops took about 80.
//
// The control record, one small float32 tensor that carries what the host does not wait for:
export const CONTROL = {
  /** Adam's step count (steps not skipped). */
  adamStep: 0,
  /** 1 when this step is skipped (non-finite loss or gradient). */
  skip: 1,
  /** The clipping factor applied to this step's gradient (1: not clipped). */
  scale: 2,
  /** This step's [loss, gradNorm, clipped, skipped]. */
  last: 3,
  /** Their sums since the host last read them (a log window). */
  sums: 7,
  /** Recent gradient norms, oldest first; `valid` marks the ones held (the last ones). */
  history: 11,
  valid: 61,
  size: 111,
  capacity: 50,
} as const;

const FINITE = /* wgsl */ `fn finite(v : f32) -> bool { return v == v && abs(v) <= 3.4e38; }`;

export const OPTIMIZER_KERNELS = {
  // Gradient norm of the batch mean (one workgroup), EDM's adaptive clipping threshold 1.5·mean +
  // 2·std of the recent norms, the skip decision and Adam's step count → the next control record.
  control: {
    name: 'control',
    inputs: ['grad', 'loss', 'ctrl'],
    ints: ['P', 'clip'],
    floats: ['B'],
    kind: 'plain',
    parts: [FINITE, 'var<workgroup> part : array<f32, 256>;'],
    body: `
    let k = i32(localId.x);
    var acc = 0.0;
    for (var i = k; i < uniforms.P; i += 256) { let g = grad[i] / uniforms.B; acc += g * g; }
    part[k] = acc;
    workgroupBarrier();
    for (var s = 128; s > 0; s = s / 2) {
      if (k < s) { part[k] = part[k] + part[k + s]; }
      workgroupBarrier();
    }
    if (k != 0) { return; }
    for (var i = 0; i < ${CONTROL.size}; i++) { result[i] = ctrl[i]; }
    let norm = sqrt(part[0]);
    let lossMean = loss[0] / uniforms.B;
    let skip = !(finite(norm) && finite(lossMean));
    var n = 0.0;
    var total = 0.0;
    for (var i = 0; i < ${CONTROL.capacity}; i++) { n += ctrl[${CONTROL.valid} + i]; total += ctrl[${CONTROL.history} + i] * ctrl[${CONTROL.valid} + i]; }
    let mean = total / max(n, 1.0);
    var spread = 0.0;
    for (var i = 0; i < ${CONTROL.capacity}; i++) { let d = ctrl[${CONTROL.history} + i] - mean; spread += d * d * ctrl[${CONTROL.valid} + i]; }
    var deviation = 0.0;
    if (n > 1.0) { deviation = sqrt(spread / (n - 1.0)); }
    let threshold = 1.5 * mean + 2.0 * deviation;
    let clipped = uniforms.clip == 1 && !skip && norm > threshold;
    var scale = 1.0;
    if (clipped) { scale = threshold / (norm + 1e-6); }
    if (uniforms.clip == 1 && !skip) {
      for (var i = 0; i < ${CONTROL.capacity - 1}; i++) {
        result[${CONTROL.history} + i] = ctrl[${CONTROL.history} + i + 1];
        result[${CONTROL.valid} + i] = ctrl[${CONTROL.valid} + i + 1];
      }
      result[${CONTROL.history + CONTROL.capacity - 1}] = select(norm, threshold, clipped);
      result[${CONTROL.valid + CONTROL.capacity - 1}] = 1.0;
    }
    result[${CONTROL.adamStep}] = ctrl[${CONTROL.adamStep}] + select(1.0, 0.0, skip);
    result[${CONTROL.skip}] = select(0.0, 1.0, skip);
    result[${CONTROL.scale}] = scale;
    let last = vec4<f32>(lossMean, norm, select(0.0, 1.0, clipped), select(0.0, 1.0, skip));
    for (var i = 0; i < 4; i++) {
      result[${CONTROL.last} + i] = last[i];
      result[${CONTROL.sums} + i] = ctrl[${CONTROL.sums} + i] + last[i];
    }`,
  },
  // Adam (torch.optim.Adam: L2 weight decay, bias correction, AMSGrad) on the packed state
  // [θ | m | v | vMax], element-wise; a skipped step copies the state.
  adam: {
    name: 'adam',
    inputs: ['state', 'grad', 'ctrl'],
    ints: ['P', 'amsgrad'],
    floats: ['B', 'lr', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
    kind: 'plain',
    body: `
    let i = index;
    if (i >= uniforms.P) { return; }
    let P = uniforms.P;
    let theta = state[i];
    let m0 = state[P + i];
    let v0 = state[2 * P + i];
    let vMax0 = state[3 * P + i];
    if (ctrl[${CONTROL.skip}] == 1.0) {
      result[i] = theta; result[P + i] = m0; result[2 * P + i] = v0; result[3 * P + i] = vMax0;
      return;
    }
    let g = grad[i] / uniforms.B * ctrl[${CONTROL.scale}] + uniforms.weightDecay * theta;
    let m = uniforms.beta1 * m0 + (1.0 - uniforms.beta1) * g;
    let v = uniforms.beta2 * v0 + (1.0 - uniforms.beta2) * g * g;
    var vMax = vMax0;
    var second = v;
    if (uniforms.amsgrad == 1) { vMax = max(vMax0, v); second = vMax; }
    let t = ctrl[${CONTROL.adamStep}];
    let c1 = 1.0 - pow(uniforms.beta1, t);
    let c2 = sqrt(1.0 - pow(uniforms.beta2, t));
    result[i] = theta - (uniforms.lr / c1) * m / (sqrt(second) / c2 + uniforms.epsilon);
    result[P + i] = m;
    result[2 * P + i] = v;
    result[3 * P + i] = vMax;`,
  },
  // θ_ema ← decay·θ_ema + (1 − decay)·θ, unless the step was skipped.
  ema: {
    name: 'ema',
    inputs: ['ema', 'state', 'ctrl'],
    ints: ['P'],
    floats: ['decay'],
    kind: 'plain',
    body: `
    let i = index;
    if (i >= uniforms.P) { return; }
    if (ctrl[${CONTROL.skip}] == 1.0) { result[i] = ema[i]; return; }
    result[i] = uniforms.decay * ema[i] + (1.0 - uniforms.decay) * state[i];`,
  },
} satisfies Record<string, KernelSpec>;
