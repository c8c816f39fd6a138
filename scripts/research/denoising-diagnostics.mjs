#!/usr/bin/env node
// Where in the reverse chain does a model lose validity? Real molecules are noised to step t and the
// model's chain is run from there (ancestral, every step). For each t it reports:
//  - σ_t, the noise per coordinate (Å);
//  - ε error: E|ε̂ − ε|² / E|ε|² for positions at that single step (1 = the network removes nothing);
//  - bond error: RMS change of the original bonds' lengths after denoising (Å; bond orders come from
//    lengths, with margins of 3–10 pm, so this is what validity depends on);
//  - validity after denoising (EDM's rule, heavy atoms), and how often the same molecule comes back.
// A perfect model would return valid molecules from every t below the point where the structure is
// still recognisable.
//
//   pnpm build && node scripts/research/denoising-diagnostics.mjs MODEL_DIR DATASET.eqd [--count 256] [--from 10,30,100,300] [--seed 1]
//
// Molecules are spread evenly over the dataset (for a trained model: molecules it has seen; the point
// is geometric precision, not generalisation).
import { readFileSync } from 'node:fs';
import {
  checkValidity,
  collateBatch,
  loadModelDirectory,
  MoleculeDataset,
  networkPredictor,
  NoiseSchedule,
  noisyState,
  perceiveBonds,
  Rng,
  sampleCenteredNoise,
  sampleChain,
  selectNodeBackend,
} from '@equimol/core/node';
import { parseScriptArgs } from '../lib/args.mjs';

const { modelDir, datasetPath, count, from: fromSteps, seed } = parseScriptArgs({
  usage: 'node scripts/research/denoising-diagnostics.mjs MODEL_DIR DATASET.eqd [--count 256] [--from 10,30,100,300] [--seed 1]',
  positionals: ['modelDir', 'datasetPath'],
  options: { count: { type: 'number', default: 256 }, from: { type: 'numbers', default: '10,30,100,300' }, seed: { type: 'number', default: 1 } },
});

await selectNodeBackend({ notice: () => {} });
const model = await loadModelDirectory(modelDir);
const dataset = MoleculeDataset.fromBytes(readFileSync(datasetPath), datasetPath);
const { schedule } = model;
const encoding = model.meta.encoding;
const F = model.dynamics.config.nodeFeatures;
const chainModel = { schedule, encoding };
const params = model.dynamics.layout.toTensors(model.params);

// Same-size groups, so that no molecule is padded.
const groups = new Map();
for (let k = 0; k < count; k++) {
  const index = Math.floor(((k + 0.5) * dataset.count) / count);
  const n = dataset.atomCount(index);
  groups.set(n, [...(groups.get(n) ?? []), index]);
}

/** Molecule b of a batch in Å, types from features by argmax (the sampler's decoding). */
function moleculeOf(positions, features, b, n) {
  const elements = [];
  const xyz = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    const row = b * n + a;
    let best = 0;
    for (let v = 1; v < encoding.elements.length; v++) if (features[row * F + v] > features[row * F + best]) best = v;
    elements.push(encoding.elements[best]);
    for (let d = 0; d < 3; d++) xyz[3 * a + d] = positions[3 * row + d] * encoding.normalization[0];
  }
  return { elements, positions: xyz };
}

const distance = (p, a, b) => Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);

console.log(`${modelDir} on ${count} molecules of ${datasetPath} (seed ${seed})\n`);
console.log('| from step t | σ_t (Å) | ε error | bond error after (Å) | valid after | same molecule | originals valid |');
console.log('|---|---|---|---|---|---|---|');
for (const t of fromSteps) {
  const rng = new Rng(seed);
  const g = schedule.gammaAtStep(t);
  const [alpha, sigma] = [NoiseSchedule.alpha(g), NoiseSchedule.sigma(g)];
  let epsSq = 0, errSq = 0, bondSq = 0, bonds = 0, valid = 0, same = 0, originalsValid = 0, total = 0;
  for (const [n, indices] of groups) {
    const batch = collateBatch(dataset, indices);
    const B = indices.length;
    const eps = sampleCenteredNoise(rng, B, n, F, batch.nodeMask);
    const zx = noisyState(batch.positions, eps.x, new Array(B).fill(alpha), new Array(B).fill(sigma), n, 3);
    const zh = noisyState(batch.features, eps.h, new Array(B).fill(alpha), new Array(B).fill(sigma), n, F);
    const network = networkPredictor(model.dynamics, params, schedule, batch.atomCounts);
    try {
      const predicted = (await network.evaluate(zx, zh, t)).epsX;
      for (let k = 0; k < zx.length; k++) {
        epsSq += eps.x[k] ** 2;
        errSq += (predicted[k] - eps.x[k]) ** 2;
      }
      const out = await sampleChain(chainModel, network.predict, batch.atomCounts, indices.map((_, b) => new Rng(seed * 1_000_003 + total + b)), { start: { step: t, x: zx, h: zh } });
      for (let b = 0; b < B; b++) {
        const original = moleculeOf(batch.positions, batch.features, b, n);
        const denoised = { elements: out.types.subarray(b * n, b * n + n).reduce((e, v) => (e.push(encoding.elements[v]), e), []), positions: Float64Array.from(out.positions.subarray(3 * b * n, 3 * (b + 1) * n)) };
        for (const { a, b: c } of perceiveBonds(original)) {
          bondSq += (distance(denoised.positions, a, c) - distance(original.positions, a, c)) ** 2;
          bonds++;
        }
        const before = checkValidity(original);
        const after = checkValidity(denoised);
        originalsValid += before.valid ? 1 : 0;
        valid += after.valid ? 1 : 0;
        same += before.valid && after.valid && before.id === after.id ? 1 : 0;
      }
      total += B;
    } finally {
      network.dispose();
    }
  }
  const pct = (k) => `${((100 * k) / total).toFixed(1)} %`;
  console.log(`| ${t} | ${sigma.toFixed(4)} | ${(errSq / epsSq).toFixed(3)} | ${Math.sqrt(bondSq / bonds).toFixed(4)} | ${pct(valid)} | ${pct(same)} | ${pct(originalsValid)} |`);
}
