import { Worker } from 'node:worker_threads';
import type { TrajectoryMolecule } from '../io/trajectory.js';
import { type SampleOptions, type SampleResult, sampleMolecules } from '../pipeline/sampleMolecules.js';
import { loadModelDirectory } from './modelFiles.js';

/**
 * Samples with a model directory on `workers` threads (each its own tfjs backend). Molecule i's
 * randomness depends only on (seed, i), so the result is the same as one thread's, in the same order.
 */
export async function sampleMoleculesParallel(
  modelDir: string,
  options: SampleOptions,
  workers: number,
  backend?: string,
): Promise<SampleResult> {
  const total = options.count;
  const start = options.startIndex ?? 0;
  const n = Math.max(1, Math.min(workers, total));
  if (n === 1) return sampleMolecules(await loadModelDirectory(modelDir), options);
  const { onProgress, ...plain } = options;
  const per = Math.ceil(total / n);
  const progress = new Array<number>(n).fill(0);
  const url = new URL('./samplingWorker.js', import.meta.url);
  const threads: Worker[] = [];
  try {
    const parts = await Promise.all(
      Array.from({ length: n }, (_, w) => {
        const count = Math.max(0, Math.min(per, total - w * per));
        const worker = new Worker(url);
        threads.push(worker);
        return new Promise<SampleResult>((resolve, reject) => {
          worker.on('error', reject);
          worker.on('message', (msg: { id: number; ready?: boolean; progress?: number; result?: SampleResult; error?: string }) => {
            if (msg.error) return reject(new Error(msg.error));
            if (msg.ready) {
              if (count === 0) return resolve({ molecules: [] });
              worker.postMessage({ kind: 'sample', id: w, options: { ...plain, count, startIndex: start + w * per } });
            } else if (msg.progress !== undefined) {
              progress[w] = msg.progress;
              onProgress?.(progress.reduce((a, b) => a + b, 0), total);
            } else if (msg.result) {
              resolve(msg.result);
            }
          });
          worker.postMessage({ kind: 'init', modelDir, backend });
        });
      }),
    );
    const molecules = parts.flatMap((p) => p.molecules);
    const trajectory = options.trajectoryFrames
      ? { molecules: parts.flatMap((p) => p.trajectory?.molecules ?? ([] as TrajectoryMolecule[])) }
      : undefined;
    return { molecules, trajectory };
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
