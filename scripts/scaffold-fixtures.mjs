#!/usr/bin/env node
// Builds the scaffold fixtures of data/fixtures/scaffolds/ (constrained generation, issue 19): for
// each scaffold SMILES, the first QM9 test molecule with 1–3 heavy atoms more that contains it and is
// valid by EDM's own check (bonds perceived from its heavy atoms' distances, as `eval` judges), and
// the scaffold's atoms cut out of it with their coordinates (the molecule's frame) and bonds. Also
// one two-fragment file for linker design (a ring and a nitrile, the atoms between them removed).
//
// furan-source.sdf is furan's source molecule whole, hydrogens included.
//
//   pnpm build && node scripts/scaffold-fixtures.mjs --data ../shared/data/qm9/edm_qm9_test.npz [--out data/fixtures/scaffolds]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignBondOrders, bondDistance, checkValidity, heavyAtomsOnly, moleculeOfSmiles, readEdmNpzFile, smilesOfCanonicalId, substructureMatches, writeSdf } from '@equimol/core/node';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const data = option('--data');
const out = option('--out', 'data/fixtures/scaffolds');
if (!data) {
  console.error('usage: node scripts/scaffold-fixtures.mjs --data edm_qm9_test.npz [--out DIR]');
  process.exit(2);
}
const scaffolds = [
  ['benzene', 'c1ccccc1'],
  ['pyridine', 'c1ccncc1'],
  ['furan', 'c1ccoc1'],
  ['imidazole', 'c1cnc[nH]1'],
  ['cyclohexane', 'C1CCCCC1'],
  ['oxetane', 'C1COC1'],
  ['nitrile', 'CC#N'],
];
const withHydrogens = (await readEdmNpzFile(data)).map((m) => assignBondOrders(m).molecule);
const molecules = withHydrogens.map((m, index) => ({ index, mol: heavyAtomsOnly(m) }));

/** The atoms `keep` of `mol` with the bonds among them, renumbered. */
function cut(mol, keep, title, properties) {
  const at = new Map(keep.map((a, i) => [a, i]));
  return {
    title,
    elements: keep.map((a) => mol.elements[a]),
    positions: Float64Array.from(keep.flatMap((a) => [0, 1, 2].map((d) => mol.positions[3 * a + d]))),
    bonds: mol.bonds.filter((b) => at.has(b.a) && at.has(b.b)).map((b) => ({ a: at.get(b.a), b: at.get(b.b), order: b.order })),
    properties,
  };
}

mkdirSync(out, { recursive: true });
const rows = [];
for (const [name, smiles] of scaffolds) {
  const frag = moleculeOfSmiles(smiles);
  const k = frag.elements.filter((e) => e !== 'H').length;
  const hit = molecules.find(({ mol }) => mol.elements.length > k && mol.elements.length <= k + 3 && checkValidity(mol).valid && substructureMatches(mol, frag).length > 0);
  if (!hit) throw new Error(`no QM9 test molecule with ${k + 1}–${k + 3} heavy atoms contains ${smiles}`);
  const source = smilesOfCanonicalId(checkValidity(hit.mol, { bonds: hit.mol.bonds }).id);
  const match = [...substructureMatches(hit.mol, frag)[0]].sort((a, b) => a - b);
  writeFileSync(join(out, `${name}.sdf`), writeSdf([cut(hit.mol, match, `${name} from QM9 test molecule ${hit.index}`, { scaffold: smiles, source: source, source_index: String(hit.index) })]));
  if (name === 'furan') {
    // The whole source molecule with its hydrogens: `--fix-atoms` picks from it, and its H are dropped for heavy-atom models.
    writeFileSync(join(out, 'furan-source.sdf'), writeSdf([{ ...withHydrogens[hit.index], title: `QM9 test molecule ${hit.index} with hydrogens`, properties: { source } }]));
  }
  rows.push(`| \`${name}.sdf\` | ${smiles} | ${k} | ${hit.index} | ${source} (${hit.mol.elements.length} heavy atoms) |`);
}
// Linker design: a ring and a nitrile joined by 1–2 atoms in a QM9 test molecule, the two in one
// record without the atoms between them (the linker to design).
const nitrile = moleculeOfSmiles('C#N');
linker: for (const [ringName, ringSmiles] of [['benzene', 'c1ccccc1'], ['furan', 'c1ccoc1'], ['cyclopentane', 'C1CCCC1'], ['cyclohexane', 'C1CCCCC1']]) {
  const ring = moleculeOfSmiles(ringSmiles);
  for (const { index, mol } of molecules) {
    const r = substructureMatches(mol, ring)[0];
    const n = substructureMatches(mol, nitrile)[0];
    if (!r || !n) continue;
    // Every other atom lies on the path between the two.
    const between = bondDistance(mol, r, n) - 1;
    if (between < 1 || between > 2 || mol.elements.length !== r.length + n.length + between || !checkValidity(mol).valid) continue;
    const name = `${ringName}+nitrile.sdf`;
    const source = smilesOfCanonicalId(checkValidity(mol, { bonds: mol.bonds }).id);
    const keep = [...r, ...n].sort((a, b) => a - b);
    writeFileSync(join(out, name), writeSdf([cut(mol, keep, `${ringName} and nitrile from QM9 test molecule ${index}`, { source, source_index: String(index) })]));
    rows.push(`| \`${name}\` | ${ringSmiles} + C#N (two fragments, ${between} linker atom(s) in the source) | ${keep.length} | ${index} | ${source} (${mol.elements.length} heavy atoms) |`);
    break linker;
  }
}
console.log('| file | scaffold | atoms | QM9 test index | source molecule |\n|---|---|---|---|---|\n' + rows.join('\n'));
