#!/usr/bin/env node
// Makes data/fixtures/trajectory-small.{sdf,json}: a SYNTHETIC denoising trajectory for the viewer's
// tests and screenshots. It is not model output. A few QM9 training conformers x_0 are noised with
// EDM's forward process at ten timesteps from T to 0:
//   z_t = α_t x_0 + σ_t ε,   α_t² = (1 − 2s)(1 − (t/T)²)² + s,  σ_t² = 1 − α_t²   (polynomial_2, s = 1e-5)
// with zero-centre-of-mass Gaussian ε, and atom types likewise: h_t = α_t onehot(x_0)/4 + σ_t ε_h, the
// element shown at a frame being argmax h_t (EDM scales one-hot types by 1/4). The records carry the data
// fields `equimol sample --trajectory` writes: molecule, frame, step, t, snr, gamma.
//
// Usage: node scripts/make-trajectory-fixture.mjs [path/to/qm9_train_conformers.sdf.gz]   (default ../shared/data/qm9/…)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const input = process.argv[2] ?? '../shared/data/qm9/qm9_train_conformers.sdf.gz';
const T = 1000;
const FRAMES = 10;
const SEED = 20240607;
// Record numbers (0-based) of the conformers used: a bicyclic lactam, an acyclic oxime, a pyridine.
const PICK = [0, 1, 10];
const TYPES = ['H', 'C', 'N', 'O', 'F'];

// A small seeded PRNG (mulberry32) and Box–Muller normals, so the fixture is reproducible.
function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Minimal V2000 atom-block reader: enough for RDKit-written QM9 conformers (a fixture script, not a parser). */
function readRecords(text, wanted) {
  const records = text.split(/\$\$\$\$\r?\n/);
  return wanted.map((i) => {
    const lines = records[i].split(/\r?\n/);
    const n = Number(lines[3].slice(0, 3));
    const elements = [];
    const positions = [];
    for (let k = 0; k < n; k++) {
      const l = lines[4 + k];
      positions.push(Number(l.slice(0, 10)), Number(l.slice(10, 20)), Number(l.slice(20, 30)));
      elements.push(l.slice(31, 34).trim());
    }
    return { smiles: lines[0].trim(), elements, positions };
  });
}

function centred(xs) {
  const n = xs.length / 3;
  const c = [0, 0, 0];
  for (let i = 0; i < xs.length; i++) c[i % 3] += xs[i] / n;
  return xs.map((x, i) => x - c[i % 3]);
}

function schedule(step) {
  const s = 1e-5;
  const u = step / T;
  const alpha2 = (1 - 2 * s) * (1 - u * u) ** 2 + s;
  const sigma2 = 1 - alpha2;
  return { alpha: Math.sqrt(alpha2), sigma: Math.sqrt(sigma2), snr: alpha2 / sigma2, gamma: -Math.log(alpha2 / sigma2) };
}

const normal = rng(SEED);
const mols = readRecords(gunzipSync(readFileSync(input)).toString('utf8'), PICK);
const steps = Array.from({ length: FRAMES }, (_, k) => Math.round(T * (1 - k / (FRAMES - 1))));
const trajectory = mols.map((mol, index) => {
  const x0 = centred(mol.positions);
  const eps = centred(x0.map(() => normal()));
  const epsH = mol.elements.map(() => TYPES.map(() => normal()));
  const frames = steps.map((step) => {
    const { alpha, sigma, snr, gamma } = schedule(step);
    const positions = x0.map((x, i) => alpha * x + sigma * eps[i]);
    const elements = mol.elements.map((e, a) => {
      const h = TYPES.map((type, j) => (alpha * (type === e ? 1 : 0)) / 4 + sigma * epsH[a][j]);
      return TYPES[h.indexOf(Math.max(...h))];
    });
    return { step, t: step / T, snr, gamma, elements, positions };
  });
  return { index, title: `synthetic: ${mol.smiles} noised by EDM forward process`, frames };
});

const f = (x, w, d) => x.toFixed(d).padStart(w);
let sdf = '';
for (const m of trajectory) {
  m.frames.forEach((fr, frame) => {
    sdf += `${m.title}\n  equimol fixture (synthetic, not model output)\n\n`;
    sdf += `${String(fr.elements.length).padStart(3)}  0  0  0  0  0  0  0  0  0999 V2000\n`;
    fr.elements.forEach((e, a) => {
      const p = fr.positions;
      sdf += `${f(p[3 * a], 10, 4)}${f(p[3 * a + 1], 10, 4)}${f(p[3 * a + 2], 10, 4)} ${e.padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0\n`;
    });
    sdf += 'M  END\n';
    const fields = { molecule: m.index, frame, step: fr.step, t: fr.t.toFixed(6), snr: fr.snr.toExponential(6), gamma: fr.gamma.toFixed(6) };
    for (const [k, v] of Object.entries(fields)) sdf += `>  <${k}>\n${v}\n\n`;
    sdf += '$$$$\n';
  });
}

// The JSON form of core's trajectoryToJson (format equimol-trajectory, version 1), rounded like the SDF.
const round = (x) => Number(x.toFixed(4));
const json = {
  format: 'equimol-trajectory',
  version: 1,
  molecules: trajectory.map((m) => ({
    index: m.index,
    title: m.title,
    frames: m.frames.map((fr) => ({
      elements: fr.elements,
      positions: fr.positions.map(round),
      step: fr.step,
      t: Number(fr.t.toFixed(6)),
      snr: Number(fr.snr.toExponential(6)),
      gamma: Number(fr.gamma.toFixed(6)),
    })),
  })),
};

const out = join(root, 'data/fixtures');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'trajectory-small.sdf'), sdf);
writeFileSync(join(out, 'trajectory-small.json'), JSON.stringify(json) + '\n');
console.log(`wrote ${trajectory.length} molecules x ${FRAMES} frames to data/fixtures/trajectory-small.{sdf,json}`);
for (const m of trajectory) console.log(`  ${m.index}: ${m.title} (${m.frames[0].elements.length} atoms)`);
