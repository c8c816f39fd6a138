// Entry point of a sampling worker thread (a WorkerPool worker): loads a model directory once, then
// samples the index ranges it is sent. Messages: {id, kind: 'init', modelDir, backend?} then
// {id, kind: 'sample', options, forwardFrames}; replies {id, result} or {id, error}, and
// {id, update: SamplingUpdate} while working.
import { parentPort } from 'node:worker_threads';
import type { Model } from '../modelFormat/modelFormat.js';
import type { TrajectoryFrame } from '../io/trajectory.js';
import { type SampleOptions, sampleMolecules } from '../pipeline/sampleMolecules.js';
import { selectNodeBackend } from './backends.js';
import { loadModelDirectory } from './modelFiles.js';

/** What a sampling worker reports while working: molecules done so far, or one trajectory frame. */
export type SamplingUpdate = { progress: number } | { index: number; frame: TrajectoryFrame };

type Message =
  | { id: number; kind: 'init'; modelDir: string; backend?: string }
  | { id: number; kind: 'sample'; options: SampleOptions; forwardFrames: boolean };

let model: Model | null = null;

parentPort!.on('message', async (message: Message) => {
  const id = message.id;
  const update = (u: SamplingUpdate): void => parentPort!.postMessage({ id, update: u });
  try {
    if (message.kind === 'init') {
      await selectNodeBackend({ preferred: message.backend, notice: () => {} });
      model = await loadModelDirectory(message.modelDir);
      parentPort!.postMessage({ id });
      return;
    }
    if (!model) throw new Error('sampling worker used before init');
    const result = sampleMolecules(model, {
      ...message.options,
      onProgress: (done) => update({ progress: done }),
      onFrame: message.forwardFrames ? (index, frame) => update({ index, frame }) : undefined,
    });
    parentPort!.postMessage({ id, result });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
