// The server behind `equimol view`: serves the built viewer and the one file it was given, nothing else.
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, symlinkSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAppDir, exportStandaloneHtml, resolveUnder, startViewerServer, type ViewerServer } from '../packages/viewer/server/index.js';

const FIXTURE = resolve(__dirname, '../data/fixtures/trajectory-small.sdf');

/** A raw GET: node's http client sends the path as given (fetch would normalise `..` away). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('viewer server', () => {
  let server: ViewerServer;
  let port: number;

  beforeAll(async () => {
    server = await startViewerServer({ file: FIXTURE });
    port = server.port;
  });
  afterAll(() => server?.close());

  it('listens on the loopback and gives a URL that opens the file', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/?file=data%2Ftrajectory-small.sdf`);
  });

  it('serves the app and the given file', async () => {
    const index = await get(port, '/');
    expect(index.status).toBe(200);
    expect(index.type).toMatch(/text\/html/);
    expect(index.body).toContain('equimol');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)![1]!;
    expect((await get(port, `/${script}`)).status).toBe(200);
    const data = await get(port, '/data/trajectory-small.sdf');
    expect(data.status).toBe(200);
    expect(data.body).toBe(readFileSync(FIXTURE, 'utf8'));
  });

  it.each([
    '/../../etc/passwd',
    '/assets/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..%2f..%2fpackage.json',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/..%5c..%5cpackage.json',
    '/index.html%00.png',
    '//etc/passwd',
    '/data/../server/index.js',
    '/data/passwd',
    '/data/trajectory-small.sdf/../../../etc/passwd',
    '/.vite/manifest.json',
    '/%',
  ])('refuses %s', async (path) => {
    const res = await get(port, path);
    expect(res.status).toBe(404);
    expect(res.body).not.toMatch(/root:|"name"/);
  });

  it('refuses requests for another host name (DNS rebinding) and other methods', async () => {
    expect((await get(port, '/', { Host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(port, '/', {}, 'POST')).status).toBe(405);
    expect((await get(port, '/', { Host: `localhost:${port}` })).status).toBe(200);
  });

  it('will not listen beyond the loopback', async () => {
    await expect(startViewerServer({ file: FIXTURE, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('says what is wrong with a missing file or a missing build', async () => {
    await expect(startViewerServer({ file: '/nonexistent/run.sdf' })).rejects.toThrow(/run\.sdf: no such file/);
    await expect(startViewerServer({ appDir: '/nonexistent' })).rejects.toThrow(/not built.*pnpm build/);
  });
});

describe('viewer server with a model', () => {
  it('serves the model directory\'s model.json and weights shard at /model/, nothing else of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'equimol-model-'));
    try {
      const manifest = { format: 'equimol-model', weightsManifest: [{ paths: ['weights.bin'], weights: [] }] };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
      writeFileSync(join(dir, 'weights.bin'), 'WEIGHTS');
      writeFileSync(join(dir, 'train.jsonl'), 'private log');
      const s = await startViewerServer({ modelDir: dir });
      try {
        expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
        expect(JSON.parse((await get(s.port, '/model/model.json')).body)).toEqual(manifest);
        expect((await get(s.port, '/model/weights.bin')).body).toBe('WEIGHTS');
        expect((await get(s.port, '/model/train.jsonl')).status).toBe(404);
        expect((await get(s.port, '/model/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
      } finally {
        await s.close();
      }
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'equimol-model', weightsManifest: [{ paths: ['../../etc/passwd'] }] }));
      await expect(startViewerServer({ modelDir: dir })).rejects.toThrow(/not a plain file name/);
      writeFileSync(join(dir, 'model.json'), '{"format": "something-else"}');
      await expect(startViewerServer({ modelDir: dir })).rejects.toThrow(/not an equimol model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveUnder', () => {
  it('keeps paths inside the root and rejects the rest', () => {
    expect(resolveUnder('/srv/app', '/assets/a.js')).toBe('/srv/app/assets/a.js');
    expect(resolveUnder('/srv/app', '/a%20b.js')).toBe('/srv/app/a b.js');
    for (const bad of ['/../x', '/%2e%2e/x', '/a/%2E%2E/%2E%2E/x', '/a\\..\\x', '/x%00', '/.git/config', '/%E0%A4%A']) {
      expect(resolveUnder('/srv/app', bad)).toBeUndefined();
    }
  });

  it('does not follow a symlink out of the app directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'equimol-app-'));
    try {
      cpSync(defaultAppDir(), join(dir, 'app'), { recursive: true });
      mkdirSync(join(dir, 'secret'));
      writeFileSync(join(dir, 'secret', 'key.txt'), 'top secret');
      symlinkSync(join(dir, 'secret'), join(dir, 'app', 'linked'));
      const s = await startViewerServer({ appDir: join(dir, 'app') });
      try {
        expect((await get(s.port, '/linked/key.txt')).status).toBe(404);
      } finally {
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('exportStandaloneHtml', () => {
  it('inlines the app and the data into one HTML file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'equimol-standalone-'));
    try {
      const out = join(dir, 'view.html');
      const { bytes } = await exportStandaloneHtml({ file: FIXTURE, out });
      const html = readFileSync(out, 'utf8');
      expect(bytes).toBe(Buffer.byteLength(html));
      expect(html).not.toMatch(/<script[^>]+src=/);
      expect(html).not.toMatch(/<link[^>]+stylesheet/);
      expect(html).toContain('window.__EQUIMOL_STANDALONE__ = true');
      const embedded = /id="equimol-embedded-file" data-name="trajectory-small\.sdf">([^<]+)</.exec(html)![1]!;
      expect(Buffer.from(embedded, 'base64').toString('utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
