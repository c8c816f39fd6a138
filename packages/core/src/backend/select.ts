import * as tf from '@tensorflow/tfjs-core';
import { installWasmEdgeKernels } from './wasmEdgeKernels.js';
import { installWasmKernelOverrides } from './wasmKernels.js';

/** A tfjs backend equimol can try, from fastest to most portable. */
export interface BackendCandidate {
  /** equimol's name: 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', … */
  name: string;
  /** The name the backend registers with tfjs ('tensorflow' for both native packages). */
  tfName: string;
  /** Imports and registers the backend; throws if it is not installed or cannot load. */
  load: () => Promise<void>;
}

/** Which backend is in use and why. */
export interface BackendChoice {
  name: string;
  reason: string;
  /** One line per candidate that was skipped, e.g. "tensorflow-gpu: not installed". */
  skipped: string[];
  /** Version of tfjs-core in use. */
  tfjsVersion: string;
}

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** Force one backend by equimol name (else the EQUIMOL_BACKEND environment variable, else the fastest). */
  preferred?: string;
  /** Where the fallback notice goes (one line); default console.warn. */
  notice?: (line: string) => void;
}

/** The portable candidates, available everywhere core runs. */
export const portableBackends: BackendCandidate[] = [
  {
    name: 'wasm',
    tfName: 'wasm',
    load: async () => {
      await import('@tensorflow/tfjs-backend-wasm');
      installWasmKernelOverrides();
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
      await candidate.load();
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
      return { name: candidate.name, reason, skipped, tfjsVersion: tf.version_core };
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
