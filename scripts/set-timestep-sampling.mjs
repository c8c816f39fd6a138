// One-off intervention on a stopped run: draw SHARE of its training timesteps from the lowest STEPS
// (TimestepSampling in packages/core/src/diffusion/noise.ts; share 0 = EDM's uniform draws) from the
// next step on, recorded in run.json.
// Usage: node scripts/set-timestep-sampling.mjs RUNDIR SHARE STEPS
import { setTrainingOption } from './lib/runIntervention.mjs';

const [dir, share, steps] = process.argv.slice(2);
const lowNoiseShare = Number(share);
const lowNoiseSteps = Number(steps);
if (!dir || !(lowNoiseShare >= 0 && lowNoiseShare < 1) || !(Number.isInteger(lowNoiseSteps) && lowNoiseSteps > 0)) {
  throw new Error('usage: node scripts/set-timestep-sampling.mjs RUNDIR SHARE(0–1) STEPS');
}
await setTrainingOption(dir, 'timestepSampling', lowNoiseShare > 0 ? { lowNoiseShare, lowNoiseSteps } : undefined,
  `node scripts/set-timestep-sampling.mjs ${dir} ${share} ${steps}`);
