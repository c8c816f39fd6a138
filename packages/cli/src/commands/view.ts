// The `equimol view` command: its options, help and examples. The work is in ../actions/view.ts,
// loaded only when the command runs, so that `--help` and usage errors do not load tfjs and openchemlib.
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { type ArgsOf, type BuilderArgs, forceOption, modelOption } from './sharedOptions.js';

function builder(y: Argv<GlobalArgs>) {
  return y
    .usage(
      "$0 view [file] [options]\n\nServes the viewer for one file on 127.0.0.1 (this machine only) and prints its URL; Ctrl-C stops it. The page can also generate molecules in the browser with a model (--model, default: the shipped model, if installed). With --export, writes one HTML file with the viewer and the data inside instead.",
    )
    .positional('file', { type: 'string', describe: 'Trajectory or molecules: .sdf/.mol, .xyz, or trajectory .json' })
    .option('model', modelOption)
    .option('port', { alias: 'p', type: 'number', describe: 'Port on 127.0.0.1 (default: a free one)' })
    .option('open', { type: 'boolean', describe: 'Open the page in the default browser' })
    .option('export', { type: 'string', describe: 'Write a standalone HTML page here instead of serving' })
    .option('force', forceOption)
    .conflicts('export', ['port', 'open', 'model'])
    .example('$0 view traj.sdf --open', 'watch the denoising chains')
    .example('$0 view traj.sdf --export traj.html', 'one file to send to a colleague')
    .example('$0 view -m runs/mine/model', 'generate in the browser with your model');
}

/** Arguments of `equimol view`. */
export type ViewArgs = ArgsOf<typeof builder>;

/** `equimol view`: the viewer on the loopback interface, or one standalone HTML file. */
export const viewCommand: CommandModule<GlobalArgs, BuilderArgs<typeof builder>> = {
  command: 'view [file]',
  describe: 'Show molecules or a denoising trajectory in the browser',
  builder,
  handler: async (args) => (await import('../actions/view.js')).runView(args),
};
