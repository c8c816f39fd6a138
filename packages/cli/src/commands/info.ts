// The `equimol info` command: its options, help and examples. The work is in ../actions/info.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, backendOption, type BuilderArgs, gpuOption, modelOption } from './sharedOptions.js';

function builder(y: Argv<GlobalArgs>) {
  return y
    .usage('$0 info [options]\n\nPrints which tfjs backend equimol uses and why (and which faster ones were skipped), then the card of a model: architecture, parameters, training data, training run, and its README.')
    .option('model', modelOption)
    .option('backend', backendOption)
    .option('gpu', gpuOption)
    .option('json', { type: 'boolean', default: false, describe: 'Print as JSON' })
    .example('$0 info', 'backend and the default model')
    .example('EQUIMOL_BACKEND=cpu $0 info -m runs/mine/model', 'another backend and a model you trained')
    .example('$0 info --backend webgpu', 'the GPU adapter WebGPU uses, and the adapters --gpu can choose');
}

/** Arguments of `equimol info`. */
export type InfoArgs = ArgsOf<typeof builder>;

/** `equimol info`: the backend in use and why, and the model card of a model. */
export const infoCommand: CommandModule<GlobalArgs, BuilderArgs<typeof builder>> = {
  command: 'info',
  describe: 'Show the compute backend and the model card of a model',
  builder,
  handler: async (args) => (await import('../actions/info.js')).runInfo(args),
};
