// Entry point of a conformer worker thread: receives chunks of SMILES jobs, replies with outcomes.
import { parentPort } from 'node:worker_threads';
import { type ConformerJob, conformerOutcome, type GenerateConformersOptions } from './parallelConformers.js';
import { registerOpenchemlibResources } from './openchemlibResources.js';

parentPort!.on('message', (msg: { chunk: number; start: number; jobs: ConformerJob[]; options: GenerateConformersOptions }) => {
  try {
    registerOpenchemlibResources();
    const outcomes = msg.jobs.map((job, k) => conformerOutcome(job, msg.start + k, msg.options));
    parentPort!.postMessage({ chunk: msg.chunk, outcomes });
  } catch (err) {
    parentPort!.postMessage({ chunk: msg.chunk, error: err instanceof Error ? err.message : String(err) });
  }
});
