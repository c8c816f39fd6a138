// Entry point of a sampling worker thread (a WorkerPool worker): receives the model once, then
// samples the index ranges it is sent. Messages: {id, kind: 'init', model: {json, weights}, backend}
// (backend: the parent's tfjs backend name) then {id, kind: 'sample', options, forwardFrames};
// replies {id, result} or {id, error}, and {id, update: SamplingUpdate} while working.
import { parentPort } from 'node:worker_threads';
import { deserializeModel, type Model } from '../modelFormat/modelFormat.js';
import type { TrajectoryFrame } from '../io/trajectory.js';
import { type SampleOptions, sampleMolecules } from '../pipeline/sampleMolecules.js';
import { selectBackend } from '../backend/select.js';
import { nodeBackends } from './backends.js';

/** What a sampling worker reports while working: molecules done so far, or one trajectory frame. */
export type SamplingUpdate = { progress: number } | { index: number; frame: TrajectoryFrame };

type Message =
  | { id: number; kind: 'init'; model: { json: string; weights: Uint8Array }; backend: string }
  | { id: number; kind: 'sample'; options: SampleOptions; forwardFrames: boolean };

let model: Model | null = null;

parentPort!.on('message', async (message: Message) => {
  const id = message.id;
  const update = (u: SamplingUpdate): void => parentPort!.postMessage({ id, update: u });
  try {
    if (message.kind === 'init') {
      // The parent's kind of backend (both native TensorFlow packages register as 'tensorflow').
      const candidates = nodeBackends.filter((c) => c.tfName === message.backend);
      await selectBackend(candidates.length > 0 ? candidates : nodeBackends, { preferred: candidates[0]?.name, notice: () => {} });
      model = deserializeModel(message.model.json, message.model.weights);
      parentPort!.postMessage({ id });
      return;
    }
    if (!model) throw new Error('sampling worker used before init');
    // Core's sampleMolecules without a runner: this thread.
    const result = await sampleMolecules(model, {
      ...message.options,
      onProgress: (done) => update({ progress: done }),
      onFrame: message.forwardFrames ? (index, frame) => update({ index, frame }) : undefined,
    });
    parentPort!.postMessage({ id, result });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
