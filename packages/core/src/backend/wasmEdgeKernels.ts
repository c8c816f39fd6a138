import * as tf from '@tensorflow/tfjs-core';
import { edgeKernelsWasmBase64 } from './edgeKernelsBinary.js';

// Fused edge kernels of the EGNN for inference on tfjs-wasm (source: packages/core/kernels/edgeKernels.c).
//
// Why: a forward pass spends about half its time on element-wise passes over [B·N·N, H] edge tensors
// (broadcast sums, sigmoid and product of SiLU, attention gate, masks, neighbour sums) and on the
// engine's per-kernel overhead (docs/benchmarks.md). These kernels do each edge stage in one pass, in
// SIMD, on the tensors' own memory: the module imports the wasm backend's WebAssembly.Memory, so
// inputs are read and outputs written where tfjs keeps them, without copies. They have no gradients;
// training uses the composed tfjs ops (model/egnnEdges.ts), which are also the reference in tests.

export const EDGE_KERNELS = {
  pairSquaredDistances: 'EquimolPairSquaredDistances',
  edgeInputSilu: 'EquimolEdgeInputSilu',
  gatedMessageSum: 'EquimolGatedMessageSum',
  coordinateUpdate: 'EquimolCoordinateUpdate',
} as const;

interface EdgeKernelExports {
  pair_squared_distances(radial: number, x: number, B: number, N: number): void;
  edge_input_silu(
    out: number, P: number, Q: number, radial: number, radial0: number,
    wr: number, wr0: number, bias: number, edgeMask: number, B: number, N: number, H: number,
  ): void;
  gated_message_sum(
    agg: number, pre: number, bias: number, attW: number, attB: number, edgeMask: number,
    scratch: number, B: number, N: number, H: number, attention: number, normalization: number,
  ): void;
  coordinate_update(
    xOut: number, x: number, pre: number, bias: number, outW: number, radial: number, edgeMask: number,
    nodeMask: number, B: number, N: number, H: number, useTanh: number, coordsRange: number,
    normConstant: number, normalization: number,
  ): void;
}

/** The parts of tfjs-wasm's backend these kernels use (public methods of BackendWasm). */
interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, EdgeKernelExports>();

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The kernels instantiated on this backend's memory (compiled once; 4.6 kB, so synchronously). */
function kernelsFor(backend: WasmBackend): EdgeKernelExports {
  const memory = backend.wasm.asm.memory;
  let exports = instances.get(memory);
  if (!exports) {
    compiled ??= new WebAssembly.Module(decodeBase64(edgeKernelsWasmBase64) as BufferSource);
    exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as EdgeKernelExports;
    instances.set(memory, exports);
  }
  return exports;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function prepare(args: KernelArgs): {
  backend: WasmBackend;
  kernels: EdgeKernelExports;
  ptr: (name: string) => number;
  attr: (name: string) => number;
} {
  const backend = args.backend as WasmBackend;
  for (const [name, t] of Object.entries(args.inputs)) {
    if (t && t.dtype !== 'float32') throw new Error(`${name} must be float32, got ${t.dtype}`);
  }
  return {
    backend,
    kernels: kernelsFor(backend),
    ptr: (name) => {
      const t = args.inputs[name];
      return t ? backend.getMemoryOffset(t.dataId) : 0;
    },
    attr: (name) => Number(args.attrs?.[name]),
  };
}

function output(backend: WasmBackend, shape: number[]): { info: tf.TensorInfo; ptr: number } {
  const info = backend.makeOutput(shape, 'float32');
  return { info, ptr: backend.getMemoryOffset(info.dataId) };
}

const kernelFuncs: Record<keyof typeof EDGE_KERNELS, (args: KernelArgs) => tf.TensorInfo> = {
  // x [B, N, 3] → ‖x_i − x_j‖² [B·N·N, 1]
  pairSquaredDistances(args) {
    const { backend, kernels, ptr } = prepare(args);
    const [B, N] = args.inputs['x']!.shape as [number, number, number];
    const out = output(backend, [B * N * N, 1]);
    kernels.pair_squared_distances(out.ptr, ptr('x'), B, N);
    return out.info;
  },
  // silu(P_i + Q_j + [r, r0]·w[2H:2H+2] + b), 0 on masked edges → [B·N·N, H]
  edgeInputSilu(args) {
    const { backend, kernels, ptr, attr } = prepare(args);
    const [B, N] = [attr('B'), attr('N')];
    const H = args.inputs['P']!.shape[1]!;
    const out = output(backend, [B * N * N, H]);
    const w = ptr('w');
    kernels.edge_input_silu(out.ptr, ptr('P'), ptr('Q'), ptr('radial'), ptr('radial0'),
      w + 4 * 2 * H * H, w + 4 * (2 * H + 1) * H, ptr('b'), ptr('edgeMask'), B, N, H);
    return out.info;
  },
  // Σ_j sigmoid(silu(pre + b)·attW + attB)·mask·silu(pre + b) / normalization → [B·N, H]
  gatedMessageSum(args) {
    const { backend, kernels, ptr, attr } = prepare(args);
    const [B, N] = [attr('B'), attr('N')];
    const H = args.inputs['pre']!.shape[1]!;
    const out = output(backend, [B * N, H]);
    const scratch = output(backend, [H]);
    kernels.gated_message_sum(out.ptr, ptr('pre'), ptr('b'), ptr('attW'), ptr('attB'), ptr('edgeMask'),
      scratch.ptr, B, N, H, args.inputs['attW'] ? 1 : 0, attr('normalization'));
    backend.disposeData(scratch.info.dataId);
    return out.info;
  },
  // EDM's coordinate update from the second-layer pre-activations of its MLP → [B, N, 3]
  coordinateUpdate(args) {
    const { backend, kernels, ptr, attr } = prepare(args);
    const [B, N] = args.inputs['x']!.shape as [number, number, number];
    const H = args.inputs['pre']!.shape[1]!;
    const out = output(backend, [B, N, 3]);
    kernels.coordinate_update(out.ptr, ptr('x'), ptr('pre'), ptr('b'), ptr('outW'), ptr('radial'),
      ptr('edgeMask'), ptr('nodeMask'), B, N, H, attr('useTanh'), attr('coordsRange'), attr('normConstant'),
      attr('normalization'));
    return out.info;
  },
};

let installed = false;

/** Registers the fused edge kernels for the wasm backend. Idempotent. */
export function installWasmEdgeKernels(): void {
  if (installed) return;
  for (const [key, kernelName] of Object.entries(EDGE_KERNELS)) {
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: kernelFuncs[key as keyof typeof EDGE_KERNELS] as tf.KernelFunc,
    });
  }
  installed = true;
}

/**
 * Whether the active backend runs the fused edge kernels: wasm with its single-threaded build (the
 * module declares unshared memory, so tfjs-wasm's multi-threaded build keeps the composed ops) and a
 * hidden width that is a multiple of 4.
 */
export function fusedEdgeKernelsAvailable(hiddenSize: number): boolean {
  if (hiddenSize % 4 !== 0 || tf.getKernel(EDGE_KERNELS.edgeInputSilu, tf.getBackend()) === undefined) return false;
  const memory = (tf.backend() as unknown as Partial<WasmBackend>).wasm?.asm?.memory;
  return memory !== undefined && !(typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer);
}
