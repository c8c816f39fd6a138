import type { GradientEngine, GradientEngineSpec, GradientRequest, GradientResult } from '../train/gradientEngine.js';
import { sliceRequest } from '../train/gradientEngine.js';
import { WorkerPool, type WorkerReply } from './workerPool.js';

interface PartResult extends WorkerReply {
  lossSum: number;
  grads?: Float32Array;
}

/**
 * Data-parallel gradients over worker threads, each with its own tfjs backend (tfjs-wasm runs one
 * thread per instance, so this is how training uses every core). Each worker gets a contiguous
 * slice of the batch; loss sums and gradients are added, which equals the single-thread result up
 * to float rounding because the noise was drawn before the split.
 */
export class WorkerGradientEngine implements GradientEngine {
  private constructor(
    private readonly spec: GradientEngineSpec,
    private readonly pool: WorkerPool,
  ) {}

  /** Starts `count` workers and waits until each has its backend. */
  static async start(spec: GradientEngineSpec, count: number, backend?: string): Promise<WorkerGradientEngine> {
    const url = new URL('./gradientWorker.js', import.meta.url);
    return new WorkerGradientEngine(spec, await WorkerPool.start(url, count, { kind: 'init', spec, backend }, 'training worker'));
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

  private run(kind: 'compute' | 'evaluate', params: Float32Array, request: GradientRequest): Promise<PartResult[]> {
    return Promise.all(this.parts(request).map((part, k) => this.pool.request<PartResult>(k, { kind, params, request: part })));
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
