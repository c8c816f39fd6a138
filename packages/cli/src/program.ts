import yargs, { type Argv } from 'yargs';
import { UsageError } from './errors.js';
import { sampleCommand } from './commands/sample.js';
import type { GlobalArgs } from './context.js';
import { cliVersion } from './version.js';
import { evalCommand } from './commands/eval.js';
import { infoCommand } from './commands/info.js';
import { dataCommand } from './commands/data.js';
import { trainCommand } from './commands/train.js';
import { viewCommand } from './commands/view.js';
import { modelCommand } from './commands/model.js';

/** The equimol command line: every command, global options, help with examples. */
export function buildProgram(argv: string[]): Argv<GlobalArgs> {
  const program = yargs(argv)
    .scriptName('equimol')
    .usage('$0 <command> [options]\n\nequimol generates 3D molecules with an E(3)-equivariant diffusion model (EDM, Hoogeboom et al. 2022).')
    .option('verbose', { type: 'boolean', default: false, global: true, describe: 'Explain more; stack traces on errors' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, global: true, describe: 'No progress or summary on stderr' })
    .command(sampleCommand)
    .command(evalCommand)
    .command(trainCommand)
    .command(dataCommand)
    .command(modelCommand)
    .command(viewCommand)
    .command(infoCommand)
    .demandCommand(1, 'name a command (see equimol --help)')
    .recommendCommands()
    .strict()
    .version(cliVersion())
    .help()
    .alias('help', 'h')
    .group(['verbose', 'quiet', 'help', 'version'], 'Global options:')
    .example('$0 sample -n 100 -o out.sdf', '100 molecules with the shipped model')
    .example('$0 eval out.sdf', "EDM's stability, validity and uniqueness")
    .example('$0 view out.sdf --open', 'look at them in the browser')
    .epilogue('Run `equimol <command> --help` for the options of a command. Exit status: 0 success, 1 failure, 2 bad usage, 130 interrupted by Ctrl-C (143 by SIGTERM).')
    .wrap(Math.min(110, yargs().terminalWidth()))
    .fail((message, error) => {
      if (error) throw error;
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: ..."): keep one line.
      throw new UsageError(`${message.replace(/:?\s*\n\s*/g, ': ').trim()} (see --help)`);
    });
  return program as unknown as Argv<GlobalArgs>;
}
