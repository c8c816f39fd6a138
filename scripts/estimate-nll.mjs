// Test-set NLL of a model, as EDM reports it: node scripts/estimate-nll.mjs MODEL_DIR [--limit N] [--seed S]
// Reads EDM's QM9 test split from ../shared/data/qm9/edm_qm9_test.npz (hydrogens dropped for
// heavy-atom models) and prints the mean −log p(x, h) in nats per molecule with its standard error.
import { buildDataset, datasetNll, loadModelDirectory, readEdmNpzFile, selectNodeBackend } from '@equimol/core/node';

const args = process.argv.slice(2);
const modelDir = args[0];
const flag = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
if (!modelDir) {
  console.error('usage: node scripts/estimate-nll.mjs MODEL_DIR [--limit N] [--seed S]');
  process.exit(2);
}
await selectNodeBackend();
const model = await loadModelDirectory(modelDir);
const npz = new URL('../../shared/data/qm9/edm_qm9_test.npz', import.meta.url).pathname;
const molecules = (await readEdmNpzFile(npz)).slice(0, flag('--limit', Infinity));
const { elements, includeCharges } = model.meta.encoding;
const dataset = await buildDataset(molecules, { name: 'qm9-test', source: 'edm_qm9_test.npz', removeHydrogens: !elements.includes('H'), elements, includeCharges });
const t0 = Date.now();
const r = datasetNll(model, dataset, { seed: flag('--seed', 0), onProgress: (d, n) => process.stderr.write(`\r${d}/${n}`) });
process.stderr.write('\n');
console.log(JSON.stringify({ model: modelDir, step: model.meta.training?.step, molecules: r.molecules, nll: r.nll, standardError: r.standardError, terms: r.terms, seconds: (Date.now() - t0) / 1000 }, null, 1));
