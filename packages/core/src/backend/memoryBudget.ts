import * as tf from '@tensorflow/tfjs-core';
import { estimatePeakBytes, largestTensorBytes, type NetworkSize, type PassKind } from '../model/memoryEstimate.js';
import { EquimolError } from '../errors.js';

/** How much memory one pass may take on a backend. */
export interface MemoryBudget {
  backend: string;
  /** What the backend can hold at most (the wasm heap's cap; a GPU's reported memory). */
  limitBytes: number;
  /** The share of it a pass may plan for: the rest is headroom for allocator fragmentation. */
  usableBytes: number;
  /** Largest single tensor the backend accepts (a GPU's maxBufferSize); Infinity where none. */
  maxTensorBytes: number;
}

const GiB = 1024 ** 3;
/** tfjs-wasm is built with a 4 GB maximum heap; growing past it aborts the instance. */
const WASM_HEAP_BYTES = 4 * GiB;
/** Half the limit: the heap reached 0.9 of the estimate, and freed blocks of other sizes fragment it. */
const HEADROOM = 0.5;

/**
 * The memory budget of a backend (default: the active one). wasm and cpu are held to the wasm
 * heap's 4 GB so that a run planned on one fits the other; native TensorFlow's memory is not known
 * to tfjs, so it gets 16 GB. WebGPU reports no device memory either (4 GB is assumed), but it does
 * report the largest buffer it accepts, which bounds the largest tensor of a pass.
 */
export function memoryBudget(backend: string = tf.getBackend()): MemoryBudget {
  const limitBytes = backend === 'tensorflow' ? 16 * GiB : WASM_HEAP_BYTES;
  return { backend, limitBytes, usableBytes: limitBytes * HEADROOM, maxTensorBytes: backend === 'webgpu' ? gpuBufferLimit() : Infinity };
}

/** min(maxStorageBufferBindingSize, maxBufferSize) of the active WebGPU device, Infinity when unknown. */
function gpuBufferLimit(): number {
  const limits = tf.getBackend() === 'webgpu' ? (tf.backend() as { device?: { limits?: Record<string, number> } }).device?.limits : undefined;
  const values = [limits?.['maxStorageBufferBindingSize'], limits?.['maxBufferSize']].filter((v): v is number => typeof v === 'number');
  return values.length > 0 ? Math.min(...values) : Infinity;
}

/** Whether `molecules` molecules of `atoms` atoms fit one pass within the budget. */
export function passFits(network: NetworkSize, molecules: number, atoms: number, kind: PassKind, budget: MemoryBudget): boolean {
  const shape = { molecules, atoms };
  return estimatePeakBytes(network, shape, kind) <= budget.usableBytes && largestTensorBytes(network, shape) <= budget.maxTensorBytes;
}

/**
 * The largest micro-batch (at most `cap`) of molecules padded to `atoms` that fits the budget; 0 when
 * not even one molecule fits.
 */
export function largestMicroBatch(network: NetworkSize, atoms: number, kind: PassKind, budget: MemoryBudget, cap: number): number {
  let lo = 0;
  let hi = Math.max(0, cap);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (passFits(network, mid, atoms, kind, budget)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A micro-batch size, or 'auto': the largest that fits the backend's memory budget. */
export type MicroBatchSetting = number | 'auto';

/** Thrown before any work starts when a single molecule does not fit the backend's memory. */
export class MoleculeTooLargeError extends EquimolError {
  constructor(
    readonly what: string,
    readonly atoms: number,
    readonly neededBytes: number,
    readonly budget: MemoryBudget,
  ) {
    super(
      `${what} has ${atoms} atoms: one ${atoms === 1 ? 'atom' : 'molecule'} of that size needs ${formatBytes(neededBytes)} per pass, ` +
        `more than the ${budget.backend} backend allows (${formatBytes(budget.usableBytes)} of its ${formatBytes(budget.limitBytes)}); ` +
        'use a smaller network (--hidden, --layers) or leave out the largest molecules',
      { kind: 'usage' },
    );
    this.name = 'MoleculeTooLargeError';
  }
}

/**
 * The micro-batch for a group of molecules of `atoms` atoms: the setting itself when it is a
 * number, else the largest that fits. Throws MoleculeTooLargeError (naming `what`) when even one
 * molecule does not fit.
 */
export function resolveMicroBatch(
  setting: MicroBatchSetting,
  network: NetworkSize,
  atoms: number,
  kind: PassKind,
  budget: MemoryBudget,
  cap: number,
  what = `a molecule`,
): number {
  if (setting !== 'auto') return Math.min(setting, cap);
  const size = largestMicroBatch(network, atoms, kind, budget, cap);
  if (size === 0) throw new MoleculeTooLargeError(what, atoms, estimatePeakBytes(network, { molecules: 1, atoms }, kind), budget);
  return size;
}

function formatBytes(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}
