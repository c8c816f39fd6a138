// One-off intervention on a stopped run: change its learning rate from the next step on and record
// it in run.json. Used on runs/qm9-heavy at steps 7,423 and 16,595 (see data/models/qm9-heavy/README.md).
// Usage: node scripts/set-learning-rate.mjs RUNDIR LR
import { setTrainingOption } from './lib/runIntervention.mjs';

const [dir, value] = process.argv.slice(2);
const learningRate = Number(value);
if (!dir || !(learningRate > 0)) throw new Error('usage: node scripts/set-learning-rate.mjs RUNDIR LR');
await setTrainingOption(dir, 'optimizer.learningRate', learningRate, `node scripts/set-learning-rate.mjs ${dir} ${value}`);
