// Changes one training option of a stopped run from its next step on and records the change in
// run.json's `interventions` (resume reads the training config from run.json).
import { readFileSync } from 'node:fs';
import { trainerStateFromBytes, writeFileAtomic } from '@equimol/core/node';

/** Appends a change to run.json's `interventions` (the run object, not yet written). */
export function recordIntervention(run, step, what, command) {
  run.interventions = [...(run.interventions ?? []), { step, what, command }];
}

/** Sets run.training[path] (dotted, e.g. "optimizer.learningRate") to value; returns the old value. */
export async function setTrainingOption(dir, path, value, command) {
  const checkpoint = `${dir}/checkpoints/latest.eqt`;
  const { state } = trainerStateFromBytes(new Uint8Array(readFileSync(checkpoint)), checkpoint);
  const run = JSON.parse(readFileSync(`${dir}/run.json`, 'utf8'));
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((o, k) => (o[k] ??= {}), run.training);
  const last = keys.at(-1);
  const previous = parent[last];
  parent[last] = value;
  const what = `${path} ${JSON.stringify(previous)} → ${JSON.stringify(value)}`;
  recordIntervention(run, state.step, what, command);
  await writeFileAtomic(`${dir}/run.json`, JSON.stringify(run, null, 2) + '\n');
  console.log(`${dir}: ${what} from step ${state.step}`);
  return previous;
}
