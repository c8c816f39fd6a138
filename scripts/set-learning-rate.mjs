// One-off intervention on a stopped run: change its learning rate from the next step on and record
// it in run.json (resume reads the training config from there). Used on runs/qm9-heavy at step 7,423
// (see data/models/qm9-heavy/README.md).
// Usage: node scripts/set-learning-rate.mjs RUNDIR LR
import { readFileSync } from 'node:fs';
import { trainerStateFromBytes, writeFileAtomic } from '@equimol/core/node';

const [dir, value] = process.argv.slice(2);
const learningRate = Number(value);
if (!dir || !(learningRate > 0)) throw new Error('usage: node scripts/set-learning-rate.mjs RUNDIR LR');
const path = `${dir}/checkpoints/latest.eqt`;
const { state } = trainerStateFromBytes(new Uint8Array(readFileSync(path)), path);
const run = JSON.parse(readFileSync(`${dir}/run.json`, 'utf8'));
const previous = run.training.optimizer.learningRate;
run.training.optimizer.learningRate = learningRate;
run.interventions = [...(run.interventions ?? []), { step: state.step, what: `learning rate ${previous} → ${learningRate}`, command: `node scripts/set-learning-rate.mjs ${dir} ${value}` }];
await writeFileAtomic(`${dir}/run.json`, JSON.stringify(run, null, 2) + '\n');
console.log(`${dir}: learning rate ${previous} → ${learningRate} from step ${state.step}`);
