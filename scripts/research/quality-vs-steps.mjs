// Quality versus number of denoising steps for a model: samples the same molecules (fixed seed,
// per-molecule randomness) with each step count, and prints a Markdown table of EDM's metrics
// (heavy-atom view for heavy-atom models) and molecules/s with the given number of worker threads.
//   node scripts/research/quality-vs-steps.mjs MODEL_DIR [--count 128] [--steps 50,100,250,500,1000]
//        [--sampler ancestral|ddim] [--seed 0] [--workers 2] [--json]
// Novelty is measured against the training SMILES given with --train-smiles (e.g. ../shared/data/qm9/train_smiles.txt).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseScriptArgs } from '../lib/args.mjs';
import { evaluateMolecules, loadModelDirectory, parseSmilesFile, referenceSetFromSmiles, sampleMolecules, selectNodeBackend } from '@equimol/core/node';

const { modelDir, count, steps: stepCounts, sampler, seed, workers, json, trainSmiles } = parseScriptArgs({
  usage: 'node scripts/research/quality-vs-steps.mjs MODEL_DIR [--count 128] [--steps 50,100,250,500,1000] [--sampler ancestral|ddim] [--seed 0] [--workers 2] [--train-smiles FILE] [--json]',
  positionals: ['modelDir'],
  options: {
    count: { type: 'number', default: 128 },
    steps: { type: 'numbers', default: '50,100,250,500,1000' },
    sampler: { type: 'string', default: 'ancestral' },
    seed: { type: 'number', default: 0 },
    workers: { type: 'number', default: Math.min(2, os.availableParallelism?.() ?? os.cpus().length) },
    'train-smiles': { type: 'string' },
    json: { type: 'boolean' },
  },
});

const backend = await selectNodeBackend();
const model = await loadModelDirectory(modelDir);
const trainingIds = trainSmiles ? referenceSetFromSmiles(parseSmilesFile(readFileSync(trainSmiles, 'utf8')).map((e) => e.smiles)).ids : undefined;

const rows = [];
for (const steps of stepCounts) {
  const t0 = performance.now();
  const { molecules } = await sampleMolecules(model, { count, seed, steps, sampler, workers });
  const seconds = (performance.now() - t0) / 1000;
  const r = evaluateMolecules(molecules, { trainingIds });
  rows.push({ steps, molecules: count, seconds, moleculesPerSecond: count / seconds, atomStability: r.atomStability, moleculeStability: r.moleculeStability, validity: r.validity, validAndConnected: r.validAndConnected, uniqueness: r.uniqueness, novelty: r.novelty });
  if (!json) process.stderr.write(`${steps} steps: ${seconds.toFixed(0)} s\n`);
}

const meta = { model: modelDir, step: model.meta.training?.step ?? null, sampler, seed, count, workers, backend: backend.name, date: new Date().toISOString() };
if (json) {
  console.log(JSON.stringify({ ...meta, rows }, null, 1));
} else {
  const pct = (v) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)} %`);
  console.log(`${modelDir} (step ${meta.step}), ${sampler} sampler, ${count} molecules, seed ${seed}, ${workers} worker(s), ${backend.name}\n`);
  console.log('| steps | atom stability | molecule stability | validity | valid and connected | uniqueness | novelty | molecules/s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.steps} | ${pct(r.atomStability)} | ${pct(r.moleculeStability)} | ${pct(r.validity)} | ${pct(r.validAndConnected)} | ${pct(r.uniqueness)} | ${pct(r.novelty)} | ${r.moleculesPerSecond.toFixed(2)} |`);
  }
}
