import * as tf from '@tensorflow/tfjs-core';
import { installWasmEdgeKernels } from './wasmEdgeKernels.js';
import { installWasmSharedIdentity } from './wasmSharedIdentity.js';
import type { GpuAdapterSummary } from './gpuAdapter.js';
import { browserWebgpuBackend } from './webgpu.js';

/** A tfjs backend equimol can try, from fastest to most portable. */
export interface BackendCandidate {
  /** equimol's name: 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', … */
  name: string;
  /** The name the backend registers with tfjs ('tensorflow' for both native packages). */
  tfName: string;
  /** Imports and registers the backend; throws if it is not installed, cannot load, or should not be chosen. */
  load: (request: BackendRequest) => Promise<BackendLoaded | void>;
}

/** What a candidate's `load` is told. */
export interface BackendRequest {
  /** The user asked for this backend by name (which admits a CPU-emulated GPU). */
  requested: boolean;
  /** `--gpu N`: which GPU adapter, where the platform lets one choose. */
  gpu?: number;
}

/** What a candidate reports once loaded. */
export interface BackendLoaded {
  /** The GPU adapter a WebGPU backend runs on. */
  adapter?: GpuAdapterSummary;
}

/** Which backend is in use and why. */
export interface BackendChoice {
  name: string;
  reason: string;
  /** One line per candidate that was skipped, e.g. "tensorflow-gpu: not installed". */
  skipped: string[];
  /** Version of tfjs-core in use. */
  tfjsVersion: string;
  /** The GPU adapter, for a WebGPU backend. */
  adapter?: GpuAdapterSummary;
}

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** Force one backend by equimol name (else the EQUIMOL_BACKEND environment variable, else the fastest). */
  preferred?: string;
  /** Where the fallback notice goes (one line); default console.warn. */
  notice?: (line: string) => void;
  /** `--gpu N`: the GPU adapter to use, where there are several. */
  gpu?: number;
}

/** The portable candidates, available everywhere core runs. */
export const portableBackends: BackendCandidate[] = [
  {
    name: 'wasm',
    tfName: 'wasm',
    load: async () => {
      await import('@tensorflow/tfjs-backend-wasm');
      installWasmSharedIdentity();
      installWasmEdgeKernels();
    },
  },
  {
    name: 'cpu',
    tfName: 'cpu',
    load: async () => {
      await import('@tensorflow/tfjs-backend-cpu');
    },
  },
];

/** Candidates in browsers: WebGPU where the browser has it, then wasm and cpu. */
export const browserBackends: BackendCandidate[] = [browserWebgpuBackend, ...portableBackends];

/**
 * The worker threads to use on a backend: `requested`, except on WebGPU, where the threads would each
 * open the same GPU (one device per process is the GPU's way to run in parallel): one, with a notice.
 */
export function workerThreadsFor(backend: string, requested: number, notice: (line: string) => void): number {
  if (backend !== 'webgpu' || requested <= 1) return requested;
  notice(`equimol: ${requested} worker threads do not apply to the webgpu backend; computing in one thread on the GPU`);
  return 1;
}

function environmentPreference(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.EQUIMOL_BACKEND?.trim();
  return v ? v : undefined;
}

/**
 * Activates the first candidate that loads: the preferred one if given (option or EQUIMOL_BACKEND),
 * else in the order given. Candidates that are absent or fail to load are skipped, and one notice
 * line says which backend is used instead and why; only when none works does this throw.
 */
export async function selectBackend(candidates: BackendCandidate[], options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const notice = options.notice ?? ((line: string) => console.warn(line));
  const preferred = options.preferred ?? environmentPreference();
  let order = candidates;
  if (preferred) {
    const match = candidates.find((c) => c.name === preferred);
    if (!match) {
      throw new Error(`unknown backend "${preferred}"; choose one of: ${candidates.map((c) => c.name).join(', ')}`);
    }
    order = [match, ...candidates.filter((c) => c !== match)];
  }
  const skipped: string[] = [];
  for (const candidate of order) {
    try {
      const loaded = await candidate.load({ requested: preferred === candidate.name, ...(options.gpu !== undefined ? { gpu: options.gpu } : {}) });
      const ok = await tf.setBackend(candidate.tfName);
      if (!ok) throw new Error('tfjs could not initialise it');
      await tf.ready();
      if (skipped.length > 0) notice(`equimol: using the ${candidate.name} backend (${skipped.join('; ')})`);
      const reason =
        preferred === candidate.name
          ? `requested (${options.preferred ? 'option' : 'EQUIMOL_BACKEND'})`
          : skipped.length === 0
            ? 'fastest available'
            : `fallback after: ${skipped.join('; ')}`;
      return { name: candidate.name, reason, skipped, tfjsVersion: tf.version_core, ...(loaded?.adapter ? { adapter: loaded.adapter } : {}) };
    } catch (err) {
      const why = describeLoadFailure(err);
      skipped.push(`${candidate.name}: ${why}`);
    }
  }
  throw new Error(`no tfjs backend could be loaded (${skipped.join('; ')})`);
}

function describeLoadFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(message)) return 'not installed';
  return message.split('\n')[0]!.slice(0, 200);
}
