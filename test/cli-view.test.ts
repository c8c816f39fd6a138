// `equimol view`: the loopback server (URL on stdout, the file served, Ctrl-C stops it) and the
// standalone HTML export; `equimol info`: backend and model card.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultModelDir, defaultModelName, equimol, FIXTURES, scratch, startEquimol } from './cli-run.js';

const TRAJECTORY = join(FIXTURES, 'trajectory-small.sdf');
const { dir, remove } = scratch('view');
afterAll(remove);

describe('equimol view', () => {
  it('serves the file on 127.0.0.1, prints the URL, and stops on Ctrl-C', async () => {
    const child = startEquimol(['view', TRAJECTORY], dir);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`equimol view exited with ${code}`)));
    });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?file=data%2Ftrajectory-small\.sdf$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('equimol');
      const data = await fetch(new URL('/data/trajectory-small.sdf', url));
      expect(await data.text()).toBe(readFileSync(TRAJECTORY, 'utf8'));
      // The shipped model is served for the page's Generate button.
      expect((await fetch(new URL('/model/model.json', url))).status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('opens the page in the browser with --open', async () => {
    // A stand-in for the desktop's URL opener that records what it was asked to open.
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > "${join(dir, 'opened.txt')}"\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const child = startEquimol(['view', TRAJECTORY, '--open'], dir, { PATH: `${bin}:${process.env.PATH}` });
    const url = await new Promise<string>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())));
    for (let i = 0; i < 50 && !existsSync(join(dir, 'opened.txt')); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    expect(readFileSync(join(dir, 'opened.txt'), 'utf8').trim()).toBe(url);
  });

  it('uses the port given with --port', async () => {
    const probe = startEquimol(['view', TRAJECTORY, '--port', '0'], dir);
    const url = await new Promise<string>((resolve) => probe.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())));
    const port = Number(new URL(url).port);
    probe.kill('SIGINT');
    await new Promise((r) => probe.on('exit', r));
    const child = startEquimol(['view', TRAJECTORY, '--port', String(port)], dir);
    const again = await new Promise<string>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())));
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    expect(new URL(again).port).toBe(String(port));
  });

  it('exports one standalone HTML file with the data inside, refusing to overwrite it', () => {
    const r = equimol(['view', TRAJECTORY, '--export', 'page.html'], dir);
    expect(r.status).toBe(0);
    const html = readFileSync(join(dir, 'page.html'), 'utf8');
    expect(html).toContain('id="equimol-embedded-file"');
    expect(html).toContain(Buffer.from(readFileSync(TRAJECTORY)).toString('base64').slice(0, 200));
    expect(html).not.toMatch(/<script[^>]+src=/);
    const again = equimol(['view', TRAJECTORY, '--export', 'page.html'], dir);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/page\.html exists; use --force/);
    expect(equimol(['view', TRAJECTORY, '--export', 'page.html', '--force'], dir).status).toBe(0);
  });

  it.each([
    [['missing.sdf'], /missing\.sdf: no such file/],
    [['notes.txt'], /notes\.txt: unknown molecule file type/],
    [[TRAJECTORY, '--port', '70000'], /--port must be between 0 and 65535/],
    [[TRAJECTORY, '--export', 'page.pdf'], /give an \.html file name/],
    [['--export', 'page.html'], /--export needs the file to embed/],
    [[TRAJECTORY, '--export', 'x.html', '--open'], /mutually exclusive/],
    [[TRAJECTORY, '-m', 'no-such-model'], /unknown model "no-such-model"/],
  ])('equimol view %s → exit 2', (args, message) => {
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    const r = equimol(['view', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});

describe('equimol info', () => {
  it('prints the backend and why, then the model card with its README', () => {
    const r = equimol(['info'], dir, { EQUIMOL_BACKEND: 'cpu' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^backend: cpu — requested \(EQUIMOL_BACKEND\)$/m);
    expect(r.stdout).toMatch(new RegExp(`^model: ${defaultModelName()}`, 'm'));
    expect(r.stdout).toMatch(/parameters: +[\d,]+/);
    expect(r.stdout).toMatch(/^training data:$/m);
    expect(r.stdout).toContain(readFileSync(join(defaultModelDir(), 'README.md'), 'utf8').trim().split('\n')[0]!);
  });

  it('lists the other shipped models, whether the model is named or given as a directory', () => {
    const models = dirname(defaultModelDir());
    const shipped = readdirSync(models).filter((m) => existsSync(join(models, m, 'model.json'))).sort();
    const others = shipped.filter((m) => m !== 'qm9-heavy');
    for (const spec of ['qm9-heavy', defaultModelDir()]) {
      const r = equimol(['info', '-m', spec], dir);
      expect(r.status).toBe(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith('other shipped models'));
      if (others.length === 0) expect(line).toBeUndefined();
      else expect(line).toMatch(new RegExp(`: ${others.join(', ')}$`));
    }
  });

  it('says which faster backends were skipped, and prints JSON with --json', () => {
    const r = equimol(['info', '--json'], dir);
    expect(r.status).toBe(0);
    const card = JSON.parse(r.stdout) as { backend: { name: string; reason: string; skipped: string[] }; model: { name: string; parameters: number; encoding: { elements: string[] } }; readme: string };
    expect(['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(card.backend.name);
    expect(card.backend.reason).toMatch(/\S/);
    // Why WebGPU was skipped depends on the machine: no driver, or only a CPU emulator (SwiftShader).
    if (card.backend.name === 'wasm') expect(card.backend.skipped).toEqual([expect.stringMatching(/^webgpu: \S/), 'tensorflow-gpu: not installed', 'tensorflow: not installed']);
    expect(card.model.name).toBe(defaultModelName());
    expect(card.model.parameters).toBeGreaterThan(0);
    expect(card.readme).toMatch(/\S/);
  });

  // SwiftShader (Debian's chromium) stands in for a GPU: automatic selection passes over it (asked in
  // a child process, whose driver noise must not reach stderr); --backend webgpu uses it.
  const swiftshader = { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json', XDG_RUNTIME_DIR: tmpdir() };
  it.skipIf(!existsSync(swiftshader.VK_ICD_FILENAMES))('passes over a CPU-emulated GPU unless asked for, then shows its adapter', () => {
    const auto = equimol(['info', '--json'], dir, swiftshader);
    expect(auto.stderr).toBe('');
    const card = JSON.parse(auto.stdout) as { backend: { name: string; skipped: string[] } };
    expect(card.backend.name).toBe('wasm');
    expect(card.backend.skipped[0]).toMatch(/^webgpu: only a CPU emulator \(vendor google, device \S+ \(swiftshader\), driver SwiftShader/);
    const asked = equimol(['info', '--backend', 'webgpu'], dir, swiftshader);
    expect(asked.stdout).toMatch(/^backend: webgpu — requested \(option\)$/m);
    expect(asked.stdout).toMatch(/^  adapter: vendor google, device \S+ \(swiftshader\), driver SwiftShader .*, CPU emulator/m);
    expect(asked.stdout).toMatch(/^  GPU adapters \(--gpu N\): 0: SwiftShader/m);
    const noSuchGpu = equimol(['info', '--backend', 'webgpu', '--gpu', '7'], dir, swiftshader);
    expect(noSuchGpu.stdout).toMatch(/^  skipped webgpu: there is no GPU 7; adapters: 0: SwiftShader/m);
  });

  it.each([
    [['-m', 'no-such-model'], {}, /unknown model "no-such-model"/],
    [['--backend', 'cuda'], {}, /Invalid values: Argument: backend/],
    [[], { EQUIMOL_BACKEND: 'cuda' }, /EQUIMOL_BACKEND=cuda is not a backend/],
  ])('equimol info %s → exit 2', (args, env, message) => {
    const r = equimol(['info', ...args], dir, env);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});
