// The `equimol info` command: its options, help and examples. The work is in ../actions/info.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { DEFAULT_MODEL } from '../models.js';
import { BACKEND_NAMES } from '../options.js';

/** Arguments of `equimol info`. */
export interface InfoArgs extends GlobalArgs {
  model: string;
  backend?: string;
  json: boolean;
}

/** `equimol info`: the backend in use and why, and the model card of a model. */
export const infoCommand: CommandModule<GlobalArgs, InfoArgs> = {
  command: 'info',
  describe: 'Show the compute backend and the model card of a model',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage('$0 info [options]\n\nPrints which tfjs backend equimol uses and why (and which faster ones were skipped), then the card of a model: architecture, parameters, training data, training run, and its README.')
      .option('model', { alias: 'm', type: 'string', default: DEFAULT_MODEL, describe: 'Shipped model name or a model directory' })
      .option('backend', { choices: BACKEND_NAMES, describe: 'Try this backend first' })
      .option('json', { type: 'boolean', default: false, describe: 'Print as JSON' })
      .example('$0 info', 'backend and the default model')
      .example('EQUIMOL_BACKEND=cpu $0 info -m runs/mine/model', 'another backend and a model you trained') as unknown as Argv<InfoArgs>,
  handler: async (args) => (await import('../actions/info.js')).runInfo(args),
};
