// What a perfect heavy-atom model would export: takes real conformers, keeps only the heavy atoms'
// elements and coordinates (no bonds), and runs them through `sample`'s export
// (finishGeneratedMolecule: bond orders, Kekulé structure, formal charges, MMFF94 hydrogens).
// Prints, per element, how often the exported compound is the file's own (canonical ids, no stereo),
// and writes the exported molecules as SDF for `eval --drug` or scripts/judge-molecules.mjs.
//
// Usage: node scripts/export-heavy-atoms.mjs CONFORMERS.sdf[.gz] OUT.sdf [--limit N] [--elements S,Cl,...]
//   --elements: only molecules containing one of these elements
import { writeFileSync } from 'node:fs';
import { canonicalId, finishGeneratedMolecule, heavyAtomsOnly, readSdfFile, registerOpenchemlibResources, toOcl, writeSdf } from '@equimol/core/node';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [file, out] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const limit = Number(option('--limit') ?? Infinity);
const only = option('--elements')?.split(',');
if (!file || !out || !(limit > 0)) {
  console.error('usage: node scripts/export-heavy-atoms.mjs CONFORMERS.sdf[.gz] OUT.sdf [--limit N] [--elements S,Cl,...]');
  process.exit(2);
}
registerOpenchemlibResources();
const exported = [];
const byElement = {};
for await (const mol of readSdfFile(file)) {
  if (exported.length >= limit) break;
  const heavy = heavyAtomsOnly(mol);
  if (only && !heavy.elements.some((e) => only.includes(e))) continue;
  const finished = finishGeneratedMolecule({ elements: heavy.elements, positions: heavy.positions, title: mol.title }, { addHydrogens: true });
  const same = canonicalId(toOcl(finished.molecule).ocl) === canonicalId(toOcl(heavy).ocl);
  for (const e of new Set(heavy.elements)) {
    const s = (byElement[e] ??= { molecules: 0, same: 0 });
    s.molecules++;
    if (same) s.same++;
  }
  exported.push(finished.molecule);
}
writeFileSync(out, writeSdf(exported));
console.log(`${exported.length} molecules → ${out}; exported compound = the file's (no stereo), by element:`);
for (const [e, s] of Object.entries(byElement)) console.log(`  ${e.padEnd(2)} ${String(s.molecules).padStart(5)} molecules  ${((100 * s.same) / s.molecules).toFixed(1)} %`);
