// Each channel's denoising error (coordinates x, atom features h, bonds e) of a model on real
// molecules noised to fixed steps, through the sampler's own noise predictor: is a channel learned,
// and does sampling feed the network what training did? (Issue #21's pilot diagnosis.)
//   node scripts/denoising-error.mjs MODEL_DIR DATASET.eqd      (STEPS=50,200,500,900 to choose steps)
// Eight molecules of 24 atoms, noise from Rng(1); mse is per non-zero noise value, |ε|² and |ε̂|² the
// mean squares of the true and predicted coordinate noise.
import * as eq from '@equimol/core/node';
import { readFileSync } from 'node:fs';
const [modelDir, dataPath] = process.argv.slice(2);
await eq.selectNodeBackend({ notice: () => {}, preferred: 'wasm' });
const model = await eq.loadModelDirectory(modelDir);
const ds = eq.MoleculeDataset.fromBytes(new Uint8Array(readFileSync(dataPath)), dataPath);
const idx = []; for (let i = 0; i < ds.count && idx.length < 8; i += 997) if (ds.atomCount(i) === 24) idx.push(i);
for (let i = 0; idx.length < 8; i++) if (ds.atomCount(i) === 24 && !idx.includes(i)) idx.push(i);
const batch = eq.collateBatch(ds, idx);
const B = idx.length, N = batch.maxAtoms, F = batch.features.length / (B * N);
const K = model.dynamics.config.bondClasses ?? 0;
const params = model.dynamics.layout.toTensors(model.params);
const net = eq.networkPredictor(model.dynamics, params, model.schedule, batch.atomCounts);
for (const step of (process.env.STEPS ?? "50,200,500,900").split(",").map(Number)) {
  const noise = eq.drawTrainingNoise(new eq.Rng(1), B, N, F, batch.nodeMask, model.schedule.timesteps, 0, undefined, K);
  const z = eq.noisyInputs(batch, noise, model.schedule, F, new Int32Array(B).fill(step));
  const e = await net.evaluate(z.zx, z.zh, step, z.ze);
  const mse = (a, b) => { let s = 0, n = 0; for (let k = 0; k < a.length; k++) { s += (a[k] - b[k]) ** 2; n += b[k] !== 0 ? 1 : 0; } return s / Math.max(n, 1); };
  const nrm = (a) => { let s = 0, n = 0; for (const v of a) { if (v !== 0) { s += v * v; n++; } } return s / n; };
  console.log(`step ${step}: x mse ${mse(e.epsX, noise.epsX).toFixed(3)} (|eps|² ${nrm(noise.epsX).toFixed(2)}, |ε̂|² ${nrm(e.epsX).toFixed(2)}), h mse ${mse(e.epsH, noise.epsH).toFixed(3)}${e.epsE ? `, e mse ${mse(e.epsE, noise.epsE).toFixed(3)}` : ''}`);
}
