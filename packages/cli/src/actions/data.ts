import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildDataset, type ConformerJob, generateConformers, isElementSymbol, type Molecule, newReadStats, type ReadStats } from '@equimol/core/node';
import { type GlobalArgs, note } from '../context.js';
import { UsageError } from '../errors.js';
import { formatOfPath, outputFormat, readMolecules, writeMolecules } from '../files.js';
import { bytes, duration } from '../format.js';
import { integerOption, parseList } from '../options.js';
import { prepareOutput, requireInputFile, writeOutputs } from '../output.js';
import { createProgress } from '../progress.js';
import type { BuildArgs, ConformersArgs, ConvertArgs } from '../commands/data.js';

/** Reads every input in turn, counting skipped records per file when `skipInvalid`. */
async function* readInputs(paths: string[], skipInvalid: boolean, args: GlobalArgs): AsyncGenerator<Molecule> {
  for (const path of paths) {
    const stats: ReadStats = newReadStats();
    yield* readMolecules(path, { skipInvalid, stats });
    if (stats.skipped > 0) note(args, `${path}: skipped ${stats.skipped} malformed record(s); first: ${stats.errors[0]?.message ?? ''}`);
    for (const w of stats.warnings) note(args, `${path}: ${w}`);
  }
}

/** SMILES file lines: `SMILES [name]`, blank lines and `#` comments skipped, and a header `smiles ...`; with 1-based line numbers. */
function parseSmilesFile(text: string): { jobs: ConformerJob[]; lines: number[] } {
  const jobs: ConformerJob[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [smiles, ...rest] = line.split(/\s+/);
    if (jobs.length === 0 && /^smiles$/i.test(smiles!)) return;
    const name = rest.join(' ');
    jobs.push(name ? { smiles: smiles!, name } : { smiles: smiles! });
    lines.push(i + 1);
  });
  return { jobs, lines };
}

/** Runs `equimol data build`. */
export async function runDataBuild(args: BuildArgs): Promise<void> {
  for (const path of args.inputs) requireInputFile(path);
  if (!/\.eqd$/i.test(args.output)) throw new UsageError(`-o ${args.output}: datasets are written as .eqd files`);
  const maxAtoms = integerOption('max-atoms', args.maxAtoms);
  const elements = parseList(args.elements);
  for (const e of elements ?? []) if (!isElementSymbol(e)) throw new UsageError(`--elements: "${e}" is not an element symbol`);
  const out = await prepareOutput(args.output, args.force);
  const started = performance.now();
  await writeOutputs([out], async () => {
    const dataset = await buildDataset(readInputs(args.inputs, args.skipInvalid, args), {
      name: args.name ?? basename(args.output).replace(/\.eqd$/i, ''),
      source: args.inputs.map((p) => basename(p)).join(', '),
      removeHydrogens: args.removeHydrogens,
      ...(elements ? { elements } : {}),
      ...(maxAtoms !== undefined ? { maxAtoms } : {}),
      properties: parseList(args.properties) ?? [],
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
  const workers = integerOption('workers', args.workers)!;
  const seed = integerOption('seed', args.seed, 0)!;
  if (formatOfPath(args.output) !== 'sdf') throw new UsageError(`-o ${args.output}: conformers are written as SDF (.sdf or .sdf.gz)`);
  const { jobs, lines } = parseSmilesFile(await readFile(args.smiles, 'utf8'));
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
    await writeMolecules(out.tempPath, 'sdf', conformers());
  });
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  note(args, `${written} conformers → ${out.path} in ${duration(seconds)}${failed ? `; ${failed} SMILES failed (listed above)` : ''}`);
  if (written === 0) throw new Error(`no conformer could be made for any SMILES in ${args.smiles}`);
}

/** Runs `equimol data convert`. */
export async function runDataConvert(args: ConvertArgs): Promise<void> {
  requireInputFile(args.input);
  if (formatOfPath(args.input) === undefined) throw new UsageError(`${args.input}: unknown molecule file type (expected .sdf, .mol, .xyz, .npz or .json, optionally .gz)`);
  if (formatOfPath(args.output) === undefined) throw new UsageError(`${args.output}: unknown output type (expected .sdf, .xyz, .json or .npz; .gz for text formats)`);
  const format = outputFormat(args.output, undefined);
  const out = await prepareOutput(args.output, args.force);
  let count = 0;
  await writeOutputs([out], async () => {
    count = await writeMolecules(out.tempPath, format, readInputs([args.input], args.skipInvalid, args));
  });
  note(args, `${count} molecules → ${out.path}`);
}
