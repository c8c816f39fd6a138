import type { SampleOptions, SampleResult } from '../pipeline/sampleMolecules.js';
import { sampleMolecules } from '../pipeline/sampleMolecules.js';
import { loadModelDirectory } from './modelFiles.js';
import type { SamplingUpdate } from './samplingWorker.js';
import { WorkerPool, type WorkerReply } from './workerPool.js';

/**
 * Samples with a model directory on `workers` threads (each its own tfjs backend). Molecule i's
 * randomness depends only on (seed, i), so the result is the same as one thread's, in the same order.
 * `onFrame` is forwarded from the workers: each molecule's frames arrive in order, but frames of
 * molecules on different workers interleave.
 */
export async function sampleMoleculesParallel(
  modelDir: string,
  options: SampleOptions,
  workers: number,
  backend?: string,
): Promise<SampleResult> {
  const total = options.count;
  const start = options.startIndex ?? 0;
  // Functions cannot be posted to a worker (DataCloneError); the callbacks stay here.
  const { onProgress, onFrame, ...plain } = options;
  const per = Math.ceil(total / Math.max(1, Math.min(workers, total)));
  // No worker without molecules (5 molecules on 4 workers: 2 + 2 + 1).
  const n = per > 0 ? Math.ceil(total / per) : 1;
  if (n === 1) return sampleMolecules(await loadModelDirectory(modelDir), options);
  const progress = new Array<number>(n).fill(0);
  const onUpdate = (w: number) => (u: unknown): void => {
    const update = u as SamplingUpdate;
    if ('frame' in update) {
      onFrame?.(update.index, update.frame);
    } else {
      progress[w] = update.progress;
      onProgress?.(progress.reduce((a, b) => a + b, 0), total);
    }
  };
  const pool = await WorkerPool.start(new URL('./samplingWorker.js', import.meta.url), n, { kind: 'init', modelDir, backend }, 'sampling worker');
  try {
    const parts = await Promise.all(
      Array.from({ length: n }, (_, w) => {
        const count = Math.min(per, total - w * per);
        const message = { kind: 'sample', options: { ...plain, count, startIndex: start + w * per }, forwardFrames: onFrame !== undefined };
        return pool.request<WorkerReply & { result: SampleResult }>(w, message, onUpdate(w)).then((r) => r.result);
      }),
    );
    const molecules = parts.flatMap((p) => p.molecules);
    const trajectory = options.trajectoryFrames ? { molecules: parts.flatMap((p) => p.trajectory?.molecules ?? []) } : undefined;
    return { molecules, trajectory };
  } finally {
    await pool.dispose();
  }
}
