import * as tf from '@tensorflow/tfjs-core';
import { adapterInfo, describeAdapter, type GpuAdapterInfo, type GpuLike, isEmulatorAdapter, summariseAdapter, WebGpuUnavailableError } from './gpuAdapter.js';
import type { BackendCandidate, BackendRequest } from './select.js';

// The WebGPU backend: tfjs-backend-webgpu on a GPU adapter from `navigator.gpu` (browsers) or from
// Dawn's Node bindings (the `webgpu` package, see node/dawn.ts).

// The device limits tfjs-backend-webgpu's own factory asks for: the adapter's, not WebGPU's defaults
// (128 MiB bindings), so that large batches fit.
const DEVICE_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

/** tfjs-backend-webgpu's backend class, typed without the WebGPU type package. */
type WebGpuBackendClass = new (device: unknown, adapterInfo?: GpuAdapterInfo) => tf.KernelBackend;

// A literal specifier, so that bundlers ship it to browsers as a lazy chunk.
async function importTfjsWebgpu(): Promise<{ WebGPUBackend: WebGpuBackendClass }> {
  const module = await import('@tensorflow/tfjs-backend-webgpu');
  return { WebGPUBackend: module.WebGPUBackend as unknown as WebGpuBackendClass };
}

// WebGPUBackend refuses to start unless navigator.gpu exists, which Node lacks (Node 20) or has
// without `gpu`. Set only once the adapter is accepted: Dawn keeps a process alive while it is referenced.
function exposeAsNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu === gpu) return;
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

/** How a platform provides WebGPU to the `webgpu` backend candidate. */
export interface WebGpuPlatform {
  /** The GPU object (navigator.gpu or Dawn's), on adapter `index` where one can be chosen. */
  gpu: (index: number | undefined) => Promise<GpuLike>;
  /**
   * For automatic selection: the adapter's info without opening WebGPU in this process, or null if
   * there is none. Node probes in a child process, where driver noise and crashes cannot reach the user.
   */
  probe?: (index: number | undefined) => Promise<GpuAdapterInfo | null>;
}

/**
 * The `webgpu` backend candidate on the GPU the platform provides (given `--gpu N`, if any). A real GPU
 * is used whenever it loads; a CPU emulator only when the webgpu backend was asked for by name.
 */
export function webgpuBackend(platform: WebGpuPlatform): BackendCandidate {
  const { gpu, probe } = platform;
  return {
    name: 'webgpu',
    tfName: 'webgpu',
    async load(request: BackendRequest) {
      if (probe && !request.requested) {
        const info = await probe(request.gpu);
        if (!info) throw new WebGpuUnavailableError('no WebGPU adapter (no usable GPU driver)');
        if (isEmulatorAdapter(info)) throw emulatorNotAsked(info);
      }
      const source = await gpu(request.gpu);
      const adapter = await source.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) throw new WebGpuUnavailableError('no WebGPU adapter (no usable GPU driver)');
      const summary = summariseAdapter(adapterInfo(adapter), adapter.limits);
      if (summary.emulator && !request.requested) throw emulatorNotAsked(summary);
      const { WebGPUBackend } = await importTfjsWebgpu();
      const requiredLimits = Object.fromEntries(DEVICE_LIMITS.filter((k) => adapter.limits[k] !== undefined).map((k) => [k, adapter.limits[k]]));
      const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
      const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
      exposeAsNavigatorGpu(source);
      // Re-registered on every load, so that a new selection (another --gpu) gets its own device.
      if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
      // Priority 0: tfjs never picks it on its own; selectBackend sets it explicitly.
      tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 0);
      return { adapter: summary };
    },
  };
}

function emulatorNotAsked(info: GpuAdapterInfo): WebGpuUnavailableError {
  return new WebGpuUnavailableError(`only a CPU emulator (${describeAdapter(info)}); ask for it with --backend webgpu`);
}

/** `webgpu` on `navigator.gpu`, where the browser (or worker) has it; browsers expose one adapter. */
export const browserWebgpuBackend: BackendCandidate = webgpuBackend({
  gpu: async (index) => {
    const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
    if (!gpu) throw new WebGpuUnavailableError('this browser has no WebGPU (navigator.gpu)');
    if (index !== undefined && index > 0) throw new WebGpuUnavailableError(`a browser exposes one GPU adapter; GPU ${index} cannot be chosen`);
    return gpu;
  },
});

/** Counts compute dispatches (`dispatchWorkgroups`) of this thread, for the bench's dispatch rows. */
export interface DispatchCounter {
  /** Dispatches since the counter was made. */
  readonly count: number;
}

let dispatches = 0;
let counting = false;

/**
 * Starts counting every `dispatchWorkgroups` call on the WebGPU compute passes of this thread (by
 * wrapping GPUComputePassEncoder's prototype once). Dispatch counts do not depend on the hardware.
 */
export function countDispatches(): DispatchCounter {
  if (!counting) {
    const encoder = (globalThis as unknown as { GPUComputePassEncoder?: { prototype: Record<string, unknown> } }).GPUComputePassEncoder;
    if (!encoder) throw new WebGpuUnavailableError('no WebGPU in this thread (GPUComputePassEncoder is not defined)');
    for (const method of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
      const original = encoder.prototype[method] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof original !== 'function') continue;
      encoder.prototype[method] = function (this: unknown, ...args: unknown[]) {
        dispatches++;
        return original.apply(this, args);
      };
    }
    counting = true;
  }
  const start = dispatches;
  return {
    get count() {
      return dispatches - start;
    },
  };
}

/** GPU memory of the WebGPU backend, in bytes (zero on other backends). */
export interface GpuMemory {
  /** Allocated by tfjs-webgpu's buffer pool, which never returns a buffer to the device: its peak. */
  allocated: number;
  /** Held by live tensors now. */
  inUse: number;
}

/** GPU memory of the active backend (tf.memory()'s WebGPU fields). */
export function gpuMemory(): GpuMemory {
  const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number; numBytesInGPU?: number };
  return { allocated: m.numBytesAllocatedInGPU ?? 0, inUse: m.numBytesInGPU ?? 0 };
}
