import * as tf from '@tensorflow/tfjs-core';
import { workerThreadsFor } from '../backend/select.js';
import { type Model, serializeModel } from '../modelFormat/modelFormat.js';
import { type ParallelSampling, type SampleOptions, type SampleResult, sampleMolecules as sampleInCore } from '../pipeline/sampleMolecules.js';
import type { SamplingUpdate } from './samplingWorker.js';
import { WorkerPool, type WorkerReply } from './workerPool.js';

/**
 * Core's `sampleMolecules` with worker threads: `options.workers` threads, each with its own copy of
 * the model and its own backend of the kind this thread uses. Same signature and same molecules as
 * core's; the only difference is that `workers` takes effect.
 */
export function sampleMolecules(model: Model, options: SampleOptions): Promise<SampleResult> {
  return sampleInCore(model, { parallel: workerThreadSampling, ...options });
}

/**
 * Worker threads as core's `parallel` runner: molecule ranges split evenly (5 molecules on 4 threads:
 * 2 + 2 + 1, no thread without molecules). `onFrame` is forwarded from the workers: each molecule's
 * frames arrive in order, but frames of molecules on different workers interleave. On WebGPU the
 * threads would each open the same GPU, so it samples in this thread (with a notice).
 */
export const workerThreadSampling: ParallelSampling = async (model, options, workers) => {
  const total = options.count;
  const start = options.startIndex ?? 0;
  const backend = tf.getBackend();
  const threads = workerThreadsFor(backend, workers, (line) => console.warn(line));
  // Functions cannot be posted to a worker (DataCloneError); the callbacks stay here.
  const { onProgress, onFrame, ...plain } = options;
  const per = Math.ceil(total / Math.max(1, Math.min(threads, total)));
  const n = per > 0 ? Math.ceil(total / per) : 1;
  if (n === 1) return sampleInCore(model, options);
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
  const pool = await WorkerPool.start(new URL('./samplingWorker.js', import.meta.url), n, { kind: 'init', model: serializeModel(model), backend }, 'sampling worker');
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
};
