/**
 * `@equimol/viewer/server`: the loopback server behind `equimol view` and the standalone HTML export.
 * The server answers only for the viewer's built assets and the one file it was given.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EquimolError } from '@equimol/core/errors';

/** Options of `startViewerServer`. */
export interface ViewerServerOptions {
  /** The trajectory or molecule file to show (any format core reads: SDF, MOL, XYZ, npz, equimol JSON, optionally gzipped). Optional: without it the page opens empty. */
  file?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Only the IPv4 loopback is allowed: the viewer must not be reachable from other machines. */
  host?: '127.0.0.1';
  /**
   * An equimol model directory (`model.json` + its weights shard) to serve at `/model/` for the
   * page's Generate button. Without it, generation is available only if the app build contains a model.
   */
  modelDir?: string;
  /** Directory of the built viewer app (default: the one shipped next to this module). */
  appDir?: string;
}

/** A running viewer server. */
export interface ViewerServer {
  /** Page URL that opens the given file, e.g. `http://127.0.0.1:5173/?file=data%2Frun.sdf`. */
  url: string;
  port: number;
  /** Stops the server and closes open connections. */
  close(): Promise<void>;
}

/** Thrown when the viewer cannot be served or exported (missing build, unreadable file, bad option). */
export class ViewerServerError extends EquimolError {
  constructor(message: string) {
    super(message);
    this.name = 'ViewerServerError';
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.sdf': 'chemical/x-mdl-sdfile; charset=utf-8',
  '.mol': 'chemical/x-mdl-molfile; charset=utf-8',
  '.xyz': 'chemical/x-xyz; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The built app: `dist/app` next to `dist/server` (built package) or under the package (run from source). */
export function defaultAppDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../app'), resolve(here, '../dist/app')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

async function checkedAppDir(appDir: string | undefined): Promise<string> {
  const dir = appDir ?? defaultAppDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new ViewerServerError(`the viewer app is not built (no ${join(dir, 'index.html')}); run \`pnpm build\` first`);
  }
  return realpath(dir);
}

async function checkedFile(file: string): Promise<string> {
  let s;
  try {
    s = await stat(file);
  } catch {
    throw new ViewerServerError(`${file}: no such file`);
  }
  if (!s.isFile()) throw new ViewerServerError(`${file}: not a regular file`);
  return realpath(file);
}

/** Route of the served file: a fixed prefix and its base name (the name tells the page which reader to use). */
const DATA_PREFIX = '/data/';
const MODEL_PREFIX = '/model/';

/** Files of a model directory the server may send: model.json and the shards its manifest names. */
async function modelRoutes(dir: string): Promise<Map<string, string>> {
  const json = join(dir, 'model.json');
  let meta: { format?: unknown; weightsManifest?: { paths?: unknown }[] };
  try {
    meta = JSON.parse(await readFile(json, 'utf8'));
  } catch (e) {
    throw new ViewerServerError(`${dir}: no readable model.json (${(e as Error).message})`);
  }
  if (meta.format !== 'equimol-model') throw new ViewerServerError(`${json} is not an equimol model (format ${JSON.stringify(meta.format)})`);
  const routes = new Map([[MODEL_PREFIX + 'model.json', await checkedFile(json)]]);
  for (const group of meta.weightsManifest ?? []) {
    for (const shard of Array.isArray(group.paths) ? group.paths : []) {
      // Shard names come from a file: only plain names in the model directory are served.
      if (typeof shard !== 'string' || !/^[\w.-]+$/.test(shard) || shard.startsWith('.')) {
        throw new ViewerServerError(`${json} names weights file ${JSON.stringify(shard)}, which is not a plain file name`);
      }
      routes.set(MODEL_PREFIX + shard, await checkedFile(join(dir, shard)));
    }
  }
  return routes;
}

/**
 * Maps a request path to a file under `root`, or `undefined` when it would leave `root` (`..`,
 * encoded `%2e%2e`, backslashes, NUL) or names a dot-file. Decoding happens once, before the checks.
 */
export function resolveUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return undefined;
  const full = resolve(root, ...segments);
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body + '\n');
}

async function sendFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const body = await readFile(path);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // The page only talks to this server; nothing it loads may come from elsewhere.
    'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self' blob: data:",
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Starts the viewer on the loopback interface: serves the built app, at `/data/<name>` the one `file`
 * given and, with `modelDir`, that model's files at `/model/`. Every other path, and any path that
 * would leave the app directory, is a 404. Requests whose Host header is not this loopback address
 * are refused (DNS rebinding).
 */
