import { spawn } from 'node:child_process';
import { handleInterrupts, moleculeFormatOf } from '@equimol/core/node';
import { exportStandaloneHtml, startViewerServer } from '@equimol/viewer/server';
import { note } from '../context.js';
import { UsageError } from '../errors.js';
import { bytes } from '../format.js';
import { DEFAULT_MODEL, resolveModelDirectory, shippedModels } from '../models.js';
import { integerOption } from '../options.js';
import { prepareOutput, requireInputFile, writeOutputs } from '../output.js';
import type { ViewArgs } from '../commands/view.js';

/** The system's "open this URL" command. */
function openInBrowser(url: string): void {
  const [cmd, ...argv] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  const child = spawn(cmd!, argv, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`equimol: could not start a browser (${cmd}); open ${url} yourself\n`));
  child.unref();
}

/** `equimol view`: the viewer on the loopback interface, or one standalone HTML file. */
export async function runView(args: ViewArgs): Promise<void> {
  if (args.file !== undefined) {
    requireInputFile(args.file, 'file to view');
    moleculeFormatOf(args.file); // the viewer opens every format core reads
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
  // Ctrl-C is how a user ends `view`, so it exits 0; a second signal while the server closes exits at once.
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  await handleInterrupts({ onInterrupt: () => stop() }, async () => {
    await stopped;
    await server.close().catch(() => {});
  });
}
