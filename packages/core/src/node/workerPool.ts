import { Worker } from 'node:worker_threads';

// Protocol shared by equimol's worker entry points: every message to a worker carries an `id`; the
// worker answers it with `{id, error}` or one final reply `{id, ...}`, optionally preceded by
// `{id, update}` messages (progress, frames).

/** A final reply of a pool worker: `id` plus whatever the request returns. */
export interface WorkerReply {
  id: number;
  error?: string;
  update?: unknown;
}

/** Why a request to a pool worker failed: its error reply, an uncaught error, or the thread's exit. */
export class WorkerFailure extends Error {
  constructor(
    message: string,
    /** 0-based index of the worker. */
    readonly worker: number,
    readonly origin: 'reply' | 'crash' | 'exit',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WorkerFailure';
  }
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
  onUpdate?: (update: unknown) => void;
}

/**
 * Worker threads that answer numbered requests. A worker that throws or exits while the pool is in
 * use fails every pending request and the pool refuses new ones: Node posts nothing for a dead
 * worker, so a request left waiting on it would never settle. The owner calls `dispose`.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  private disposed = false;

  private constructor(private readonly label: string) {}

  /**
   * Starts `count` workers running `url` and sends each `init` as its first request; if any worker
   * fails to start, all are terminated (live workers would keep the process from exiting).
   */
  static async start(url: URL, count: number, init: object, label: string): Promise<WorkerPool> {
    const pool = new WorkerPool(label);
    try {
      for (let k = 0; k < count; k++) pool.add(new Worker(url, { workerData: { index: k } }), k);
      await Promise.all(pool.workers.map((_, k) => pool.request(k, init)));
    } catch (err) {
      await pool.dispose();
      throw err;
    }
    return pool;
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Sends `message` (plus an `id`) to worker `k`; resolves with its final reply, passes updates to `onUpdate`. */
  request<R extends WorkerReply = WorkerReply>(k: number, message: object, onUpdate?: (update: unknown) => void): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new Error(`${this.label}s were stopped`));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (reply: WorkerReply) => void, reject, onUpdate });
      try {
        this.workers[k]!.postMessage({ ...message, id });
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /** Terminates every worker; requests still pending are rejected. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.rejectAll(new Error(`${this.label}s were stopped`));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private add(worker: Worker, k: number): void {
    this.workers.push(worker);
    worker.on('message', (reply: WorkerReply) => this.onReply(reply, k));
    worker.on('error', (err) => this.fail(new WorkerFailure(`${this.label} ${k + 1} failed: ${err.message}`, k, 'crash', { cause: err })));
    // 'exit' without 'error': process.exit in the worker, or an aborted wasm instance.
    worker.on('exit', (code) => {
      if (!this.disposed) this.fail(new WorkerFailure(`${this.label} ${k + 1} exited unexpectedly (exit code ${code})`, k, 'exit'));
    });
  }

  private onReply(reply: WorkerReply, k: number): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if ('update' in reply) {
      p.onUpdate?.(reply.update);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.error !== undefined) p.reject(new WorkerFailure(`${this.label} ${k + 1} failed: ${reply.error}`, k, 'reply'));
    else p.resolve(reply);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.rejectAll(this.failure);
  }

  private rejectAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
