import { mkdir, readFile } from 'node:fs/promises';
import {
  buildDataset,
  collectDistributions,
  datasetNll,
  loadModelDirectory,
  collectDrugDescriptors,
  DRUG_DESCRIPTOR_LABELS,
  DRUG_DESCRIPTORS,
  type DrugEvaluationReport,
  evaluateDrugLikeMolecules,
  loadRdkit,
  registerOpenchemlibResources,
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
import { activateBackend, note } from '../context.js';
import { DEFAULT_MODEL, resolveModelDirectory } from '../models.js';
import { integerOption } from '../options.js';
import { createProgress } from '../progress.js';
import { readMoleculeFiles } from '../files.js';
import { percent, table } from '../format.js';
import { type HistogramSpec, writeHistogramPngs } from '../histogramPlots.js';
import { UsageError } from '../errors.js';
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

const fixed = (v: number | null, digits: number) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));

function drugReportTable(file: string, r: DrugEvaluationReport): string {
  const rows = [
    ['metric', 'value'],
    ['validity (exported Lewis structure, RDKit)', percent(r.validity)],
    ['connectivity (one piece)', percent(r.connectivity)],
    ['valid and connected', percent(r.validAndConnected)],
    ['uniqueness (of valid)', percent(r.uniqueness)],
    ['novelty (of unique, no stereo)', r.novelty === null ? 'n/a' : percent(r.novelty)],
    ["EDM's rule: validity (heavy atoms)", percent(r.edmValidity)],
    ["EDM's rule: valid and connected", percent(r.edmValidAndConnected)],
  ];
  const descriptorRows = [['descriptor (valid molecules)', 'mean', 'reference', 'W1']];
  for (const key of DRUG_DESCRIPTORS) {
    const d = r.descriptors[key];
    const digits = key === 'qed' || key === 'fractionSp3' ? 3 : 2;
    descriptorRows.push([DRUG_DESCRIPTOR_LABELS[key], fixed(d.mean, digits), fixed(d.referenceMean, digits), fixed(d.w1, 3)]);
  }
  let text = `${file}: ${r.molecules} molecules\n\n${table(rows)}\n\n${table(descriptorRows)}\n`;
  const g = r.geometry;
  if (g) {
    const geometryRows = [
      [`geometry checks (${g.checked} valid molecules)`, 'pass'],
      ['bond lengths within 25 %', percent(g.bondLengths)],
      ['bond angles within 25°', percent(g.bondAngles)],
      ['no internal clashes', percent(g.noClashes)],
      ['aromatic rings planar (0.25 Å)', percent(g.aromaticRingsFlat)],
      ['MMFF94 relaxation drop ≤ 1 kcal/mol per atom', percent(g.lowStrain)],
      ['all checks', percent(g.passesAll)],
      ['median MMFF94 energy per atom (kcal/mol)', fixed(g.medianEnergyPerAtom, 2)],
      ['median relaxation drop (kcal/mol)', fixed(g.medianStrain, 2)],
    ];
    text += `\n${table(geometryRows)}\n`;
  }
  const reasons = Object.entries(r.invalidReasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) text += `\nwhy exported structures are invalid:\n${table(reasons.slice(0, 8).map(([why, n]) => [`  ${why}`, String(n)]))}\n`;
  return text;
}

async function trainingIds(args: EvalArgs): Promise<Set<string> | undefined> {
  if (args.trainSmiles === undefined) return undefined;
  const reference = referenceSetFromSmiles(parseSmilesFile(await readFile(args.trainSmiles, 'utf8')).map((e) => e.smiles));
  if (reference.ids.size === 0) throw new Error(`${args.trainSmiles}: no SMILES openchemlib can read`);
  if (reference.unparsed.length > 0) note(args, `${args.trainSmiles}: ${reference.unparsed.length} SMILES could not be read (first: ${reference.unparsed[0]}); novelty uses the other ${reference.ids.size}`);
  return reference.ids;
}

