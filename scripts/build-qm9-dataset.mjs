// Builds equimol's packed QM9 training datasets from the shared conformers.
// Usage: node scripts/build-qm9-dataset.mjs heavy|h OUT.eqd [--data-dir DIR]   (DIR holds qm9/; default ../shared/data)
import { join } from 'node:path';
import { writeFileAtomic, readSdfFile, buildDataset } from '@equimol/core/node';

const [variant, out, flag, dataDir = '../shared/data'] = process.argv.slice(2);
if (!['heavy', 'h'].includes(variant) || !out || (flag !== undefined && flag !== '--data-dir')) {
  console.error('usage: node scripts/build-qm9-dataset.mjs heavy|h OUT.eqd [--data-dir DIR]');
  process.exit(2);
}
const source = join(dataDir, 'qm9', 'qm9_train_conformers.sdf.gz');
const heavy = variant === 'heavy';
const dataset = await buildDataset(readSdfFile(source), {
  name: heavy ? 'qm9-heavy-conformers' : 'qm9-h-conformers',
  source: 'shared/data/qm9/qm9_train_conformers.sdf.gz (RDKit ETKDGv3 + MMFF94 conformers of QM9 molecules outside EDM\'s test split)',
  removeHydrogens: heavy,
  elements: heavy ? ['C', 'N', 'O', 'F'] : ['H', 'C', 'N', 'O', 'F'],
  includeCharges: true,
});
await writeFileAtomic(out, dataset.toBytes());
console.log(`${out}: ${dataset.count} molecules, atom-count histogram ${JSON.stringify(dataset.atomCountHistogram())}`);
