// The `equimol eval` command: its options, help and examples. The work is in ../actions/eval.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, backendOption, type BuilderArgs, gpuOption, modelOption, skipInvalidOption } from './sharedOptions.js';

function builder(y: Argv<GlobalArgs>) {
  return y
    .usage('$0 eval <file> [options]\n\nMeasures generated molecules as EDM does: atom and molecule stability, validity (largest fragment passes the valence check), uniqueness among valid molecules, novelty against training SMILES, and distances to a reference set.')
    .positional('file', { type: 'string', demandOption: true, describe: 'Molecules (.sdf, .xyz, .npz, .json, optionally .gz)' })
    .option('train-smiles', { type: 'string', describe: 'Training SMILES for novelty: one `SMILES [name]` per line, # comments and a `smiles` header skipped' })
    .option('reference', { type: 'string', describe: 'Reference molecules (e.g. the training set) for atom-type, bond-length, angle and ring-size distances' })
    .option('hydrogens', { choices: ['auto', 'explicit', 'implicit'] as const, default: 'auto' as const, describe: 'explicit: molecules carry their H; implicit: judge heavy atoms only (H in the file are dropped; the view for heavy-atom models); auto: implicit iff no H at all' })
    .option('drug', { type: 'boolean', default: false, describe: 'Drug-discovery report: validity of the exported Lewis structure (RDKit), uniqueness, novelty, descriptors and QED against --reference (Wasserstein-1), PoseBusters-style geometry checks; EDM\'s rule beside it' })
    .option('geometry', { type: 'boolean', default: true, describe: 'With --drug: run the geometry checks (MMFF94 relaxation, ~0.15 s per molecule); --no-geometry skips them' })
    .option('plots', { type: 'string', describe: 'With --drug: write a histogram PNG per descriptor into this folder' })
    .option('scaffold', { type: 'string', describe: 'Held atoms of `sample --fix` (first record): also report the share containing them as a substructure, their largest coordinate deviation, and for two fragments whether they are joined and by how many atoms' })
    .option('nll', { type: 'boolean', default: false, describe: "Instead: the molecules' negative log-likelihood under a model, as EDM reports it (nats per molecule, one random t per molecule plus the exact t = 0 term), with its standard error" })
    .option('model', { ...modelOption, describe: `With --nll: ${modelOption.describe}` })
    .option('limit', { type: 'number', describe: 'With --nll: only the first N molecules of the file' })
    .option('seed', { type: 'number', describe: 'With --nll: seed of the noise draws (default 0)' })
    .option('backend', backendOption)
    .option('gpu', gpuOption)
    .option('json', { type: 'boolean', default: false, describe: 'Print the full report as JSON' })
    .option('skip-invalid', skipInvalidOption)
    .example('$0 eval out.sdf', 'the metrics as a table')
    .example('$0 eval out.sdf --train-smiles qm9_train.smi --json > metrics.json', 'with novelty, as JSON')
    .example('$0 eval out.sdf --drug --reference zinc_test.sdf.gz --train-smiles zinc_train.smi --plots plots/', 'drug-likeness, QED and geometry against the test split, with histograms')
    .example('$0 eval decorated.sdf --scaffold scaffold.sdf', 'how well constrained generation kept the scaffold')
    .example('$0 eval edm_qm9_test.npz --nll -m qm9-heavy --json', "test-set NLL, as in EDM's table");
}

/** Arguments of `equimol eval`. */
export type EvalArgs = ArgsOf<typeof builder>;

/** `equimol eval`: EDM's metrics (and distribution distances) of a molecule file, as a table or JSON. */
export const evalCommand: CommandModule<GlobalArgs, BuilderArgs<typeof builder>> = {
  command: 'eval <file>',
  describe: "EDM's stability, validity, uniqueness and novelty of a molecule file",
  builder,
  handler: async (args) => (await import('../actions/eval.js')).runEval(args),
};
