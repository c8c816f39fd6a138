#!/usr/bin/env node
// Warm start: begins a new run from a trained model whose atom types may differ (qm9-h from the
// qm9-heavy model): RUN_DIR/run.json is the new run's configuration (same width and depth as the
// model), this writes its step-0 checkpoint with the model's (EMA) weights carried over by
// `transferParameters` (new elements' rows from the run's own fresh initialisation; fresh Adam
// moments and EMA). `equimol train --out RUN_DIR --resume` then trains it. run.json records where
// the weights came from.
// Usage: node scripts/init-run-from-model.mjs MODEL_DIR RUN_DIR
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import {
  EgnnDynamics,
  initialTrainerState,
  loadModelDirectory,
  MoleculeDataset,
  Rng,
  trainerStateToBytes,
  transferParameters,
  writeFileAtomic,
} from '@equimol/core/node';

const [modelDir, dir] = process.argv.slice(2);
if (!modelDir || !dir) {
  console.error('usage: node scripts/init-run-from-model.mjs MODEL_DIR RUN_DIR');
  process.exit(2);
}
process.on('uncaughtException', (error) => {
  console.error(`init-run-from-model: ${error.message}`);
  process.exit(1);
});
const checkpoint = `${dir}/checkpoints/latest.eqt`;
if (existsSync(checkpoint)) throw new Error(`${dir} already has a checkpoint: this starts new runs only`);
const run = JSON.parse(readFileSync(`${dir}/run.json`, 'utf8'));
const source = await loadModelDirectory(modelDir);
const dataset = MoleculeDataset.fromBytes(new Uint8Array(readFileSync(run.dataset)), run.dataset);
const target = { egnn: run.egnn, encoding: dataset.encoding };
const layout = new EgnnDynamics(run.egnn).layout;
// The same fresh weights and RNG streams a new run with this seed would start from (Trainer).
const fresh = layout.initialise(new Rng(run.training.seed));
const params = transferParameters({ egnn: source.meta.egnn, encoding: source.meta.encoding }, source.params, target, fresh);
const state = initialTrainerState(layout, run.training, params);
const command = `node scripts/init-run-from-model.mjs ${modelDir} ${dir}`;
run.initialisedFrom = { model: source.meta.name, step: source.meta.training?.step ?? null, elements: source.meta.encoding.elements, command };
mkdirSync(`${dir}/checkpoints`, { recursive: true });
await writeFileAtomic(checkpoint, trainerStateToBytes(state));
await writeFileAtomic(`${dir}/run.json`, JSON.stringify(run, null, 2) + '\n');
console.log(`${dir}: step-0 checkpoint from ${source.meta.name} (step ${run.initialisedFrom.step}); ${source.meta.encoding.elements.join(',')} → ${dataset.encoding.elements.join(',')}`);
