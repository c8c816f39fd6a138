// Entry point of a training worker thread (a WorkerPool worker): owns one tfjs backend and computes
// gradients for the rows of a batch it is sent. Messages: {id, kind: 'init', spec, backend?} then
// {id, kind: 'compute' | 'evaluate', params, request}; replies {id, lossSum, grads?} or {id, error}.
import { parentPort } from 'node:worker_threads';
import { type GradientEngineSpec, type GradientRequest, LocalGradientEngine } from '../train/gradientEngine.js';
import { selectNodeBackend } from './backends.js';

type Message =
  | { id: number; kind: 'init'; spec: GradientEngineSpec; backend?: string }
  | { id: number; kind: 'compute' | 'evaluate'; params: Float32Array; request: GradientRequest };

let engine: LocalGradientEngine | null = null;

parentPort!.on('message', async (message: Message) => {
  try {
    if (message.kind === 'init') {
      const choice = await selectNodeBackend({ preferred: message.backend, notice: () => {} });
      engine = new LocalGradientEngine(message.spec);
      parentPort!.postMessage({ id: message.id, backend: choice.name });
      return;
    }
    if (!engine) throw new Error('worker used before init');
    if (message.kind === 'compute') {
      const { lossSum, grads } = await engine.compute(message.params, message.request);
      parentPort!.postMessage({ id: message.id, lossSum, grads }, [grads.buffer as ArrayBuffer]);
    } else {
      const lossSum = await engine.evaluate(message.params, message.request);
      parentPort!.postMessage({ id: message.id, lossSum });
    }
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
