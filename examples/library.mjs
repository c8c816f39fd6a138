// equimol as a library: build a dataset from molecules, train a small EGNN diffusion model for a
// few steps, then sample new molecules from it. Run: node examples/library.mjs
import * as eq from '@equimol/core/node';

await eq.selectNodeBackend(); // native TensorFlow if installed, else tfjs-wasm, else cpu

// 1. Molecules → a packed dataset (here six QM9 conformers shipped as a fixture).
const molecules = eq.readSdfFile(new URL('../data/fixtures/chem/qm9-train-sample.sdf', import.meta.url).pathname);
const dataset = await eq.buildDataset(molecules, { name: 'demo', source: 'fixture', removeHydrogens: true, elements: ['C', 'N', 'O', 'F'] });

// 2. EDM's EGNN (small here) and noise schedule; everything else at EDM's defaults.
const trainer = eq.Trainer.fromConfig(
  { egnn: { hiddenSize: 32, layers: 2 }, schedule: { ...eq.EDM_QM9_SCHEDULE, timesteps: 100 }, training: { batchSize: 6, validationFraction: 0 } },
  dataset,
);

// 3. Train a few steps.
for (let step = 1; step <= 5; step++) console.log(`step ${step}: loss ${(await trainer.step()).loss.toFixed(3)}`);

// 4. Sample with the EMA weights and write an SDF.
const { molecules: generated } = await eq.sampleMolecules(trainer.toModel('demo'), { count: 3, seed: 1, steps: 50, workers: 2 });
for (const mol of generated) console.log(mol.elements.join(''));
console.log(eq.writeSdf(generated).split('\n').length > 3 ? 'SDF ok' : 'SDF empty');
