// equimol as a library: build a dataset from molecules, train a small EGNN diffusion model for a
// few steps, then sample new molecules from it. Run: node examples/library.mjs
import * as eq from '@equimol/core/node';

await eq.selectNodeBackend(); // native TensorFlow if installed, else tfjs-wasm, else cpu

// 1. Molecules → a packed dataset (here six QM9 conformers shipped as a fixture).
const molecules = eq.readSdfFile(new URL('../data/fixtures/chem/qm9-train-sample.sdf', import.meta.url).pathname);
const dataset = await eq.buildDataset(molecules, { name: 'demo', source: 'fixture', removeHydrogens: true, elements: ['C', 'N', 'O', 'F'] });

// 2. A model: EDM's EGNN dynamics (small here) and EDM's noise schedule.
const egnn = { ...eq.edmEgnnConfig(eq.featureCount(dataset.encoding), 32, 2) };
const schedule = { ...eq.EDM_QM9_SCHEDULE, timesteps: 100 };
const training = eq.defaultTrainingConfig({ batchSize: 6, microBatch: 6, validationFraction: 0, validateEvery: 0, checkpointEvery: 0 });
const engine = new eq.LocalGradientEngine({ egnn, schedule, microBatch: 6 });
const trainer = new eq.Trainer({ egnn, schedule }, dataset, training, engine);

// 3. Train a few steps.
for (let step = 1; step <= 5; step++) {
  const { loss } = await trainer.step();
  console.log(`step ${step}: loss ${loss.toFixed(3)}`);
}

// 4. Sample with the EMA weights and write an SDF.
const model = eq.createModel(
  { name: 'demo', egnn, schedule, encoding: dataset.encoding, atomCountHistogram: dataset.atomCountHistogram() },
  trainer.current.ema,
);
const { molecules: generated } = eq.sampleMolecules(model, { count: 3, seed: 1, steps: 50 });
for (const mol of generated) console.log(mol.elements.join(''));
console.log(eq.writeSdf(generated).split('\n').length > 3 ? 'SDF ok' : 'SDF empty');
