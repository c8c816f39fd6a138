// The `equimol data` commands (build, conformers, convert): options, help and examples. The work is
// in ../actions/data.ts, loaded only when a command runs.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, type BuilderArgs, forceOption, skipInvalidOption, workersOption } from './sharedOptions.js';

function buildBuilder(y: Argv<GlobalArgs>) {
  return y
    .usage('$0 data build <inputs..> -o OUT.eqd [options]\n\nReads SDF, XYZ (QM9 originals too), EDM npz or equimol JSON files and packs elements and coordinates into one dataset file that `equimol train --data` loads in milliseconds.')
    .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'Molecule files' })
    .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Dataset file to write (.eqd)' })
    .option('name', { type: 'string', describe: 'Dataset name for model cards (default: the output file name)' })
    .option('remove-hydrogens', { type: 'boolean', default: false, describe: "Drop hydrogens (EDM's heavy-atom QM9 variant)" })
    .option('elements', { type: 'string', describe: 'Element vocabulary, e.g. C,N,O,F (default: every element seen)' })
    .option('properties', { type: 'string', describe: 'Numeric SDF data fields to keep, e.g. homo,lumo' })
    .option('max-atoms', { type: 'number', describe: 'Skip molecules with more atoms (after hydrogen removal)' })
    .option('bonds', { type: 'boolean', default: false, describe: "Keep the files' Kekulé bonds and formal charges as given (never perceived), for models that generate bonds" })
    .option('skip-invalid', skipInvalidOption)
    .option('force', forceOption)
    .example('$0 data build qm9.sdf.gz -o qm9-heavy.eqd --remove-hydrogens --elements C,N,O,F', "EDM's QM9 without hydrogens")
    .example('$0 data build mine.sdf -o mine.eqd', 'your own molecules, all elements kept')
    .example('$0 data build zinc.sdf.gz -o zinc-bonds.eqd --elements C,N,O,F,S,Cl,Br,I,P --bonds', 'with bonds and formal charges, for a bond model');
}

function conformersBuilder(y: Argv<GlobalArgs>) {
  return y
    .usage("$0 data conformers --smiles in.smi -o out.sdf [options]\n\nOne 3D conformer per SMILES with explicit hydrogens: openchemlib's conformer generator, then an MMFF94s+ minimisation. Turn your own molecules into a training set with `equimol data build out.sdf -o mine.eqd`.")
    .option('smiles', { type: 'string', demandOption: true, describe: 'SMILES file: one `SMILES [name]` per line, # comments and a `smiles` header skipped' })
    .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'SD file to write (.sdf or .sdf.gz)' })
    .option('workers', workersOption('1'))
    .option('seed', { type: 'number', default: 0, describe: 'Seed of the torsion choices (line i uses seed + i)' })
    .option('force', forceOption)
    .example('$0 data conformers --smiles mine.smi -o mine.sdf -j 2', 'conformers on two threads');
}

function convertBuilder(y: Argv<GlobalArgs>) {
  return y
    .usage("$0 data convert <input> <output> [options]\n\nFormats by file extension, read and written alike: .sdf/.mol, .xyz (QM9 originals too when read), .npz (EDM's processed-QM9 layout), .json (equimol molecule lists); any of them gzipped with .gz.")
    .positional('input', { type: 'string', demandOption: true, describe: 'Molecule file to read' })
    .positional('output', { type: 'string', demandOption: true, describe: 'Molecule file to write' })
    .option('skip-invalid', skipInvalidOption)
    .option('force', forceOption)
    .example('$0 data convert qm9/test.npz qm9-test.sdf', "EDM's npz to SDF")
    .example('$0 data convert out.sdf out.xyz', 'SDF to multi-frame XYZ');
}

/** Arguments of `equimol data build`. */
export type BuildArgs = ArgsOf<typeof buildBuilder>;
/** Arguments of `equimol data conformers`. */
export type ConformersArgs = ArgsOf<typeof conformersBuilder>;
/** Arguments of `equimol data convert`. */
export type ConvertArgs = ArgsOf<typeof convertBuilder>;

const buildCommand: CommandModule<GlobalArgs, BuilderArgs<typeof buildBuilder>> = {
  command: 'build <inputs..>',
  describe: 'Pack molecule files into a training dataset (.eqd)',
  builder: buildBuilder,
  handler: async (args) => (await import('../actions/data.js')).runDataBuild(args),
};

const conformersCommand: CommandModule<GlobalArgs, BuilderArgs<typeof conformersBuilder>> = {
  command: 'conformers',
  describe: 'Make 3D conformers for SMILES (openchemlib + MMFF94)',
  builder: conformersBuilder,
  handler: async (args) => (await import('../actions/data.js')).runDataConformers(args),
};

const convertCommand: CommandModule<GlobalArgs, BuilderArgs<typeof convertBuilder>> = {
  command: 'convert <input> <output>',
  describe: 'Convert molecules between SDF, XYZ, npz and JSON',
  builder: convertBuilder,
  handler: async (args) => (await import('../actions/data.js')).runDataConvert(args),
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
