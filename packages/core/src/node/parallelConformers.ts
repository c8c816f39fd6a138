import { type ConformerOptions, conformerFromSmiles } from '../chem/conformers.js';
import type { Molecule } from '../chem/molecule.js';
import { registerOpenchemlibResources } from './openchemlibResources.js';
import { WorkerPool, type WorkerReply } from './workerPool.js';

/** One input of conformer generation: a SMILES and an optional name (e.g. the second column of a .smi file). */
export interface ConformerJob {
  smiles: string;
  name?: string;
}

/** The outcome for one input, in input order: a conformer, or why there is none. */
export interface ConformerOutcome {
  /** 0-based position of the job in the input. */
  index: number;
  smiles: string;
  name?: string;
  molecule?: Molecule;
  /** MMFF94s+ energy in kcal/mol, when the force field gives one. */
  energy?: number;
  /** Why the conformer was not minimised (it is still returned). */
  warning?: string;
  /** Why there is no conformer. */
  error?: string;
}

/** Options of `generateConformers`. */
export interface GenerateConformersOptions extends Omit<ConformerOptions, 'seed'> {
  /** Base seed: job i uses seed + i, so results do not depend on the number of workers. */
  seed?: number;
  /** Worker threads (default 1: in this thread). */
  workers?: number;
}

const CHUNK = 8;

/** Conformer of one job; failures become outcomes with an `error`, so one bad SMILES does not stop a file. */
export function conformerOutcome(job: ConformerJob, index: number, options: GenerateConformersOptions): ConformerOutcome {
  const base: ConformerOutcome = { index, smiles: job.smiles, ...(job.name !== undefined ? { name: job.name } : {}) };
  try {
    const { workers: _workers, seed, ...rest } = options;
    const conformer = conformerFromSmiles(job.smiles, { ...rest, seed: (seed ?? 0) + index });
    const out: ConformerOutcome = { ...base, molecule: conformer.molecule };
    if (conformer.energy !== undefined) out.energy = conformer.energy;
    if (conformer.warning !== undefined) out.warning = conformer.warning;
    return out;
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
}

/**
 * 3D conformers (openchemlib + MMFF94s+) for many SMILES, on `workers` threads, yielded in input
 * order as they become available. Job i's conformer depends only on (seed, i).
 */
export async function* generateConformers(jobs: readonly ConformerJob[], options: GenerateConformersOptions = {}): AsyncGenerator<ConformerOutcome> {
  const workers = Math.max(1, Math.min(options.workers ?? 1, Math.ceil(jobs.length / CHUNK)));
  if (workers <= 1) {
    registerOpenchemlibResources();
    for (let i = 0; i < jobs.length; i++) yield conformerOutcome(jobs[i]!, i, options);
    return;
  }
  const chunks = Math.ceil(jobs.length / CHUNK);
  const done = new Map<number, ConformerOutcome[]>();
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  const pool = await WorkerPool.start(new URL('./conformerWorker.js', import.meta.url), workers, { kind: 'init' }, 'conformer worker');
  let nextToSend = 0;
  // Each worker takes the next chunk as soon as it is free, so a slow molecule holds up only its own worker.
  const feed = async (k: number): Promise<void> => {
    while (nextToSend < chunks && !failure) {
      const chunk = nextToSend++;
      const start = chunk * CHUNK;
      const message = { kind: 'chunk', start, jobs: jobs.slice(start, start + CHUNK), options: { ...options, workers: 1 } };
      done.set(chunk, (await pool.request<WorkerReply & { outcomes: ConformerOutcome[] }>(k, message)).outcomes);
      notify();
    }
  };
  for (let k = 0; k < workers; k++) {
    feed(k).catch((err: Error) => {
      failure ??= err;
      notify();
    });
  }
  try {
    for (let chunk = 0; chunk < chunks; chunk++) {
      while (!done.has(chunk)) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const outcomes = done.get(chunk)!;
      done.delete(chunk);
      yield* outcomes;
    }
  } finally {
    await pool.dispose();
  }
}
