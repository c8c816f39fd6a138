// Entry point of a training worker thread (a WorkerPool worker): owns one tfjs backend and computes
// gradients for the rows of a batch it is sent. Messages: {id, kind: 'init', spec, backend?, abortAt?}
// then {id, kind: 'compute' | 'evaluate', params, request, microBatch?}; replies {id, lossSum, grads?}
// or {id, error}.
import { parentPort, workerData } from 'node:worker_threads';
import { type GradientEngineSpec, type GradientRequest, LocalGradientEngine } from '../train/gradientEngine.js';
import { selectNodeBackend } from './backends.js';

type Message =
  | { id: number; kind: 'init'; spec: GradientEngineSpec; backend?: string; abortAt?: { worker: number; call: number } }
  | { id: number; kind: 'compute' | 'evaluate'; params: Float32Array; request: GradientRequest; microBatch?: number };

let engine: LocalGradientEngine | null = null;
/** The gradient request at which this worker fails on purpose (test hook), if any. */
let abortAtCall = 0;
let calls = 0;

parentPort!.on('message', async (message: Message) => {
  try {
    if (message.kind === 'init') {
      const choice = await selectNodeBackend({ preferred: message.backend, notice: () => {} });
      engine = new LocalGradientEngine(message.spec);
      const index = (workerData as { index?: number } | null)?.index ?? 0;
      if (message.abortAt?.worker === index + 1) abortAtCall = message.abortAt.call;
      parentPort!.postMessage({ id: message.id, backend: choice.name });
      return;
    }
    if (!engine) throw new Error('worker used before init');
    if (message.kind === 'compute') {
      // What tfjs-wasm throws when its heap cannot grow; the instance is unusable afterwards.
      if (++calls === abortAtCall) throw new Error('RuntimeError: Aborted() (EQUIMOL_TEST_ABORT_WORKER)');
      const { lossSum, grads } = await engine.compute(message.params, message.request, message.microBatch);
      parentPort!.postMessage({ id: message.id, lossSum, grads }, [grads.buffer as ArrayBuffer]);
    } else {
      const lossSum = await engine.evaluate(message.params, message.request, message.microBatch);
      parentPort!.postMessage({ id: message.id, lossSum });
    }
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
