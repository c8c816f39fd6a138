#!/usr/bin/env node
// Heavy-atom composition of molecule files and EDM validity (heavy-atom view) by the number of
// heteroatoms (N, O, F) per molecule. Separates "more valid molecules" from "simpler molecules": a
// sampler that only makes molecules carbon-richer raises validity without being better at any
// given composition. Used for the type-noise finding in data/models/qm9-heavy/README.md.
//
//   pnpm build && node scripts/research/composition.mjs FILE... [--limit N]
import { checkValidity, heavyAtomsOnly, readMoleculeFile } from '@equimol/core/node';
import { parseScriptArgs } from '../lib/args.mjs';

const { files, limit } = parseScriptArgs({
  usage: 'node scripts/research/composition.mjs FILE... [--limit N]',
  positionals: ['files...'],
  options: { limit: { type: 'number', default: Infinity } },
});
const pct = (k, n) => (n === 0 ? '–' : `${((100 * k) / n).toFixed(1)} %`);
console.log('| file | molecules | C | N | O | F | valid | valid with 0 / 1 / 2 / 3 / ≥4 heteroatoms (molecules) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const file of files) {
  const atoms = { C: 0, N: 0, O: 0, F: 0 };
  let total = 0, molecules = 0, valid = 0;
  const byHetero = Array.from({ length: 5 }, () => ({ n: 0, valid: 0 }));
  for await (const mol of readMoleculeFile(file)) {
    if (molecules >= limit) break;
    const heavy = heavyAtomsOnly(mol);
    let hetero = 0;
    for (const e of heavy.elements) {
      atoms[e] = (atoms[e] ?? 0) + 1;
      total++;
      if (e !== 'C') hetero++;
    }
    const ok = checkValidity(heavy).valid;
    const bin = byHetero[Math.min(hetero, 4)];
    bin.n++;
    if (ok) (bin.valid++, valid++);
    molecules++;
  }
  const bins = byHetero.map((b) => `${pct(b.valid, b.n)} (${b.n})`).join(' / ');
  console.log(`| ${file} | ${molecules} | ${pct(atoms.C, total)} | ${pct(atoms.N, total)} | ${pct(atoms.O, total)} | ${pct(atoms.F, total)} | ${pct(valid, molecules)} | ${bins} |`);
}
