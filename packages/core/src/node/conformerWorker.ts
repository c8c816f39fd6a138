// Entry point of a conformer worker thread (a WorkerPool worker): {id, kind: 'init'} registers
// openchemlib's resources; {id, kind: 'chunk', start, jobs, options} is answered with {id, outcomes}.
import { parentPort } from 'node:worker_threads';
import { type ConformerJob, conformerOutcome, type GenerateConformersOptions } from './parallelConformers.js';
import { registerOpenchemlibResources } from './openchemlibResources.js';

type Message = { id: number; kind: 'init' } | { id: number; kind: 'chunk'; start: number; jobs: ConformerJob[]; options: GenerateConformersOptions };

parentPort!.on('message', (msg: Message) => {
  try {
    if (msg.kind === 'init') {
      registerOpenchemlibResources();
      parentPort!.postMessage({ id: msg.id });
      return;
    }
    const outcomes = msg.jobs.map((job, k) => conformerOutcome(job, msg.start + k, msg.options));
    parentPort!.postMessage({ id: msg.id, outcomes });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
