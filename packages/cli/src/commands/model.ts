// The `equimol model` commands (average): options, help and examples. The work is in
// ../actions/model.ts, loaded only when a command runs.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, type BuilderArgs, forceOption, modelOption } from './sharedOptions.js';

function averageBuilder(y: Argv<GlobalArgs>) {
  return y
    .usage(
      "$0 model average <checkpoints..> -m MODEL -o OUT [options]\n\nA model whose weights are the mean of the EMA weights of several trainer checkpoints (.eqt) of one run: a longer average than the EMA's. model.json comes from MODEL, the model the run exported with the latest of the checkpoints (its step, epoch and time stay); its training record names the checkpoints averaged.",
    )
    .positional('checkpoints', { type: 'string', array: true, demandOption: true, describe: 'Trainer checkpoints (.eqt) of one run' })
    .option('model', { ...modelOption, demandOption: true, describe: 'The model the run exported with the latest checkpoint: a name under data/models or a directory' })
    .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Model directory to write' })
    .option('force', forceOption)
    .example('$0 model average runs/r/step-00056000.eqt runs/r/step-00061000.eqt -m runs/r/model -o runs/r/mean', 'the mean of two checkpoints');
}

/** Arguments of `equimol model average`. */
export type AverageArgs = ArgsOf<typeof averageBuilder>;

const averageCommand: CommandModule<GlobalArgs, BuilderArgs<typeof averageBuilder>> = {
  command: 'average <checkpoints..>',
  describe: 'Average the EMA weights of trainer checkpoints into a model',
  builder: averageBuilder,
  handler: async (args) => (await import('../actions/model.js')).runModelAverage(args),
};

/** `equimol model`: work on trained models (average checkpoints). */
export const modelCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'model',
  describe: 'Trained models: average checkpoints',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage('$0 model <command> [options]')
      .command(averageCommand)
      .demandCommand(1, 'name a model command: average'),
  handler: () => {},
};
