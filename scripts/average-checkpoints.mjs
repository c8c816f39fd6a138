// Post-hoc weight averaging: a model whose weights are the plain mean of the EMA weights of several
// trainer checkpoints of one run. EMA 0.999 averages over ~1,000 steps; the mean of checkpoints
// spread over the last few thousand steps is a longer average, which smooths what the optimiser's
// noise leaves in the weights (cf. checkpoint averaging; Karras et al. 2024, post-hoc EMA).
// model.json is taken from MODEL_DIR, the model the run exported with the latest of the checkpoints
// (its step, epoch and time stay); its `training` record names the checkpoints averaged.
// Usage: node scripts/average-checkpoints.mjs MODEL_DIR OUT_DIR CHECKPOINT.eqt...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createModel, loadModelDirectory, saveModelDirectory, trainerStateFromBytes } from '@equimol/core/node';

const [modelDir, outDir, ...checkpoints] = process.argv.slice(2);
if (!modelDir || !outDir || checkpoints.length === 0) {
  console.error('usage: node scripts/average-checkpoints.mjs MODEL_DIR OUT_DIR CHECKPOINT.eqt...');
  process.exit(2);
}
// Bad input (missing file, not a checkpoint, broken model) ends in one line, not a stack trace.
process.on('uncaughtException', (error) => {
  console.error(`average-checkpoints: ${error.message}`);
  process.exit(1);
});
const base = await loadModelDirectory(modelDir);
const sum = new Float64Array(base.params.length);
const steps = [];
for (const path of checkpoints) {
  const { state } = trainerStateFromBytes(new Uint8Array(readFileSync(path)), path);
  if (state.ema.length !== sum.length) {
    console.error(`${path}: ${state.ema.length} weights, but ${modelDir} has ${sum.length}: not the same architecture`);
    process.exit(1);
  }
  for (let i = 0; i < sum.length; i++) sum[i] += state.ema[i];
  steps.push(state.step);
}
const mean = Float32Array.from(sum, (s) => s / checkpoints.length);
steps.sort((a, b) => a - b);
const lastStep = steps.at(-1);
const { weightsManifest: _manifest, format: _format, formatVersion: _version, ...meta } = base.meta;
if (base.meta.training?.step !== lastStep) {
  console.error(`${modelDir} is the model of step ${base.meta.training?.step}, the latest checkpoint is step ${lastStep}: pass the model exported with that checkpoint (its epoch and time are kept)`);
  process.exit(1);
}
const model = createModel(
  {
    ...meta,
    training: {
      ...meta.training,
      weights: `mean of the EMA weights of ${checkpoints.length} checkpoints, steps ${steps.join(', ')}`,
      averagedCheckpoints: checkpoints.map((c) => basename(c)),
      averageCommand: `node scripts/average-checkpoints.mjs ${process.argv.slice(2).join(' ')}`,
    },
  },
  mean,
);
await saveModelDirectory(model, outDir);
console.log(`${outDir}: mean of ${checkpoints.length} EMA weight sets, steps ${steps[0]}–${steps.at(-1)}`);
