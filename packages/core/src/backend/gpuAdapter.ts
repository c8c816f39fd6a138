import { EquimolError } from '../errors.js';
// GPU adapters as WebGPU describes them, in browsers and in Node (Dawn). Free of tfjs, so that a
// probe process can use it cheaply. Only the few WebGPU members equimol touches are typed here, so
// that core builds without the WebGPU type package.

/** What a WebGPU adapter says about itself (GPUAdapterInfo). */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (WebGPU's fallback adapter, e.g. SwiftShader), not a GPU. */
  isFallbackAdapter?: boolean;
}

/** The adapter a WebGPU backend runs on, as `equimol info` and the bench report it. */
export interface GpuAdapterSummary extends GpuAdapterInfo {
  /** A CPU emulator (SwiftShader or a fallback adapter): correct but far slower than the CPU backends. */
  emulator: boolean;
  /** Largest storage-buffer binding and buffer the device accepts, in bytes. */
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** The subset of GPUAdapter that equimol uses. */
export interface GpuAdapterLike {
  readonly info?: GpuAdapterInfo;
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}

/** The subset of GPU (`navigator.gpu`) that equimol uses. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

/** A WebGPU adapter could not be had or is not the one to use; the message says why. */
export class WebGpuUnavailableError extends EquimolError {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

/**
 * SwiftShader (vendor `google`, architecture `swiftshader`) and any fallback adapter run the shaders
 * on CPU cores: fine for testing the GPU code, never worth choosing over wasm automatically.
 */
export function isEmulatorAdapter(info: GpuAdapterInfo): boolean {
  if (info.isFallbackAdapter === true) return true;
  return /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.device} ${info.description}`);
}

/** One line for an adapter: "vendor google, device swiftshader-device-subzero- (swiftshader), driver SwiftShader driver 5.0.0, CPU emulator". */
export function describeAdapter(a: GpuAdapterInfo): string {
  const device = `${a.device || '?'}${a.architecture ? ` (${a.architecture})` : ''}`;
  return `vendor ${a.vendor || '?'}, device ${device}, driver ${a.description || '?'}${isEmulatorAdapter(a) ? ', CPU emulator' : ''}`;
}

/** The adapter's info as plain data (GPUAdapterInfo's fields are getters, invisible to JSON). */
export function adapterInfo(adapter: Pick<GpuAdapterLike, 'info' | 'isFallbackAdapter'>): GpuAdapterInfo {
  const info: GpuAdapterInfo = adapter.info ?? { vendor: '', architecture: '', device: '', description: '' };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    // Newer WebGPU moved the flag from the adapter to its info.
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
  };
}

/** The adapter's info with what equimol derives from it and the limits that bound batch sizes. */
export function summariseAdapter(info: GpuAdapterInfo, limits: Record<string, number>): GpuAdapterSummary {
  return {
    ...info,
    emulator: isEmulatorAdapter(info),
    maxStorageBufferBindingSize: limits['maxStorageBufferBindingSize'] ?? 0,
    maxBufferSize: limits['maxBufferSize'] ?? 0,
  };
}