/** `equimol eval --drug`: the drug-discovery report, with histograms on request. */
async function runDrugEval(args: EvalArgs, molecules: Molecule[]): Promise<void> {
  registerOpenchemlibResources();
  const rdkit = await loadRdkit();
  const ids = await trainingIds(args);
  const reference = args.reference !== undefined ? collectDrugDescriptors(rdkit, await readAll(args.reference, args)) : undefined;
  if (reference && reference.qed.length === 0) throw new Error(`${args.reference}: no valid molecule to compare with`);
  const { report, samples } = evaluateDrugLikeMolecules(rdkit, molecules, {
    ...(ids ? { trainingIds: ids } : {}),
    ...(reference ? { reference } : {}),
    geometry: args.geometry,
  });
  if (args.plots !== undefined) {
    await mkdir(args.plots, { recursive: true });
    const specs: HistogramSpec[] = DRUG_DESCRIPTORS.map((key) => ({
      name: key,
      label: DRUG_DESCRIPTOR_LABELS[key],
      values: samples[key],
      ...(reference ? { reference: reference[key], note: `W1 = ${fixed(report.descriptors[key].w1, 3)}` } : {}),
      integer: ['hbd', 'hba', 'rotatableBonds', 'rings', 'aromaticRings', 'heavyAtoms'].includes(key),
    }));
    const paths = await writeHistogramPngs(args.plots, specs);
    note(args, `${paths.length} histograms → ${args.plots}`);
  }
  if (args.json) process.stdout.write(JSON.stringify({ file: args.file, ...report }, null, 2) + '\n');
  else process.stdout.write(drugReportTable(args.file, report));
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

/** Options that belong to the metrics reports, not to --nll (and the other way round). */
function checkNllOptions(args: EvalArgs): void {
  const reportOnly: [string, boolean][] = [
    ['--drug', args.drug],
    ['--scaffold', args.scaffold !== undefined],
    ['--reference', args.reference !== undefined],
    ['--train-smiles', args.trainSmiles !== undefined],
    ['--plots', args.plots !== undefined],
  ];
  const nllOnly: [string, boolean][] = [
    ['--model', args.model !== undefined],
    ['--limit', args.limit !== undefined],
    ['--seed', args.seed !== undefined],
  ];
  if (args.nll) {
    const clash = reportOnly.find(([, given]) => given);
    if (clash) throw new UsageError(`${clash[0]} belongs to the metrics report, not to --nll: run eval once for each`);
  } else {
    const stray = nllOnly.find(([, given]) => given);
    if (stray) throw new UsageError(`${stray[0]} needs --nll (the likelihood of the molecules under a model)`);
  }
}

/** `equimol eval --nll`: the molecules' NLL under a model, EDM's test-set likelihood. */
async function runNllEval(args: EvalArgs): Promise<void> {
  const limit = integerOption('limit', args.limit);
  const seed = integerOption('seed', args.seed, 0) ?? 0;
  const modelDir = resolveModelDirectory(args.model ?? DEFAULT_MODEL);
  await activateBackend(args);
  const model = await loadModelDirectory(modelDir);
  const molecules = (await readAll(args.file, args)).slice(0, limit);
  if (molecules.length === 0) throw new Error(`${args.file} holds no molecules`);
  const { elements, includeCharges } = model.meta.encoding;
  // Seen as the model sees molecules: a heavy-atom model's data had its hydrogens removed.
  const dataset = await buildDataset(molecules, { name: args.file, source: args.file, removeHydrogens: !elements.includes('H'), elements, includeCharges });
  const progress = createProgress('likelihood', dataset.count, 'molecules', args.quiet);
  progress.update(0);
  const r = await datasetNll(model, dataset, { seed, onProgress: (done) => progress.update(done) });
  progress.finish();
  const step = model.meta.training?.step;
  if (args.json) {
    process.stdout.write(JSON.stringify({ file: args.file, model: modelDir, step: step ?? null, seed, molecules: r.molecules, nll: r.nll, standardError: r.standardError, terms: r.terms }, null, 2) + '\n');
    return;
  }
  const rows = [
    ['term', 'nats per molecule'],
    ['−log p(x, h)', `${r.nll.toFixed(2)} ± ${r.standardError.toFixed(2)}`],
    ['prior KL', r.terms.klPrior.toFixed(4)],
    ['diffusion (T·L_t)', r.terms.diffusion.toFixed(2)],
    ['L_0', r.terms.l0.toFixed(2)],
    ['normalising constants', r.terms.constants.toFixed(2)],
  ];
  const of = `${model.meta.name}${step !== undefined ? `, step ${step}` : ''}`;
  process.stdout.write(`${args.file}: ${r.molecules} molecules under ${of} (seed ${seed}; ± one standard error)\n\n${table(rows)}\n`);
}

/** `equimol eval`: EDM's metrics (and distribution distances) of a molecule file, as a table or JSON. */
export async function runEval(args: EvalArgs): Promise<void> {
  requireInputFile(args.file, 'molecules to evaluate');
  checkNllOptions(args);
  if (args.nll) return runNllEval(args);
  if (args.trainSmiles !== undefined) requireInputFile(args.trainSmiles, '--train-smiles');
  if (args.reference !== undefined) requireInputFile(args.reference, '--reference');
  if (!args.drug && args.plots !== undefined) throw new UsageError('--plots needs --drug (histograms of the drug-likeness descriptors)');
  if (args.scaffold !== undefined) requireInputFile(args.scaffold, '--scaffold');
  if (args.drug && args.scaffold !== undefined) throw new UsageError('--scaffold and --drug are separate reports: run eval once with each');
  const molecules = await readAll(args.file, args);
  if (molecules.length === 0) throw new Error(`${args.file} holds no molecules`);
  if (args.drug) return runDrugEval(args, molecules);
  const options: EvaluationOptions = { hydrogens: args.hydrogens };
  const ids = await trainingIds(args);
  if (ids) options.trainingIds = ids;
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
