// Quality versus number of denoising steps for a model: samples the same molecules (fixed seed,
// per-molecule randomness) with each step count, and prints a Markdown table of EDM's metrics
// (heavy-atom view for heavy-atom models) and molecules/s with the given number of worker threads.
//   node scripts/quality-vs-steps.mjs MODEL_DIR [--count 128] [--steps 50,100,250,500,1000]
//        [--sampler ancestral|ddim] [--seed 0] [--workers 2] [--json]
// Novelty is measured against ../shared/data/qm9/train_smiles.txt when that file exists.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { evaluateMolecules, loadModelDirectory, parseSmilesFile, referenceSetFromSmiles, sampleMoleculesParallel, selectNodeBackend } from '@equimol/core/node';

const args = process.argv.slice(2);
const modelDir = args[0];
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
if (!modelDir || modelDir.startsWith('--')) {
  console.error('usage: node scripts/quality-vs-steps.mjs MODEL_DIR [--count N] [--steps 50,100,250,500,1000] [--sampler ancestral|ddim] [--seed S] [--workers N] [--json]');
  process.exit(2);
}
const count = Number(option('--count', 128));
const stepCounts = option('--steps', '50,100,250,500,1000').split(',').map(Number);
const sampler = option('--sampler', 'ancestral');
const seed = Number(option('--seed', 0));
const workers = Number(option('--workers', Math.min(2, os.availableParallelism?.() ?? os.cpus().length)));
const json = args.includes('--json');

const backend = await selectNodeBackend();
const model = await loadModelDirectory(modelDir);
const smilesPath = new URL('../../shared/data/qm9/train_smiles.txt', import.meta.url).pathname;
const trainingIds = existsSync(smilesPath) ? referenceSetFromSmiles(parseSmilesFile(readFileSync(smilesPath, 'utf8')).map((e) => e.smiles)).ids : undefined;

const rows = [];
for (const steps of stepCounts) {
  const t0 = performance.now();
  const { molecules } = await sampleMoleculesParallel(modelDir, { count, seed, steps, sampler }, workers, backend.name);
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
