import { spawn } from 'node:child_process';
import { exportStandaloneHtml, startViewerServer } from '@equimol/viewer/server';
import type { Argv, CommandModule } from 'yargs';
import { type GlobalArgs, note } from '../context.js';
import { UsageError } from '../errors.js';
import { bytes } from '../format.js';
import { DEFAULT_MODEL, resolveModelDirectory, shippedModels } from '../models.js';
import { integerOption } from '../options.js';
import { prepareOutput, requireInputFile, writeOutputs } from '../output.js';

interface ViewArgs extends GlobalArgs {
  file?: string;
  model?: string;
  port?: number;
  open?: boolean;
  export?: string;
  force: boolean;
}

/** The system's "open this URL" command. */
function openInBrowser(url: string): void {
  const [cmd, ...argv] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  const child = spawn(cmd!, argv, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`equimol: could not start a browser (${cmd}); open ${url} yourself\n`));
  child.unref();
}

/** `equimol view`: the viewer on the loopback interface, or one standalone HTML file. */
export const viewCommand: CommandModule<GlobalArgs, ViewArgs> = {
  command: 'view [file]',
  describe: 'Show molecules or a denoising trajectory in the browser',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .usage(
        "$0 view [file] [options]\n\nServes the viewer for one file on 127.0.0.1 (this machine only) and prints its URL; Ctrl-C stops it. The page can also generate molecules in the browser with a model (--model, default: the shipped model). With --export, writes one HTML file with the viewer and the data inside instead.",
      )
      .positional('file', { type: 'string', describe: 'Trajectory or molecules: .sdf/.mol, .xyz, or trajectory .json' })
      .option('model', { alias: 'm', type: 'string', describe: "Model for the page's Generate button: name or directory (default: the shipped model, if installed)" })
      .option('port', { alias: 'p', type: 'number', describe: 'Port on 127.0.0.1 (default: a free one)' })
      .option('open', { type: 'boolean', describe: 'Open the page in the default browser' })
      .option('export', { type: 'string', describe: 'Write a standalone HTML page here instead of serving' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite the --export file' })
      .conflicts('export', ['port', 'open', 'model'])
      .example('$0 view traj.sdf --open', 'watch the denoising chains')
      .example('$0 view traj.sdf --export traj.html', 'one file to send to a colleague')
      .example('$0 view -m runs/mine/model', 'generate in the browser with your model') as unknown as Argv<ViewArgs>,
  handler: async (args) => {
    if (args.file !== undefined) {
      requireInputFile(args.file, 'file to view');
      if (!/\.(sdf|sd|mol|xyz|json)$/i.test(args.file)) throw new UsageError(`${args.file}: the viewer opens .sdf, .mol, .xyz and trajectory .json files`);
    }
    if (args.export !== undefined) {
      if (args.file === undefined) throw new UsageError('--export needs the file to embed: equimol view FILE --export page.html');
      const file = args.file;
      if (!/\.html?$/i.test(args.export)) throw new UsageError(`--export ${args.export}: give an .html file name`);
      const out = await prepareOutput(args.export, args.force);
      await writeOutputs([out], async () => {
        const { bytes: size } = await exportStandaloneHtml({ file, out: out.tempPath });
        note(args, `${out.path}: standalone viewer with ${file} (${bytes(size)})`);
      });
      return;
    }
    const port = integerOption('port', args.port, 0);
    if (port !== undefined && port > 65535) throw new UsageError(`--port must be between 0 and 65535, got ${port}`);
    const modelDir = args.model !== undefined ? resolveModelDirectory(args.model) : shippedModels().includes(DEFAULT_MODEL) ? resolveModelDirectory(DEFAULT_MODEL) : undefined;
    const server = await startViewerServer({
      ...(args.file !== undefined ? { file: args.file } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(modelDir !== undefined ? { modelDir } : {}),
    });
    // The URL alone on stdout, so scripts can read it; instructions on stderr.
    process.stdout.write(`${server.url}\n`);
    const what = [args.file, modelDir ? `generation with ${modelDir}` : undefined].filter(Boolean).join(' and ');
    note(args, `serving ${what || 'the viewer'} on 127.0.0.1 only; press Ctrl-C to stop`);
    if (args.open) openInBrowser(server.url);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
