// Entry point of a sampling worker thread: loads a model directory once, then samples the index
// ranges it is sent. Messages: {kind: 'init', modelDir, backend?} then {kind: 'sample', id, options};
// replies {id, result} or {id, error}, and {id, progress} while working.
import { parentPort } from 'node:worker_threads';
import type { EquimolModel } from '../checkpoint/modelBundle.js';
import { type SampleOptions, sampleMolecules } from '../pipeline/sampleMolecules.js';
import { selectNodeBackend } from './backends.js';
import { loadModelDirectory } from './modelFiles.js';

let model: EquimolModel | null = null;

parentPort!.on('message', async (message: { kind: 'init'; modelDir: string; backend?: string } | { kind: 'sample'; id: number; options: SampleOptions }) => {
  try {
    if (message.kind === 'init') {
      await selectNodeBackend({ preferred: message.backend, notice: () => {} });
      model = await loadModelDirectory(message.modelDir);
      parentPort!.postMessage({ id: -1, ready: true });
      return;
    }
    if (!model) throw new Error('sampling worker used before init');
    const id = message.id;
    const result = sampleMolecules(model, { ...message.options, onProgress: (done) => parentPort!.postMessage({ id, progress: done }) });
    parentPort!.postMessage({ id, result });
  } catch (err) {
    parentPort!.postMessage({ id: 'id' in message ? message.id : -1, error: err instanceof Error ? err.message : String(err) });
  }
});
