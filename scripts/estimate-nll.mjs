// Test-set NLL of a model, as EDM reports it:
//   node scripts/estimate-nll.mjs MODEL_DIR [--limit N] [--seed S] [--test-npz FILE]
// Reads EDM's QM9 test split (default ../shared/data/qm9/edm_qm9_test.npz; hydrogens dropped for
// heavy-atom models) and prints the mean −log p(x, h) in nats per molecule with its standard error.
import { buildDataset, datasetNll, loadModelDirectory, readEdmNpzFile, selectNodeBackend } from '@equimol/core/node';
import { parseScriptArgs } from './lib/args.mjs';

const { modelDir, limit, seed, 'test-npz': npz } = parseScriptArgs({
  usage: 'node scripts/estimate-nll.mjs MODEL_DIR [--limit N] [--seed S] [--test-npz FILE]',
  positionals: ['modelDir'],
  options: { limit: { type: 'number', default: Infinity }, seed: { type: 'number', default: 0 }, 'test-npz': { type: 'string', default: '../shared/data/qm9/edm_qm9_test.npz' } },
});
await selectNodeBackend();
const model = await loadModelDirectory(modelDir);
const molecules = (await readEdmNpzFile(npz)).slice(0, limit);
const { elements, includeCharges } = model.meta.encoding;
const dataset = await buildDataset(molecules, { name: 'qm9-test', source: 'edm_qm9_test.npz', removeHydrogens: !elements.includes('H'), elements, includeCharges });
const t0 = Date.now();
const r = datasetNll(model, dataset, { seed, onProgress: (d, n) => process.stderr.write(`\r${d}/${n}`) });
process.stderr.write('\n');
console.log(JSON.stringify({ model: modelDir, step: model.meta.training?.step, molecules: r.molecules, nll: r.nll, standardError: r.standardError, terms: r.terms, seconds: (Date.now() - t0) / 1000 }, null, 1));
