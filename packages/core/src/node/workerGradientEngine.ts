import * as tf from '@tensorflow/tfjs-core';
import { memoryBudget, resolveMicroBatch } from '../backend/memoryBudget.js';
import type { PassKind } from '../model/memoryEstimate.js';
import type { GradientEngine, GradientEngineSpec, GradientRequest, GradientResult, MemoryRetry } from '../train/gradientEngine.js';
import { sliceRequest } from '../train/gradientEngine.js';
import { WorkerFailure, WorkerPool, type WorkerReply } from './workerPool.js';

interface PartResult extends WorkerReply {
  lossSum: number;
  grads?: Float32Array;
}

/** Options of `WorkerGradientEngine.start`. */
export interface WorkerGradientEngineOptions {
  /** Told of each step retried with a smaller micro-batch after a worker ran out of memory. */
  onRetry?: (retry: MemoryRetry) => void;
}

/** What a worker reports when its wasm instance ran out of memory (or a thread could not get any). */
const OUT_OF_MEMORY = /Aborted\(|memory access out of bounds|out of memory|Array buffer allocation failed|Cannot enlarge memory/i;

/**
 * Data-parallel gradients over worker threads, each with its own tfjs backend (tfjs-wasm runs one
 * thread per instance, so this is how training uses every core). Each worker gets a contiguous
 * slice of the batch; loss sums and gradients are added, which equals the single-thread result up
 * to float rounding because the noise was drawn before the split.
 *
 * A worker that runs out of memory despite the estimate (its wasm instance aborts) is restarted and
 * the step is computed again with half the micro-batch for that atom count, which then holds for the
 * rest of the run. The step's noise was drawn before, so nothing is lost or counted twice.
 */
export class WorkerGradientEngine implements GradientEngine {
  /** Micro-batches lowered after out-of-memory failures, by padded atom count. */
  private readonly lowered = new Map<number, number>();
  readonly retries: MemoryRetry[] = [];

  private constructor(
    private readonly spec: GradientEngineSpec,
    private pool: WorkerPool,
    private readonly count: number,
    private readonly backend: string | undefined,
    private readonly options: WorkerGradientEngineOptions,
  ) {}

  /** Starts `count` workers and waits until each has its backend. */
  static async start(spec: GradientEngineSpec, count: number, backend?: string, options: WorkerGradientEngineOptions = {}): Promise<WorkerGradientEngine> {
    return new WorkerGradientEngine(spec, await WorkerGradientEngine.startPool(spec, count, backend, true), count, backend, options);
  }

  private static startPool(spec: GradientEngineSpec, count: number, backend: string | undefined, first: boolean): Promise<WorkerPool> {
    // Test hook: EQUIMOL_TEST_ABORT_WORKER="W:C" makes worker W (1-based) fail as an aborted wasm
    // instance does, at its C-th gradient request, once per run (not after a restart).
    const abortAt = first ? parseAbortHook(process.env['EQUIMOL_TEST_ABORT_WORKER']) : undefined;
    const url = new URL('./gradientWorker.js', import.meta.url);
    return WorkerPool.start(url, count, { kind: 'init', spec, backend, abortAt }, 'training worker');
  }

  private parts(request: GradientRequest): GradientRequest[] {
    const F = this.spec.egnn.nodeFeatures;
    const B = request.batch.size;
    const n = Math.min(this.pool.size, B);
    const per = Math.ceil(B / n);
    const out: GradientRequest[] = [];
    for (let b0 = 0; b0 < B; b0 += per) out.push(sliceRequest(request, b0, Math.min(B, b0 + per), F));
    return out;
  }

  /** The micro-batch a worker uses for a part, as it would choose it itself unless lowered. */
  private microBatch(part: GradientRequest, kind: PassKind): number {
    const N = part.batch.maxAtoms;
    const lowered = this.lowered.get(N);
    if (lowered !== undefined) return Math.min(lowered, part.batch.size);
    const budget = this.spec.memory ?? memoryBudget(this.backend ?? tf.getBackend());
    return resolveMicroBatch(this.spec.microBatch, this.spec.egnn, N, kind, budget, part.batch.size);
  }

  private async run(kind: 'compute' | 'evaluate', params: Float32Array, request: GradientRequest): Promise<PartResult[]> {
    const parts = this.parts(request);
    const pass: PassKind = kind === 'compute' ? 'training' : 'inference';
    for (;;) {
      const sizes = parts.map((part) => this.microBatch(part, pass));
      const settled = await Promise.allSettled(
        parts.map((part, k) => this.pool.request<PartResult>(k, { kind, params, request: part, microBatch: sizes[k] })),
      );
      const failed = settled.findIndex((s) => s.status === 'rejected');
      if (failed < 0) return settled.map((s) => (s as PromiseFulfilledResult<PartResult>).value);
      // A dead worker fails every pending request of the pool with its own failure, naming it.
      const culprit = (settled[failed] as PromiseRejectedResult).reason as Error;
      const worker = culprit instanceof WorkerFailure ? culprit.worker : failed;
      if (!isOutOfMemory(culprit)) throw culprit;
      const N = request.batch.maxAtoms;
      const used = sizes[worker] ?? sizes[0]!;
      if (used <= 1) throw new Error(`${culprit.message}; one molecule of ${N} atoms per pass does not fit this worker's memory`, { cause: culprit });
      const microBatch = Math.floor(used / 2);
      this.lowered.set(N, microBatch);
      const retry: MemoryRetry = { worker: worker + 1, atoms: N, microBatch, reason: culprit.message.split('\n')[0]! };
      this.retries.push(retry);
      this.options.onRetry?.(retry);
      await this.pool.dispose();
      this.pool = await WorkerGradientEngine.startPool(this.spec, this.count, this.backend, false);
    }
  }

  async compute(params: Float32Array, request: GradientRequest): Promise<GradientResult> {
    const results = await this.run('compute', params, request);
    const grads = new Float32Array(params.length);
    let lossSum = 0;
    for (const r of results) {
      lossSum += r.lossSum;
      for (let i = 0; i < grads.length; i++) grads[i]! += r.grads![i]!;
    }
    return { lossSum, grads };
  }

  async evaluate(params: Float32Array, request: GradientRequest): Promise<number> {
    const results = await this.run('evaluate', params, request);
    return results.reduce((s, r) => s + r.lossSum, 0);
  }

  async dispose(): Promise<void> {
    await this.pool.dispose();
  }
}

/** A worker that exited or crashed, or one that reported a wasm abort or allocation failure. */
function isOutOfMemory(err: Error): boolean {
  return err instanceof WorkerFailure && (err.origin !== 'reply' || OUT_OF_MEMORY.test(err.message));
}

function parseAbortHook(value: string | undefined): { worker: number; call: number } | undefined {
  const m = value?.match(/^(\d+):(\d+)$/);
  return m ? { worker: Number(m[1]), call: Number(m[2]) } : undefined;
}
