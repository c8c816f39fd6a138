#!/usr/bin/env node
// Compares short heavy-atom pair distances (bond lengths, in effect) of generated molecules with a
// reference set: histograms in 0.025 Å bins per element pair and their overlap (Σ min of the two
// shares; 100 % = same distribution). Shows how precise a model's geometry is, which is what EDM's
// distance-based bond orders, and hence validity, depend on.
//
//   pnpm build && node scripts/research/pair-distances.mjs SAMPLES REFERENCE [--limit N] [--pairs C-C,C-N,C-O,N-N]
//
// Files are anything `equimol eval` reads (SDF, XYZ, EDM .npz, JSON; .gz too); hydrogens are ignored.
import { readMoleculeFile } from '@equimol/core/node';
import { parseScriptArgs } from '../lib/args.mjs';

const { samplesPath, referencePath, limit, pairs } = parseScriptArgs({
  usage: 'node scripts/research/pair-distances.mjs SAMPLES REFERENCE [--limit N] [--pairs C-C,C-N,C-O,N-N]',
  positionals: ['samplesPath', 'referencePath'],
  options: { limit: { type: 'number', default: 3000 }, pairs: { type: 'strings', default: 'C-C,C-N,C-O,N-N' } },
});
const BIN = 0.025;
const MAX = 1.75;

async function histograms(path) {
  const counts = Object.fromEntries(pairs.map((p) => [p, new Array(Math.ceil(MAX / BIN)).fill(0)]));
  let molecules = 0;
  for await (const mol of readMoleculeFile(path)) {
    if (molecules++ >= limit) break;
    const heavy = mol.elements.map((e, i) => [e, i]).filter(([e]) => e !== 'H');
    for (let u = 0; u < heavy.length; u++) {
      for (let v = u + 1; v < heavy.length; v++) {
        const [ea, a] = heavy[u];
        const [eb, b] = heavy[v];
        const key = [ea, eb].sort().join('-');
        if (!counts[key]) continue;
        const p = mol.positions;
        const d = Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);
        if (d < MAX) counts[key][Math.floor(d / BIN)]++;
      }
    }
  }
  return { counts, molecules: Math.min(molecules, limit) };
}

const samples = await histograms(samplesPath);
const reference = await histograms(referencePath);
console.log(`pair distances < ${MAX} Å, ${BIN} Å bins: ${samplesPath} (${samples.molecules} molecules) vs ${referencePath} (${reference.molecules})\n`);
for (const key of pairs) {
  const s = samples.counts[key];
  const r = reference.counts[key];
  const sTotal = s.reduce((x, y) => x + y, 0) || 1;
  const rTotal = r.reduce((x, y) => x + y, 0) || 1;
  const overlap = s.reduce((acc, c, i) => acc + Math.min(c / sTotal, r[i] / rTotal), 0);
  console.log(`${key}: ${(sTotal / samples.molecules).toFixed(2)} vs ${(rTotal / reference.molecules).toFixed(2)} pairs per molecule, overlap ${(100 * overlap).toFixed(1)} %`);
  console.log('| Å | samples | reference |\n|---|---|---|');
  s.forEach((c, i) => {
    const [ps, pr] = [(100 * c) / sTotal, (100 * r[i]) / rTotal];
    if (ps >= 1 || pr >= 1) console.log(`| ${(i * BIN).toFixed(3)} | ${ps.toFixed(1)} % | ${pr.toFixed(1)} % |`);
  });
  console.log();
}
