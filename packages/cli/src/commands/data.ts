import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildDataset, type ConformerJob, generateConformers, isElementSymbol, type Molecule, newReadStats, type ReadStats } from '@equimol/core/node';
import type { Argv, CommandModule } from 'yargs';
import { type GlobalArgs, note } from '../context.js';
import { UsageError } from '../errors.js';
import { formatOfPath, outputFormat, readMolecules, writeMolecules } from '../files.js';
import { bytes, duration } from '../format.js';
import { integerOption, parseList } from '../options.js';
import { prepareOutput, requireInputFile, writeOutputs } from '../output.js';
import { createProgress } from '../progress.js';

interface BuildArgs extends GlobalArgs {
  inputs: string[];
  output: string;
  name?: string;
  removeHydrogens: boolean;
  elements?: string;
  properties?: string;
  maxAtoms?: number;
  skipInvalid: boolean;
  force: boolean;
}

interface ConformersArgs extends GlobalArgs {
  smiles: string;
  output: string;
  workers: number;
  seed: number;
  force: boolean;
}

interface ConvertArgs extends GlobalArgs {
  input: string;
  output: string;
  skipInvalid: boolean;
  force: boolean;
}

/** Reads every input in turn, counting skipped records per file when `skipInvalid`. */
async function* readInputs(paths: string[], skipInvalid: boolean, args: GlobalArgs): AsyncGenerator<Molecule> {
  for (const path of paths) {
    const stats: ReadStats = newReadStats();
    yield* readMolecules(path, { skipInvalid, stats });
    if (stats.skipped > 0) note(args, `${path}: skipped ${stats.skipped} malformed record(s); first: ${stats.errors[0]?.message ?? ''}`);
    for (const w of stats.warnings) note(args, `${path}: ${w}`);
  }
}

const buildCommand: CommandModule<GlobalArgs, BuildArgs> = {
  command: 'build <inputs..>',
  describe: 'Pack molecule files into a training dataset (.eqd)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage('$0 data build <inputs..> -o OUT.eqd [options]\n\nReads SDF, XYZ (QM9 originals too), EDM npz or equimol JSON files and packs elements and coordinates into one dataset file that `equimol train --data` loads in milliseconds.')
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'Molecule files' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Dataset file to write (.eqd)' })
      .option('name', { type: 'string', describe: 'Dataset name for model cards (default: the output file name)' })
      .option('remove-hydrogens', { type: 'boolean', default: false, describe: "Drop hydrogens (EDM's heavy-atom QM9 variant)" })
      .option('elements', { type: 'string', describe: 'Element vocabulary, e.g. C,N,O,F (default: every element seen)' })
      .option('properties', { type: 'string', describe: 'Numeric SDF data fields to keep, e.g. homo,lumo' })
      .option('max-atoms', { type: 'number', describe: 'Skip molecules with more atoms (after hydrogen removal)' })
      .option('skip-invalid', { type: 'boolean', default: false, describe: 'Skip malformed records (counted) instead of stopping' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite the output' })
      .example('$0 data build qm9.sdf.gz -o qm9-heavy.eqd --remove-hydrogens --elements C,N,O,F', "EDM's QM9 without hydrogens")
      .example('$0 data build mine.sdf -o mine.eqd', 'your own molecules, all elements kept') as unknown as Argv<BuildArgs>,
  handler: async (args) => {
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
  },
};

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

const conformersCommand: CommandModule<GlobalArgs, ConformersArgs> = {
  command: 'conformers',
  describe: 'Make 3D conformers for SMILES (openchemlib + MMFF94)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage('$0 data conformers --smiles in.smi -o out.sdf [options]\n\nOne 3D conformer per SMILES with explicit hydrogens: openchemlib\'s conformer generator, then an MMFF94s+ minimisation. Turn your own molecules into a training set with `equimol data build out.sdf -o mine.eqd`.')
      .option('smiles', { type: 'string', demandOption: true, describe: 'SMILES file: one `SMILES [name]` per line' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'SD file to write (.sdf or .sdf.gz)' })
      .option('workers', { alias: 'j', type: 'number', default: 1, describe: 'Worker threads' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the torsion choices (line i uses seed + i)' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite the output' })
      .example('$0 data conformers --smiles mine.smi -o mine.sdf -j 2', 'conformers on two threads') as unknown as Argv<ConformersArgs>,
  handler: async (args) => {
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
  },
};

const convertCommand: CommandModule<GlobalArgs, ConvertArgs> = {
  command: 'convert <input> <output>',
  describe: 'Convert molecules between SDF, XYZ, npz (read only) and JSON',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage("$0 data convert <input> <output> [options]\n\nFormats by file extension: .sdf/.mol, .xyz (QM9 originals too), .npz (EDM's processed QM9; read only: equimol does not write npz), .json (equimol molecule lists); any of them gzipped with .gz.")
      .positional('input', { type: 'string', demandOption: true, describe: 'Molecule file to read' })
      .positional('output', { type: 'string', demandOption: true, describe: 'Molecule file to write' })
      .option('skip-invalid', { type: 'boolean', default: false, describe: 'Skip malformed records (counted) instead of stopping' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite the output' })
      .example('$0 data convert qm9/test.npz qm9-test.sdf', "EDM's npz to SDF")
      .example('$0 data convert out.sdf out.xyz', 'SDF to multi-frame XYZ') as unknown as Argv<ConvertArgs>,
  handler: async (args) => {
    requireInputFile(args.input);
    if (formatOfPath(args.input) === undefined) throw new UsageError(`${args.input}: unknown molecule file type (expected .sdf, .mol, .xyz, .npz or .json, optionally .gz)`);
    if (formatOfPath(args.output) === undefined) throw new UsageError(`${args.output}: unknown output type (expected .sdf, .xyz or .json, optionally .gz)`);
    const format = outputFormat(args.output, undefined);
    const out = await prepareOutput(args.output, args.force);
    let count = 0;
    await writeOutputs([out], async () => {
      count = await writeMolecules(out.tempPath, format, readInputs([args.input], args.skipInvalid, args));
    });
    note(args, `${count} molecules → ${out.path}`);
  },
};

/** `equimol data`: build datasets, make conformers from SMILES, convert between formats. */
export const dataCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'data',
  describe: 'Datasets and molecule files: build, conformers, convert',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage('$0 data <command> [options]')
      .command(buildCommand)
      .command(conformersCommand)
      .command(convertCommand)
      .demandCommand(1, 'name a data command: build, conformers or convert')
      .example('$0 data conformers --smiles mine.smi -o mine.sdf', 'SMILES → 3D')
      .example('$0 data build mine.sdf -o mine.eqd', '3D → training set'),
  handler: () => {},
};
