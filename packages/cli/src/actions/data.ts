import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildDataset, checkBondsEncodable, type ConformerJob, kekuleBondEncoding, generateConformers, heavyAtomsOnly, isElementSymbol, type Molecule, findMoleculeFormat, moleculeFormatNamed, moleculeFormatOf, parseSmilesFile, writeMoleculeFile } from '@equimol/core/node';
import { note } from '../context.js';
import { UsageError } from '../errors.js';
import { type MoleculeCheck, readMoleculeFiles } from '../files.js';
import { bytes, duration } from '../format.js';
import { integerOption, parseList } from '../options.js';
import { prepareOutput, requireInputFile, writeOutputs } from '../output.js';
import { createProgress } from '../progress.js';
import type { BuildArgs, ConformersArgs, ConvertArgs } from '../commands/data.js';

/**
 * Why a molecule cannot go into the dataset `data build` was asked for, judged as buildDataset will
 * keep it (hydrogens removed first; molecules it drops as too large or empty are no misfits), so that
 * the error can name the file and record, which buildDataset no longer knows.
 */
function datasetMisfit(removeHydrogens: boolean, elements: string[] | undefined, properties: string[], maxAtoms: number | undefined, bonds: boolean): MoleculeCheck {
  const bondEncoding = kekuleBondEncoding();
  return (original) => {
    const mol = removeHydrogens ? heavyAtomsOnly(original) : original;
    if (mol.elements.length === 0 || (maxAtoms !== undefined && mol.elements.length > maxAtoms)) return undefined;
    const outside = mol.elements.find((e) => elements !== undefined && !elements.includes(e));
    if (outside !== undefined) return `element ${outside} is not in the vocabulary [${elements!.join(', ')}]`;
    const missing = properties.find((p) => !Number.isFinite(Number(mol.properties?.[p])));
    if (missing !== undefined) return `property ${missing} missing or not a number`;
    if (!bonds) return undefined;
    if (!mol.bonds) return 'has no bond block; --bonds takes bonds from the file, never from coordinates';
    try {
      checkBondsEncodable(bondEncoding, mol.elements.length, mol.bonds, mol.formalCharges);
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  };
}

/** Runs `equimol data build`. */
export async function runDataBuild(args: BuildArgs): Promise<void> {
  for (const path of args.inputs) requireInputFile(path);
  if (!/\.eqd$/i.test(args.output)) throw new UsageError(`-o ${args.output}: datasets are written as .eqd files`);
  const maxAtoms = integerOption('max-atoms', args.maxAtoms);
  const elements = parseList(args.elements);
  for (const e of elements ?? []) if (!isElementSymbol(e)) throw new UsageError(`--elements: "${e}" is not an element symbol`);
  const properties = parseList(args.properties) ?? [];
  const out = await prepareOutput(args.output, args.force);
  const started = performance.now();
  await writeOutputs([out], async () => {
    const molecules = readMoleculeFiles(args.inputs, args, datasetMisfit(args.removeHydrogens, elements, properties, maxAtoms, args.bonds));
    const dataset = await buildDataset(molecules, {
      name: args.name ?? basename(args.output).replace(/\.eqd$/i, ''),
      source: args.inputs.map((p) => basename(p)).join(', '),
      removeHydrogens: args.removeHydrogens,
      ...(elements ? { elements } : {}),
      ...(maxAtoms !== undefined ? { maxAtoms } : {}),
      properties,
      ...(args.bonds ? { bonds: true } : {}),
      onProgress: (read) => note(args, `read ${read} molecules`),
    });
    if (dataset.count === 0) throw new Error(`no molecules in ${args.inputs.join(', ')}`);
    const data = dataset.toBytes();
    await writeFile(out.tempPath, data);
    note(
      args,
      `${dataset.count} molecules, elements ${dataset.encoding.elements.join(' ')}, up to ${dataset.maxAtoms} atoms` +
        `${dataset.card.filters.length ? ` (${dataset.card.filters.join('; ')})` : ''} → ${out.path} (${bytes(data.byteLength)}, ${duration((performance.now() - started) / 1000)})`,
    );
  });
}

/** Runs `equimol data conformers`. */
export async function runDataConformers(args: ConformersArgs): Promise<void> {
  requireInputFile(args.smiles, '--smiles');
  const workers = integerOption('workers', args.workers) ?? 1;
  const seed = integerOption('seed', args.seed, 0)!;
  if (findMoleculeFormat(args.output)?.name !== 'sdf') throw new UsageError(`-o ${args.output}: conformers are written as SDF (.sdf or .sdf.gz)`);
  const entries = parseSmilesFile(await readFile(args.smiles, 'utf8'));
  const jobs: ConformerJob[] = entries.map(({ smiles, name }) => (name ? { smiles, name } : { smiles }));
  const lines = entries.map((e) => e.line);
  if (jobs.length === 0) throw new Error(`${args.smiles} holds no SMILES`);
  const out = await prepareOutput(args.output, args.force);
  const progress = createProgress('conformers', jobs.length, 'molecules', args.quiet);
  const started = performance.now();
  let failed = 0;
  let written = 0;
  async function* conformers(): AsyncGenerator<Molecule> {
    let done = 0;
    progress.update(0);
    for await (const outcome of generateConformers(jobs, { workers, seed })) {
      // Let the event loop run between molecules, so Ctrl-C is handled (and the partial file removed) at once.
      await new Promise((resolve) => setImmediate(resolve));
      progress.update(++done);
      if (!outcome.molecule) {
        failed++;
        progress.log(`${args.smiles}, line ${lines[outcome.index]}: no conformer for ${outcome.error}`);
        continue;
      }
      written++;
      if (outcome.warning) progress.log(`${args.smiles}, line ${lines[outcome.index]}: ${outcome.smiles}: ${outcome.warning}`);
      const properties: Record<string, string> = { SMILES: outcome.smiles };
      if (outcome.name) properties.name = outcome.name;
      if (outcome.energy !== undefined) properties.mmff94_energy = outcome.energy.toFixed(4);
      if (outcome.warning) properties.warning = outcome.warning;
      yield { ...outcome.molecule, title: outcome.name ?? outcome.smiles, properties };
    }
  }
  await writeOutputs([out], async () => {
    await writeMoleculeFile(out.tempPath, conformers(), moleculeFormatNamed('sdf'));
  });
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  note(args, `${written} conformers → ${out.path} in ${duration(seconds)}${failed ? `; ${failed} SMILES failed (listed above)` : ''}`);
  if (written === 0) throw new Error(`no conformer could be made for any SMILES in ${args.smiles}`);
}

/** Runs `equimol data convert`. */
export async function runDataConvert(args: ConvertArgs): Promise<void> {
  requireInputFile(args.input);
  moleculeFormatOf(args.input);
  const format = moleculeFormatOf(args.output);
  const out = await prepareOutput(args.output, args.force);
  let count = 0;
  await writeOutputs([out], async () => {
    count = await writeMoleculeFile(out.tempPath, readMoleculeFiles([args.input], args), format);
  });
  note(args, `${count} molecules → ${out.path}`);
}
