#!/usr/bin/env node
// Checks equimol's EDM metrics against an independent evaluation (EDM's bond tables and allowed
// valences, RDKit sanitisation) on QM9: the 13,083 DFT molecules of EDM's test split and the 95,206
// training conformers in ../shared/data/qm9. Every number must agree within 0.5 percentage points.
//
//   pnpm build && node scripts/calibrate-metrics.mjs [--set test|train|all] [--limit N] [--data-dir DIR]
//
// DIR holds qm9/ (default ../shared/data). Exits 0 when all checks pass (or when DIR has no qm9/:
// nothing to check), 1 otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScriptArgs } from './lib/args.mjs';

const { set, limit, 'data-dir': dataDir } = parseScriptArgs({
  usage: 'node scripts/calibrate-metrics.mjs [--set test|train|all] [--limit N] [--data-dir DIR]',
  options: { set: { type: 'string', default: 'all' }, limit: { type: 'number', default: Infinity }, 'data-dir': { type: 'string', default: '../shared/data' } },
});
const qm9 = join(dataDir, 'qm9');
const TOLERANCE = 0.5; // percentage points

// Reference figures (/work/shared/data/README.md), in percent.
const REFERENCE = {
  test: { file: 'edm_qm9_test.npz', count: 13083, atomStability: 99.34, moleculeStability: 95.22, validity: 97.74, heavyValidity: 97.94 },
  train: { file: 'qm9_train_conformers.sdf.gz', count: 95206, atomStability: 98.69, moleculeStability: 91.54, validity: 96.73, heavyValidity: 97.04 },
};

if (!existsSync(qm9)) {
  console.log(`calibrate-metrics: ${qm9} not found; nothing to check.`);
  process.exit(0);
}
// Loaded after the check above, so that a machine without the data needs no build.
const core = await import('@equimol/core/node');
const nodeIo = core;

const sets = set === 'all' ? ['test', 'train'] : [set];

/** Streams stability/validity counts over a molecule source. */
async function measure(molecules) {
  const c = { molecules: 0, atoms: 0, stableAtoms: 0, stableMolecules: 0, valid: 0, heavyValid: 0, validIds: [] };
  for await (const mol of molecules) {
    if (c.molecules >= limit) break;
    c.molecules++;
    const s = core.checkStability(mol);
    c.atoms += s.atoms;
    c.stableAtoms += s.stableAtoms;
    if (s.stable) c.stableMolecules++;
    const v = core.checkValidity(mol);
    if (v.valid) {
      c.valid++;
      c.validIds.push(v.id);
    }
    if (core.checkValidity(core.heavyAtomsOnly(mol)).valid) c.heavyValid++;
  }
  return c;
}

const pct = (x) => (100 * x).toFixed(2);
let failures = 0;
const rows = [];
for (const set of sets) {
  const ref = REFERENCE[set];
  const path = join(qm9, ref.file);
  const started = Date.now();
  const source = set === 'test' ? await nodeIo.readEdmNpzFile(path) : nodeIo.readSdfFile(path);
  const c = await measure(source);
  const seconds = (Date.now() - started) / 1000;
  const measured = {
    atomStability: c.stableAtoms / c.atoms,
    moleculeStability: c.stableMolecules / c.molecules,
    validity: c.valid / c.molecules,
    heavyValidity: c.heavyValid / c.molecules,
  };
  const partial = c.molecules !== ref.count;
  console.log(`\n${set}: ${ref.file}, ${c.molecules} molecules${partial ? ` (of ${ref.count}; reference figures are for all)` : ''}, ${seconds.toFixed(0)} s`);
  console.log('metric                 measured  reference  difference');
  for (const key of ['atomStability', 'moleculeStability', 'validity', 'heavyValidity']) {
    const diff = 100 * measured[key] - ref[key];
    const ok = Math.abs(diff) <= TOLERANCE;
    if (!ok && !partial) failures++;
    console.log(`${key.padEnd(22)} ${pct(measured[key]).padStart(8)}  ${ref[key].toFixed(2).padStart(9)}  ${diff >= 0 ? '+' : ''}${diff.toFixed(2).padStart(5)}  ${ok ? 'ok' : partial ? '(partial run)' : 'FAIL'}`);
    rows.push({ set, key, measured: pct(measured[key]), reference: ref[key] });
  }
  const uniqueness = core.uniqueness(c.validIds);
  console.log(`uniqueness (canonical ids of valid molecules): ${pct(uniqueness)} %`);
  if (set === 'test') {
    const training = core.referenceSetFromSmiles(readFileSync(join(qm9, 'train_smiles.txt'), 'utf8').split('\n'));
    console.log(`novelty of the test split against train_smiles.txt: ${pct(core.novelty(c.validIds, training.ids))} % (${training.ids.size} training ids, ${training.unparsed.length} SMILES openchemlib could not parse)`);
  }
}
console.log(failures === 0 ? '\ncalibrate-metrics: all checks within ±0.5 points' : `\ncalibrate-metrics: ${failures} check(s) off by more than 0.5 points`);
process.exit(failures === 0 ? 0 : 1);
