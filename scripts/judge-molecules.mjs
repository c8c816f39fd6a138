// The independent judge of issue #21, outside the test suite: bonds and bond orders are re-perceived
// from the coordinates of all atoms (hydrogens included) by Open Babel, then RDKit must sanitise the
// result, with no radical electrons; "connected" also needs one piece. QED and aromatic rings are
// RDKit's (QED as RDKit defines it, equimol's metrics/qed.ts). Nothing of equimol's own bond
// perception or export is used, so the judge cannot share its mistakes.
//
// Usage: node scripts/judge-molecules.mjs MOLECULES.sdf[.gz] [--limit N] [--json]
// Needs Debian's `openbabel` (obabel) on PATH. Calibration: the ZINC test conformers
// (/work/shared/data/zinc/zinc_test_conformers.sdf.gz) should come out at about 96.6 % valid.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRdkit, qed, rdkitAtoms, readSdfFile } from '@equimol/core/node';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--limit');
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Infinity;
if (!file || !(limit > 0)) {
  console.error('usage: node scripts/judge-molecules.mjs MOLECULES.sdf[.gz] [--limit N] [--json]');
  process.exit(2);
}

const molecules = [];
for await (const mol of readSdfFile(file)) {
  if (molecules.length >= limit) break;
  molecules.push(mol);
}
if (molecules.length === 0) {
  console.error(`${file}: no molecules`);
  process.exit(1);
}
if (!molecules.some((m) => m.elements.includes('H'))) console.error(`${file}: no hydrogens; the judge perceives bonds from all atoms, so give it molecules with hydrogens`);

// One multi-frame XYZ file, one obabel call; each frame's title is its index, to align the output.
const xyz = molecules
  .map((m, i) => {
    const lines = m.elements.map((e, a) => `${e} ${m.positions[3 * a].toFixed(5)} ${m.positions[3 * a + 1].toFixed(5)} ${m.positions[3 * a + 2].toFixed(5)}`);
    return `${m.elements.length}\nmol${i}\n${lines.join('\n')}\n`;
  })
  .join('');
const dir = mkdtempSync(join(tmpdir(), 'judge-'));
let smilesByIndex;
try {
  writeFileSync(join(dir, 'in.xyz'), xyz);
  const out = execFileSync('obabel', ['-ixyz', join(dir, 'in.xyz'), '-osmi'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  smilesByIndex = new Map();
  for (const line of out.split('\n')) {
    const [smiles, title] = line.trim().split(/\s+/);
    if (smiles && title?.startsWith('mol')) smilesByIndex.set(Number(title.slice(3)), smiles);
  }
} catch (e) {
  console.error(e.code === 'ENOENT' ? 'obabel not found: install Debian\'s openbabel package' : `obabel failed: ${e.message}`);
  process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rdkit = await loadRdkit();
let valid = 0;
let validConnected = 0;
const aromaticRings = [];
const qeds = [];
const reasons = {};
molecules.forEach((_, i) => {
  const smiles = smilesByIndex.get(i);
  const mol = smiles ? rdkit.get_mol(smiles) : null;
  let reason;
  if (!smiles) reason = 'Open Babel gave no SMILES';
  else if (!mol || !mol.is_valid()) reason = 'RDKit cannot sanitise it';
  else if (rdkitAtoms(mol).some((a) => a.nRad > 0)) reason = 'radical electrons';
  if (reason) {
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    mol?.delete();
    return;
  }
  valid++;
  if (!smiles.includes('.')) validConnected++;
  aromaticRings.push(JSON.parse(mol.get_descriptors()).NumAromaticRings);
  qeds.push(qed(rdkit, mol));
  mol.delete();
});
const n = molecules.length;
const mean = (v) => (v.length === 0 ? NaN : v.reduce((s, x) => s + x, 0) / v.length);
const report = {
  file,
  molecules: n,
  validity: valid / n,
  validAndConnected: validConnected / n,
  meanAromaticRingsOfValid: mean(aromaticRings),
  meanQedOfValid: mean(qeds),
  invalidReasons: reasons,
};
if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
else {
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  console.log(`${file}: ${n} molecules (bonds re-perceived by Open Babel from all atoms, RDKit sanitises, no radicals)`);
  console.log(`validity               ${pct(report.validity)}`);
  console.log(`valid and connected    ${pct(report.validAndConnected)}`);
  console.log(`aromatic rings (valid) ${report.meanAromaticRingsOfValid.toFixed(2)}`);
  console.log(`QED (valid)            ${report.meanQedOfValid.toFixed(3)}`);
  for (const [why, count] of Object.entries(reasons)) console.log(`  ${why}: ${count}`);
}
