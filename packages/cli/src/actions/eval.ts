import { readFile } from 'node:fs/promises';
import {
  collectDistributions,
  type EvaluationOptions,
  type EvaluationReport,
  evaluateMolecules,
  evaluateScaffold,
  evaluationView,
  type Molecule,
  parseSmilesFile,
  referenceSetFromSmiles,
  type ScaffoldReport,
} from '@equimol/core/node';
import { note } from '../context.js';
import { readMoleculeFiles } from '../files.js';
import { percent, table } from '../format.js';
import { requireInputFile } from '../output.js';
import type { EvalArgs } from '../commands/eval.js';

async function readAll(path: string, args: EvalArgs): Promise<Molecule[]> {
  const molecules: Molecule[] = [];
  for await (const m of readMoleculeFiles([path], args)) molecules.push(m);
  return molecules;
}

function reportTable(file: string, r: EvaluationReport): string {
  const rows = [
    ['metric', 'value'],
    ['atom stability', percent(r.atomStability)],
    ['molecule stability', percent(r.moleculeStability)],
    ['validity', percent(r.validity)],
    ['connectivity (one piece)', percent(r.connectivity)],
    ['valid and connected', percent(r.validAndConnected)],
    ['uniqueness (of valid)', percent(r.uniqueness)],
    ['valid and unique', percent(r.validAndUnique)],
    ['novelty (of unique)', r.novelty === null ? 'n/a' : percent(r.novelty)],
  ];
  const d = r.distributions;
  if (d) {
    rows.push(
      ['atom types TV', d.atomTypesTV.toFixed(3)],
      ['bond types TV', d.bondTypesTV.toFixed(3)],
      ['bond lengths W1 (Å)', d.bondLengthsW1.toFixed(3)],
      ['bond angles W1 (°)', d.bondAnglesW1.toFixed(2)],
      ['ring sizes TV', d.ringSizesTV.toFixed(3)],
    );
  }
  const mode = r.hydrogens === 'implicit' ? 'heavy atoms, hydrogens implicit' : 'hydrogens explicit';
  let text = `${file}: ${r.molecules} molecules (${mode}), ${r.uniqueSmiles.length} distinct valid\n\n${table(rows)}\n`;
  if (r.novelty === null) text += '\nnovelty needs --train-smiles FILE\n';
  const reasons = Object.entries(r.invalidReasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    text += `\nwhy molecules are invalid:\n${table(reasons.slice(0, 8).map(([why, n]) => [`  ${why}`, String(n)]))}\n`;
    if (reasons.length > 8) text += `  … and ${reasons.length - 8} more reasons (see --json)\n`;
  }
  return text;
}

function scaffoldTable(file: string, r: ScaffoldReport): string {
  const rows = [
    ['scaffold metric', 'value'],
    [r.pieces === 2 ? 'contains both fragments' : 'contains the scaffold', percent(r.containsScaffold)],
    [r.pieces === 2 ? 'valid, connected, both fragments' : 'valid, connected, scaffold kept', percent(r.validConnectedWithScaffold)],
    ['held atoms: largest deviation', r.heldMaxDeviation === null ? 'n/a' : `${r.heldMaxDeviation.toFixed(4)} Å (${r.heldCompared} molecules)`],
  ];
  if (r.linker) {
    rows.push(['fragments joined into one molecule', percent(r.linker.joined)]);
    const lengths = Object.entries(r.linker.lengths).map(([atoms, n]) => `${atoms} atoms: ${n}`).join(', ');
    rows.push(['linker length (atoms between the fragments)', lengths || 'n/a']);
  }
  return `\n${file}: ${r.scaffoldAtoms} heavy atoms in ${r.pieces} piece(s)\n\n${table(rows)}\n`;
}

/** `equimol eval`: EDM's metrics (and distribution distances) of a molecule file, as a table or JSON. */
export async function runEval(args: EvalArgs): Promise<void> {
  requireInputFile(args.file, 'molecules to evaluate');
  if (args.trainSmiles !== undefined) requireInputFile(args.trainSmiles, '--train-smiles');
  if (args.reference !== undefined) requireInputFile(args.reference, '--reference');
  if (args.scaffold !== undefined) requireInputFile(args.scaffold, '--scaffold');
  const molecules = await readAll(args.file, args);
  if (molecules.length === 0) throw new Error(`${args.file} holds no molecules`);
  const options: EvaluationOptions = { hydrogens: args.hydrogens };
  if (args.trainSmiles !== undefined) {
    const reference = referenceSetFromSmiles(parseSmilesFile(await readFile(args.trainSmiles, 'utf8')).map((e) => e.smiles));
    if (reference.ids.size === 0) throw new Error(`${args.trainSmiles}: no SMILES openchemlib can read`);
    if (reference.unparsed.length > 0) note(args, `${args.trainSmiles}: ${reference.unparsed.length} SMILES could not be read (first: ${reference.unparsed[0]}); novelty uses the other ${reference.ids.size}`);
    options.trainingIds = reference.ids;
  }
  if (args.reference !== undefined) {
    // The reference is seen like the evaluated molecules (e.g. without its H in the heavy-atom view).
    const view = evaluationView(molecules, args.hydrogens).hydrogens;
    options.reference = collectDistributions(evaluationView(await readAll(args.reference, args), view).molecules);
  }
  const report = evaluateMolecules(molecules, options);
  let scaffold: ScaffoldReport | undefined;
  if (args.scaffold !== undefined) {
    const [held] = await readAll(args.scaffold, args);
    if (!held) throw new Error(`${args.scaffold} holds no molecule`);
    scaffold = evaluateScaffold(molecules, held, options);
  }
  if (args.json) {
    const scaffoldJson = scaffold ? { scaffold: { file: args.scaffold, ...scaffold, metrics: undefined } } : {};
    process.stdout.write(JSON.stringify({ file: args.file, ...report, ...scaffoldJson }, null, 2) + '\n');
  } else {
    process.stdout.write(reportTable(args.file, report));
    if (scaffold) process.stdout.write(scaffoldTable(args.scaffold!, scaffold));
  }
}
