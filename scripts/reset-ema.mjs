// One-off intervention on a run: restart its EMA from the current raw weights and turn on EMA
// warm-up. Used on runs/qm9-heavy at step 2,6xx (see data/models/qm9-heavy/README.md), whose EMA
// without warm-up still held ~7 % of the random initial weights.
// Usage: node scripts/reset-ema.mjs RUNDIR   (the run must be stopped)
import { readFileSync } from 'node:fs';
import { trainerStateFromBytes, trainerStateToBytes, writeFileAtomic } from '@equimol/core/node';

const dir = process.argv[2];
const path = `${dir}/checkpoints/latest.eqt`;
const { state, extra } = trainerStateFromBytes(new Uint8Array(readFileSync(path)), path);
state.ema.set(state.params);
await writeFileAtomic(path, trainerStateToBytes(state, extra));
const run = JSON.parse(readFileSync(`${dir}/run.json`, 'utf8'));
run.training.emaWarmup = true;
run.interventions = [...(run.interventions ?? []), { step: state.step, what: 'EMA reset to the raw weights; EMA warm-up turned on', command: `node scripts/reset-ema.mjs ${dir}` }];
await writeFileAtomic(`${dir}/run.json`, JSON.stringify(run, null, 2) + '\n');
console.log(`${path}: EMA reset at step ${state.step}; warm-up on`);
