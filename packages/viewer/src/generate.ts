// In-browser generation: the page runs @equimol/core's sampler with the served model in a worker
// (generateWorker.ts), on WebGPU where the browser has a usable GPU adapter, else on tfjs's wasm
// backend. This module is the UI's only view of it.
import type { HeldAtoms, Trajectory, TrajectoryFrame, TrajectoryMolecule } from '@equimol/core';

/** What the Generate form asks for. */
export interface GenerateOptions {
  /** Molecules to sample. */
  count: number;
  /** Denoising steps (fewer is faster and noisier; default the model's T). */
  steps: number;
  seed: number;
  /** Atoms per molecule; drawn from the model's atom-count histogram when omitted. */
  atomCount?: number;
  /** Frames of the chain to keep per molecule, evenly spaced from noise to sample. */
  frames: number;
  /** Atoms to hold (inpainting, core's `fixed`): they come first in every molecule, at these coordinates. */
  fixed?: HeldAtoms;
  /** With `fixed`: RePaint resampling jumps (core's `resample`). */
  resample?: number;
}

/** Reported as each molecule's chain finishes: the molecule, and how many are done. */
export interface GenerateProgress {
  molecule: TrajectoryMolecule;
  done: number;
  total: number;
}

/** What `generate` reports while it runs. */
export interface GenerateListener {
  /** A frame of molecule `index`'s chain, as soon as the sampler keeps it (noise first, sample last). */
  frame(index: number, frame: TrajectoryFrame): void;
  /** Molecule `p.molecule.index` is done: core's trajectory of it, whose frames are the ones streamed. */
  molecule(p: GenerateProgress): void;
}

/** A loaded model that can sample in this page. */
export interface MoleculeGenerator {
  /** Model name and the tfjs backend in use, for the UI. */
  readonly description: string;
  /** The tfjs backend the worker samples on: 'webgpu', 'wasm' (or 'cpu' where neither loads). */
  readonly backend: string;
  /** Samples, reporting each frame as it is made and each molecule as its chain ends; resolves to the whole trajectory. */
  generate(options: GenerateOptions, listener: GenerateListener): Promise<Trajectory>;
  /** Stops the worker for good: a generation in progress rejects with `reason`, later ones at once. */
  dispose(reason?: string): void;
}

/** Why generation cannot run here (shown on the disabled Generate button). */
export class GenerationUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'GenerationUnavailableError';
  }
}

/** The backends Generate can be forced onto with `?backend=` (else WebGPU on a real GPU, then wasm). */
export const GENERATE_BACKENDS = ['webgpu', 'wasm'] as const;
export type GenerateBackend = (typeof GENERATE_BACKENDS)[number];

/**
 * The backend the page's `?backend=webgpu|wasm` forces, or undefined for the automatic choice: WebGPU
 * where the browser has a usable GPU adapter (a CPU emulator such as SwiftShader only when forced),
 * else wasm. Anything else is a `GenerationUnavailableError` naming the choices.
 */
export function requestedBackend(search: string): GenerateBackend | undefined {
  const value = new URLSearchParams(search).get('backend');
  if (value === null || value === '') return undefined;
  if ((GENERATE_BACKENDS as readonly string[]).includes(value)) return value as GenerateBackend;
  throw new GenerationUnavailableError(`?backend=${value} is not a backend Generate can use; choose ${GENERATE_BACKENDS.join(' or ')}`);
}

/** Messages to the worker. */
export type WorkerRequest = { type: 'load'; id: number; modelUrl: string; backend?: GenerateBackend } | { type: 'generate'; id: number; options: GenerateOptions };

/** Messages from the worker. */
export type WorkerResponse =
  | { type: 'loaded'; id: number; name: string; description: string; backend: string }
  | { type: 'frame'; id: number; index: number; frame: TrajectoryFrame }
  | { type: 'molecule'; id: number; molecule: TrajectoryMolecule; done: number; total: number }
  | { type: 'done'; id: number }
  | { type: 'error'; id: number; message: string };

/** The served model's name, or a `GenerationUnavailableError` saying why there is none (cheap: reads model.json only). */
export async function probeModel(modelUrl: string): Promise<string> {
  const base = modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`;
  let response: Response;
  try {
    response = await fetch(`${base}model.json`);
  } catch (e) {
    throw new GenerationUnavailableError(`no model at ${base}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new GenerationUnavailableError(`no model served at ${base}model.json (HTTP ${response.status}); start the viewer with a model to generate`);
  const meta = (await response.json()) as { format?: string; name?: string };
  if (meta.format !== 'equimol-model') throw new GenerationUnavailableError(`${base}model.json is not an equimol model`);
  return meta.name ?? 'model';
}

/**
 * Starts the sampling worker and loads the model served at `modelUrl` (a directory URL holding
 * `model.json` and its `weights.bin`) on `backend`, or on WebGPU where the browser has a usable GPU
 * adapter, else wasm.
 */
export async function loadGenerator(modelUrl: string, backend?: GenerateBackend): Promise<MoleculeGenerator> {
  const worker = new Worker(new URL('./generateWorker.ts', import.meta.url), { type: 'module', name: 'equimol-sampler' });
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void; listener?: GenerateListener }>();
  // Once the worker has failed or been disposed, every call fails with why; nothing waits forever.
  let stopped: Error | undefined;
  const stop = (error: Error) => {
    if (stopped) return;
    stopped = error;
    worker.terminate();
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
    const r = event.data;
    const p = pending.get(r.id);
    if (!p) return;
    if (r.type === 'frame') return p.listener?.frame(r.index, r.frame);
    if (r.type === 'molecule') return p.listener?.molecule({ molecule: r.molecule, done: r.done, total: r.total });
    pending.delete(r.id);
    if (r.type === 'error') p.reject(new Error(r.message));
    else p.resolve(r);
  };
  // An exception the worker did not catch is an ErrorEvent with its message; a worker script that
  // cannot be fetched or parsed is a plain Event with none.
  worker.onerror = (event: ErrorEvent | Event) => {
    const message = event instanceof ErrorEvent ? event.message : undefined;
    stop(new Error(message ? `the sampling worker crashed: ${message}` : 'the sampling worker could not be started (its script failed to load)'));
  };
  worker.onmessageerror = () => stop(new Error('the sampling worker sent a message the page cannot read'));
  const call = (request: WorkerRequest, listener?: GenerateListener) =>
    new Promise<WorkerResponse>((resolve, reject) => {
      if (stopped) return reject(stopped);
      pending.set(request.id, listener ? { resolve, reject, listener } : { resolve, reject });
      worker.postMessage(request);
    });

  let loaded: WorkerResponse;
  try {
    loaded = await call({ type: 'load', id: nextId++, modelUrl: new URL(modelUrl, location.href).href, ...(backend ? { backend } : {}) });
    if (loaded.type !== 'loaded') throw new Error('unexpected answer from the sampling worker');
  } catch (e) {
    // Nobody will use this worker: let it go with the model it may hold.
    stop(e as Error);
    throw e;
  }
  return {
    description: `${loaded.name} (tfjs ${loaded.backend})`,
    backend: loaded.backend,
    async generate(options, listener) {
      const molecules: TrajectoryMolecule[] = [];
      const done = await call(
        { type: 'generate', id: nextId++, options },
        {
          frame: (index, frame) => listener.frame(index, frame),
          molecule: (p) => {
            molecules.push(p.molecule);
            listener.molecule(p);
          },
        },
      );
      if (done.type !== 'done') throw new Error('unexpected answer from the sampling worker');
      return { molecules };
    },
    dispose(reason = 'generation stopped') {
      stop(new Error(reason));
    },
  };
}