export async function startViewerServer(options: ViewerServerOptions = {}): Promise<ViewerServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new ViewerServerError(`the viewer serves on 127.0.0.1 only, not ${String(host)}`);
  const appDir = await checkedAppDir(options.appDir);
  const file = options.file === undefined ? undefined : await checkedFile(options.file);
  const fileRoute = file === undefined ? undefined : DATA_PREFIX + encodeURIComponent(basename(file));
  const fixed = options.modelDir === undefined ? new Map<string, string>() : await modelRoutes(options.modelDir);
  if (file !== undefined && fileRoute !== undefined) fixed.set(fileRoute, file);
  let port = options.port ?? 0;

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      const hostHeader = req.headers.host ?? '';
      if (hostHeader !== `127.0.0.1:${port}` && hostHeader !== `localhost:${port}`) return send(res, 403, 'forbidden host');
      const rawPath = (req.url ?? '/').split(/[?#]/)[0]!;
      const fixedFile = fixed.get(rawPath);
      if (fixedFile !== undefined) return sendFile(req, res, fixedFile);
      const path = rawPath === '/' ? '/index.html' : rawPath;
      const target = resolveUnder(appDir, path);
      if (!target) return send(res, 404, 'not found');
      let real: string;
      try {
        real = await realpath(target);
        if (!(await stat(real)).isFile()) return send(res, 404, 'not found');
      } catch {
        return send(res, 404, 'not found');
      }
      // A symlink inside the build must not lead outside it either.
      if (!real.startsWith(appDir + sep)) return send(res, 404, 'not found');
      return sendFile(req, res, real);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(e as Error).message}`);
      else res.destroy();
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? new ViewerServerError(`port ${port} on ${host} is in use; pick another with --port`) : e),
    );
    server.listen(port, host, () => ok());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  const query = fileRoute === undefined ? '' : `?file=${encodeURIComponent(fileRoute.slice(1))}`;
  return {
    url: `http://${host}:${port}/${query}`,
    port,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((e) => (e ? fail(e) : ok()));
        server.closeAllConnections();
      }),
  };
}

/** Options of `exportStandaloneHtml`. */
export interface StandaloneOptions {
  /** The trajectory or molecule file to embed. */
  file: string;
  /** Where to write the HTML file. */
  out: string;
  /** Directory of the built viewer app (default: the one shipped next to this module). */
  appDir?: string;
}

/** A string made safe to sit inside an inline <script> or <style> element. */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

/**
 * Writes one self-contained HTML file that shows `file` with no server: the viewer's JS and CSS and
 * the file itself (base64) are inlined. In-browser generation is off in this export: neither the
 * model weights nor tfjs's wasm binaries are embedded, and the page says so on the Generate button.
 */
export async function exportStandaloneHtml(options: StandaloneOptions): Promise<{ out: string; bytes: number }> {
  const appDir = await checkedAppDir(options.appDir);
  const file = await checkedFile(options.file);
  let html = await readFile(join(appDir, 'index.html'), 'utf8');
  const asset = async (ref: string) => {
    const path = resolveUnder(appDir, ref.replace(/^\.\//, '/'));
    if (!path) throw new ViewerServerError(`index.html refers to ${ref}, outside the app`);
    return readFile(path, 'utf8');
  };

  const scripts = [...html.matchAll(/<script type="module"[^>]*\ssrc="([^"]+)"[^>]*><\/script>/g)];
  if (scripts.length !== 1) throw new ViewerServerError(`expected one module script in ${join(appDir, 'index.html')}, found ${scripts.length}`);
  for (const m of scripts) {
    const js = await asset(m[1]!);
    // A static import of another chunk cannot be inlined; dynamic ones (generation) are never reached here.
    if (/^\s*import\s*[^(]*?from\s*["']\.\//m.test(js)) throw new ViewerServerError('the viewer entry chunk imports other chunks statically; it cannot be inlined');
    html = html.replace(m[0], () => `<script type="module">${inlineSafe(js, 'script')}</script>`);
  }
  for (const m of [...html.matchAll(/<link rel="stylesheet"[^>]*\shref="([^"]+)"[^>]*>/g)]) {
    const css = await asset(m[1]!);
    html = html.replace(m[0], () => `<style>${inlineSafe(css, 'style')}</style>`);
  }
  html = html.replace(/<link rel="modulepreload"[^>]*>\s*/g, '');
  const data = (await readFile(file)).toString('base64');
  const name = basename(file).replace(/[^\w.+-]/g, '_');
  const embed =
    `<script>window.__EQUIMOL_STANDALONE__ = true;</script>\n` +
    `<script type="application/octet-stream" id="equimol-embedded-file" data-name="${name}">${data}</script>\n`;
  html = html.replace('</head>', () => `${embed}</head>`);
  await writeFile(options.out, html);
  return { out: options.out, bytes: Buffer.byteLength(html) };
}
