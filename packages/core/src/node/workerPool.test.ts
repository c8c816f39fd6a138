// WorkerPool with tiny inline workers (data: URLs). The last test runs in a child process against
// the built package (packages/core/dist), because only a process that exits proves no worker is left.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from './workerPool.js';

/** A worker module: `onMessage` is the body of a message handler with `m` (the message) and `reply`. */
function workerUrl(onMessage: string): URL {
  const source = `import { parentPort } from 'node:worker_threads';
    const reply = (r) => parentPort.postMessage(r);
    parentPort.on('message', (m) => { ${onMessage} });`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** Replies to init at once; `work` handles every later message. */
const afterInit = (work: string): URL => workerUrl(`if (m.kind === 'init') return reply({ id: m.id }); ${work}`);

// The second worker to handle its init (any of them) fails it in the way given; the others start fine.
const secondFailsInit = (failure: string): URL =>
  workerUrl(`if (m.kind === 'init') { if (Atomics.add(new Int32Array(m.counter), 0, 1) === 1) { ${failure} } else reply({ id: m.id }); }`);

describe('WorkerPool', () => {
  it('answers requests, passes updates on, and rejects only the request a worker reports an error for', async () => {
    const url = afterInit(`if (m.bad) return reply({ id: m.id, error: 'bad input' });
      reply({ id: m.id, update: 1 }); reply({ id: m.id, update: 2 }); reply({ id: m.id, doubled: 2 * m.value });`);
    const pool = await WorkerPool.start(url, 2, { kind: 'init' }, 'test worker');
    try {
      const updates: unknown[] = [];
      const reply = await pool.request<{ id: number; doubled: number }>(1, { value: 21 }, (u) => updates.push(u));
      expect(reply.doubled).toBe(42);
      expect(updates).toEqual([1, 2]);
      await expect(pool.request(0, { bad: true })).rejects.toThrow('test worker 1 failed: bad input');
      expect((await pool.request<{ id: number; doubled: number }>(0, { value: 1 })).doubled).toBe(2);
    } finally {
      await pool.dispose();
    }
  });

  it('a worker that exits without an error fails the pending request and every later one', async () => {
    const pool = await WorkerPool.start(afterInit('process.exit(0);'), 2, { kind: 'init' }, 'test worker');
    try {
      await expect(pool.request(1, {})).rejects.toThrow('test worker 2 exited unexpectedly (exit code 0)');
      await expect(pool.request(0, {})).rejects.toThrow(/exited unexpectedly/);
    } finally {
      await pool.dispose();
    }
  });

  it('a worker that throws outside a request fails the pending requests of the pool', async () => {
    const pool = await WorkerPool.start(afterInit(`if (m.crash) setTimeout(() => { throw new Error('wasm heap exhausted'); });`), 2, { kind: 'init' }, 'test worker');
    try {
      const waiting = pool.request(0, {});
      await expect(pool.request(1, { crash: true })).rejects.toThrow('test worker 2 failed: wasm heap exhausted');
      await expect(waiting).rejects.toThrow(/wasm heap exhausted/);
    } finally {
      await pool.dispose();
    }
  });

  it('rejects start when one worker reports an error, throws, or exits during init', async () => {
    for (const [failure, message] of [
      [`reply({ id: m.id, error: 'no backend' });`, /^test worker \d failed: no backend$/],
      [`throw new Error('init crashed');`, /^test worker \d failed: init crashed$/],
      [`process.exit(3);`, /^test worker \d exited unexpectedly \(exit code 3\)$/],
    ] as const) {
      const counter = new SharedArrayBuffer(4);
      await expect(WorkerPool.start(secondFailsInit(failure), 3, { kind: 'init', counter }, 'test worker')).rejects.toThrow(message);
    }
  });

  it('terminates the workers that started when another fails to start, so the process can exit', () => {
    const built = fileURLToPath(new URL('../../dist/node/workerPool.js', import.meta.url));
    const script = `
      const { WorkerPool } = await import(${JSON.stringify(built)});
      const url = new URL(${JSON.stringify(secondFailsInit(`reply({ id: m.id, error: 'no backend' });`).href)});
      await WorkerPool.start(url, 3, { kind: 'init', counter: new SharedArrayBuffer(4) }, 'test worker').catch((e) => console.log(e.message));
    `;
    const path = join(mkdtempSync(join(tmpdir(), 'equimol-pool-')), 'start.mjs');
    writeFileSync(path, script);
    const r = spawnSync(process.execPath, [path], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dirname(path), { recursive: true, force: true });
    expect(r.stdout.trim()).toMatch(/^test worker \d failed: no backend$/);
    expect(r.signal).toBeNull(); // not killed by the timeout: nothing kept the process alive
    expect(r.status).toBe(0);
  });
});
