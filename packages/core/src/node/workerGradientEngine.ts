import { Worker } from 'node:worker_threads';
import type { GradientEngine, GradientEngineSpec, GradientRequest, GradientResult } from '../train/gradientEngine.js';
import { sliceRequest } from '../train/gradientEngine.js';

interface Pending {
  resolve: (value: { lossSum: number; grads?: Float32Array }) => void;
  reject: (err: Error) => void;
}

/**
 * Data-parallel gradients over worker threads, each with its own tfjs backend (tfjs-wasm runs one
 * thread per instance, so this is how training uses every core). Each worker gets a contiguous
 * slice of the batch; loss sums and gradients are added, which equals the single-thread result up
 * to float rounding because the noise was drawn before the split.
 */
export class WorkerGradientEngine implements GradientEngine {
  private workers: Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor(private readonly spec: GradientEngineSpec) {}

  /** Starts `count` workers and waits until each has its backend. */
  static async start(spec: GradientEngineSpec, count: number, backend?: string): Promise<WorkerGradientEngine> {
    const engine = new WorkerGradientEngine(spec);
    const url = new URL('./gradientWorker.js', import.meta.url);
    await Promise.all(
      Array.from({ length: count }, () => {
        const worker = new Worker(url);
        engine.workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          const onReady = (msg: { id: number; ready?: boolean; error?: string }): void => {
            if (msg.id !== -1) return;
            worker.off('message', onReady);
            if (msg.error) reject(new Error(msg.error));
            else {
              worker.on('message', (m) => engine.onMessage(m));
              worker.on('error', (err) => engine.failAll(err));
              resolve();
            }
          };
          worker.on('message', onReady);
          worker.postMessage({ kind: 'init', spec, backend });
        });
      }),
    );
    return engine;
  }

  private onMessage(msg: { id: number; lossSum?: number; grads?: Float32Array; error?: string }): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`training worker failed: ${msg.error}`));
    else p.resolve({ lossSum: msg.lossSum!, grads: msg.grads });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private send(worker: Worker, kind: 'compute' | 'evaluate', params: Float32Array, request: GradientRequest): Promise<{ lossSum: number; grads?: Float32Array }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ kind, id, params, request });
    });
  }

  private parts(request: GradientRequest): GradientRequest[] {
    const F = this.spec.egnn.nodeFeatures;
    const B = request.batch.size;
    const n = Math.min(this.workers.length, B);
    const per = Math.ceil(B / n);
    const out: GradientRequest[] = [];
    for (let b0 = 0; b0 < B; b0 += per) out.push(sliceRequest(request, b0, Math.min(B, b0 + per), F));
    return out;
  }

  async compute(params: Float32Array, request: GradientRequest): Promise<GradientResult> {
    const results = await Promise.all(this.parts(request).map((part, k) => this.send(this.workers[k]!, 'compute', params, part)));
    const grads = new Float32Array(params.length);
    let lossSum = 0;
    for (const r of results) {
      lossSum += r.lossSum;
      for (let i = 0; i < grads.length; i++) grads[i]! += r.grads![i]!;
    }
    return { lossSum, grads };
  }

  async evaluate(params: Float32Array, request: GradientRequest): Promise<number> {
    const results = await Promise.all(this.parts(request).map((part, k) => this.send(this.workers[k]!, 'evaluate', params, part)));
    return results.reduce((s, r) => s + r.lossSum, 0);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
