// End to end: the built viewer in headless Chromium (Debian's, driven by playwright-core), served by
// the same server `equimol view` uses, showing the synthetic trajectory fixture.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from '../packages/viewer/test-support/browser.js';
import { useServedModel } from '../packages/viewer/test-support/servedModel.js';
import { exportStandaloneHtml, startViewerServer, type ViewerServer } from '../packages/viewer/server/index.js';
import { createModel, EDM_QM9_SCHEDULE, edmEgnnConfig, featureCount, qm9Encoding, Rng, sampleMolecules, type Model } from '../packages/core/src/index.js';
import { useTestBackend } from '../packages/core/src/testing/fixtures.js';

const FIXTURE_SDF = resolve(__dirname, '../data/fixtures/trajectory-small.sdf');
const FIXTURE_JSON = resolve(__dirname, '../data/fixtures/trajectory-small.json');
const skip = browserSkipReason();
if (skip) console.warn(`viewer browser tests skipped: ${skip}`);

/** Pixel variance of a PNG, decoded by the browser itself (no PNG decoder needed in Node). */
async function pixelVariance(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    let sum = 0;
    let sq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const v = (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      sum += v;
      sq += v * v;
    }
    return sq / n - (sum / n) ** 2;
  }, png.toString('base64'));
}

/** The frame's coordinates in the fixture, read back from the SDF text (x y z per atom, record order). */
function fixtureCoordinates(molecule: number, frame: number): number[] {
  const records = readFileSync(FIXTURE_SDF, 'utf8').split('$$$$\n');
  const record = records.find((r) => r.includes(`>  <molecule>\n${molecule}\n`) && r.includes(`>  <frame>\n${frame}\n`))!;
  const lines = record.split('\n');
  const n = Number(lines[3]!.slice(0, 3));
  return lines.slice(4, 4 + n).flatMap((l) => [Number(l.slice(0, 10)), Number(l.slice(10, 20)), Number(l.slice(20, 30))]);
}

describe.skipIf(skip !== undefined)('viewer in Chromium', () => {
  let server: ViewerServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startViewerServer({ file: FIXTURE_SDF });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__equimol?.ready === true, null, { timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const hook = <T>(fn: () => T | Promise<T>) => page.evaluate(fn);

  it('opens the trajectory served by ?file= with every molecule and frame', async () => {
    expect(await hook(() => window.__equimol!.lastError)).toBeUndefined();
    expect(await hook(() => window.__equimol!.state())).toMatchObject({ molecules: 3, frames: 10, molecule: 0, frame: 0, layout: 'single' });
    expect(await page.locator('#frame-label').textContent()).toContain('frame 1/10 · step 1000');
    expect(await page.locator('#scrub').getAttribute('max')).toBe('9');
    expect(pageErrors).toEqual([]);
  });

  it('moves the atoms NGL shows when stepping through frames, ending on the fixture coordinates', async () => {
    await page.evaluate(() => window.__equimol!.setFrame(0));
    const [noise] = await hook(() => window.__equimol!.atomPositions());
    await page.evaluate(() => window.__equimol!.setFrame(5));
    const [middle] = await hook(() => window.__equimol!.atomPositions());
    await page.evaluate(() => window.__equimol!.setFrame(9));
    const [sample] = await hook(() => window.__equimol!.atomPositions());
    expect(noise).toHaveLength(15 * 3);
    const moved = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
    expect(moved(noise!, middle!)).toBeGreaterThan(0.1);
    expect(moved(middle!, sample!)).toBeGreaterThan(0.1);
    const expected = fixtureCoordinates(0, 9);
    sample!.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 3));
  });

  it('shows the formula, atom count and noise level of the current frame', async () => {
    await page.evaluate(() => window.__equimol!.setFrame(9));
    // O=C1Cc2[nH]ccc2N1: C6H6N2O.
    expect(await hook(() => window.__equimol!.panel())).toMatchObject({ formula: 'C6H6N2O', atoms: '15', step: '0', t: '0.000' });
    await page.evaluate(() => window.__equimol!.selectMolecule(1));
    // C#CC(=NO)C(C)(C)C: C7H11NO, which core's EDM metrics find valid and stable at this geometry.
    const oxime = await hook(() => window.__equimol!.panel());
    expect(oxime).toMatchObject({ formula: 'C7H11NO', atoms: '20', bonds: '19', valid: 'yes', stable: 'yes' });
    expect(oxime.smiles).toMatch(/C#C/);
    // Pure noise is neither valid nor stable.
    await page.evaluate(() => window.__equimol!.setFrame(0));
    expect(await hook(() => window.__equimol!.panel())).toMatchObject({ valid: 'no', smiles: '–' });
    await page.evaluate(() => window.__equimol!.setFrame(9));
    await page.evaluate(() => window.__equimol!.selectMolecule(2));
    // CCc1ccc(C)nc1: C8H11N.
    expect(await hook(() => window.__equimol!.panel())).toMatchObject({ formula: 'C8H11N', atoms: '20' });
    const shown = await hook(() => window.__equimol!.shown());
    expect(shown).toHaveLength(1);
    expect(shown[0]!.bonds).toBeGreaterThanOrEqual(20); // 20 atoms, one ring: at least 20 bonds
    await page.evaluate(() => window.__equimol!.selectMolecule(0));
  });

  it('steps, jumps and plays from the keyboard', async () => {
    await page.evaluate(() => window.__equimol!.setFrame(0));
    await page.locator('#stage').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect((await hook(() => window.__equimol!.state())).frame).toBe(2);
    await page.keyboard.press('End');
    expect((await hook(() => window.__equimol!.state())).frame).toBe(9);
    await page.keyboard.press('Home');
    expect((await hook(() => window.__equimol!.state())).frame).toBe(0);
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.__equimol!.state().frame >= 2, null, { timeout: 10_000 });
    expect((await hook(() => window.__equimol!.state())).playing).toBe(true);
    await page.keyboard.press(' ');
    expect((await hook(() => window.__equimol!.state())).playing).toBe(false);
    await page.keyboard.press('ArrowDown');
    expect((await hook(() => window.__equimol!.state())).molecule).toBe(1);
    await page.keyboard.press('ArrowUp');
  });

  it('renders a screenshot that is not blank', async () => {
    await page.evaluate(() => window.__equimol!.setFrame(9));
    await page.waitForTimeout(200);
    const png = await page.locator('#stage').screenshot();
    expect(await pixelVariance(page, png)).toBeGreaterThan(50);
  });

  it('shows every molecule in the grid overview', async () => {
    await page.locator('#layout').click();
    await page.evaluate(() => window.__equimol!.setFrame(9));
    const shown = await hook(() => window.__equimol!.shown());
    expect(shown.map((s) => s.atoms)).toEqual([15, 20, 20]);
    expect((await hook(() => window.__equimol!.state())).layout).toBe('grid');
    await page.locator('#layout').click();
    expect((await hook(() => window.__equimol!.state())).layout).toBe('single');
  });

  it('exports a PNG of the current frame', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-png').click()]);
    expect(download.suggestedFilename()).toMatch(/^trajectory-small-mol0-frame\d+\.png$/);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(await pixelVariance(page, bytes)).toBeGreaterThan(50);
  });

  it('records the animation as WebM', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('#export-webm').click()]);
    expect(download.suggestedFilename()).toBe('trajectory-small-mol0.webm');
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // EBML header: a Matroska/WebM file
    expect(bytes.length).toBeGreaterThan(2000);
    expect((await hook(() => window.__equimol!.state())).frame).toBe(9);
  });

  /** Drops a file on the page as a user dragging it from the desktop would. */
  async function drop(name: string, text: string): Promise<void> {
    await page.evaluate(
      ([name, text]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text!], name!));
        window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      [name, text],
    );
    await page.waitForFunction((name) => document.getElementById('file-name')!.textContent === name, name);
  }

  it('opens a plain XYZ file dropped on the page', async () => {
    await drop('water.xyz', '3\nwater\nO 0.0 0.0 0.1173\nH 0.0 0.7572 -0.4692\nH 0.0 -0.7572 -0.4692\n');
    expect(await hook(() => window.__equimol!.state())).toMatchObject({ molecules: 1, frames: 1 });
    expect(await hook(() => window.__equimol!.panel())).toMatchObject({ formula: 'H2O', bonds: '2', step: '–' });
  });

  it('opens a gzipped trajectory SDF dropped on the page', async () => {
    await page.evaluate(async (text) => {
      const gz = await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([gz], 'run.sdf.gz'));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, readFileSync(FIXTURE_SDF, 'utf8'));
    await page.waitForFunction(() => document.getElementById('file-name')!.textContent === 'run.sdf.gz');
    expect(await hook(() => window.__equimol!.state())).toMatchObject({ molecules: 3, frames: 10 });
  });

  it('opens a trajectory JSON dropped on the page', async () => {
    await drop('dropped.json', readFileSync(FIXTURE_JSON, 'utf8'));
    await page.waitForFunction(() => window.__equimol!.state().frames === 10);
    expect(await hook(() => window.__equimol!.state())).toMatchObject({ molecules: 3, frames: 10, frame: 0 });
    await page.evaluate(() => window.__equimol!.setFrame(9));
    expect((await hook(() => window.__equimol!.panel())).formula).toBe('C6H6N2O');
  });

  it('opens at the molecule, frame and layout a link names', async () => {
    const linked = await browser.context.newPage();
    await linked.goto(`${server.url}&molecule=2&frame=-1&layout=grid`);
    await linked.waitForFunction(() => window.__equimol?.ready === true, null, { timeout: 60_000 });
    expect(await linked.evaluate(() => window.__equimol!.state())).toMatchObject({ molecule: 2, frame: 9, layout: 'grid', playing: false });
    expect(await linked.evaluate(() => window.__equimol!.shown().length)).toBe(3);
    await linked.close();
  });

  it('works as a standalone HTML file with no server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'equimol-standalone-'));
    try {
      const out = join(dir, 'view.html');
      await exportStandaloneHtml({ file: FIXTURE_SDF, out });
      const standalone = await browser.context.newPage();
      const errors: string[] = [];
      standalone.on('pageerror', (e) => errors.push(e.message));
      await standalone.goto(pathToFileURL(out).href);
      await standalone.waitForFunction(() => window.__equimol?.ready === true, null, { timeout: 60_000 });
      expect(await standalone.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 3, frames: 10 });
      expect(await standalone.locator('#generate').isDisabled()).toBe(true);
      expect(errors).toEqual([]);
      await standalone.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

});

/**
 * A tiny EGNN with random (untrained) weights in equimol's model format: enough to run the real
 * sampler end to end in the page. What it generates is noise-like, and the test claims nothing more.
 */
function tinyModel(): Model {
  const encoding = qm9Encoding(true);
  const model = createModel({
    name: 'tiny-untrained-test-model',
    description: 'random weights, for testing the in-browser plumbing only',
    egnn: edmEgnnConfig(featureCount(encoding), 16, 2),
    schedule: EDM_QM9_SCHEDULE,
    encoding,
    atomCountHistogram: [0, 0, 0, 0, 0, 1],
  });
  model.params.set(model.dynamics.layout.initialise(new Rng(7)));
  return model;
}

describe.skipIf(skip !== undefined)('in-browser generation in Chromium', () => {
  const served = useServedModel(tinyModel);

  it('samples a small molecule with few steps on tfjs wasm in a worker and plays the chain', async () => {
    const page = await served.browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.server.url);
    await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
    expect(await page.locator('#generate').isEnabled()).toBe(true);
    const trajectory = await page.evaluate(async () => {
      const t = await window.__equimol!.generate!({ count: 2, steps: 8, seed: 3, atomCount: 5, frames: 9 });
      return t.molecules.map((m) => ({ frames: m.frames.length, atoms: m.frames[0]!.elements.length, steps: m.frames.map((f) => f.step) }));
    });
    expect(trajectory).toHaveLength(2);
    for (const m of trajectory) {
      expect(m).toMatchObject({ frames: 9, atoms: 5 });
      expect(m.steps[0]).toBeGreaterThan(m.steps[m.steps.length - 1]!);
    }
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 2, frames: 9 });
    expect(await page.locator('#status').textContent()).toMatch(/generated 2 molecule\(s\) with tiny-untrained-test-model \(tfjs wasm\)/);
    const [shown] = await page.evaluate(() => window.__equimol!.shown());
    expect(shown!.atoms).toBe(5);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('animates each chain live: frames reach the view as they are made, before the molecule is finished', async () => {
    const page = await served.browser.context.newPage();
    await page.goto(served.server.url);
    await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
    const options = { count: 2, steps: 8, seed: 3, atomCount: 5, frames: 9 };
    const finished = await page.evaluate(async (o) => {
      const t = await window.__equimol!.generate!(o);
      return t.molecules.map((m) => ({ index: m.index, steps: m.frames.map((f) => f.step), last: [...m.frames[m.frames.length - 1]!.positions] }));
    }, options);
    const log = await page.evaluate(() => window.__equimol!.generationLog);

    for (const { index, steps, last } of finished) {
      const events = log.filter((e) => e.index === index);
      const frames = events.filter((e) => e.event === 'frame');
      // The chain grows on screen (the view holding more frames at each draw, the panel at the newest
      // frame's step) up to all nine frames before the finished molecule arrives. Frames that arrived
      // while the view was drawing are drawn together, so a draw may hold several new ones.
      expect(events.map((e) => e.event)).toEqual([...Array(frames.length).fill('frame'), 'molecule']);
      const held = frames.map((e) => e.frames);
      expect(held).toEqual([...held].sort((a, b) => a - b));
      expect(new Set(held).size).toBe(held.length);
      expect(held[held.length - 1]).toBe(9);
      expect(frames.map((e) => Number(e.step))).toEqual(held.map((n) => steps[n - 1]));
      // The live animation ends on exactly the molecule the sampler returns.
      expect(frames[frames.length - 1]!.positions).toEqual(last);
      expect(events[events.length - 1]!.positions).toEqual(last);
    }
    // The first chain is finished before the second begins (one molecule at a time).
    expect(log.findIndex((e) => e.index === 1)).toBeGreaterThan(log.findIndex((e) => e.event === 'molecule'));
    // Streaming changes nothing: core in Node, without onFrame, samples the same molecules.
    await useTestBackend();
    const reference = await sampleMolecules(served.model, { count: 2, seed: 3, steps: 8, atoms: 5, trajectoryFrames: 9 });
    for (const [k, m] of reference.molecules.entries()) {
      const live = finished[k]!.last;
      expect(live).toHaveLength(m.positions.length);
      // float32 agreement, relative: the tiny untrained test model puts some atoms hundreds of Å out.
      m.positions.forEach((x, i) => expect(Math.abs(live[i]! - x)).toBeLessThanOrEqual(5e-5 * Math.max(1, Math.abs(x))));
    }
    // The view ends on the last molecule's final frame, and NGL shows its coordinates.
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 2, molecule: 1, frame: 8, playing: false });
    const [shown] = await page.evaluate(() => window.__equimol!.atomPositions());
    shown!.forEach((x, i) => expect(x).toBeCloseTo(finished[1]!.last[i]!, 3));
    await page.close();
  });

  /** A fresh page on the server with the tiny model, once it knows that it can generate. */
  async function generationPage(): Promise<Page> {
    const page = await served.browser.context.newPage();
    await page.goto(served.server.url);
    await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
    return page;
  }

  /** Runs a generation through the test hook; resolves to its error message, or `undefined` when it succeeds. */
  const generationError = (page: Page, options: { count: number; steps: number; seed: number; atomCount: number; frames: number }) =>
    page.evaluate((o) => window.__equimol!.generate!(o).then(() => undefined, (e: Error) => e.message), options);

  /** The global scope of the page's sampling worker, as the tests patch it. */
  type WorkerScope = {
    postMessage: (m: { type: string }) => void;
    onmessage: ((event: MessageEvent<{ type: string }>) => unknown) | null;
  } & Record<string, unknown>;

  /** Makes the page's sampling worker (the model loaded) run `patch` on its global scope. */
  async function patchWorker(page: Page, patch: (scope: WorkerScope) => void): Promise<void> {
    const [worker] = page.workers();
    expect(worker).toBeDefined();
    await worker!.evaluate(`(${patch.toString()})(self)`);
  }

  it('marks a chain whose sampling fails as failed with the reason, stops the worker and can generate again', async () => {
    const page = await generationPage();
    expect(await generationError(page, { count: 1, steps: 4, seed: 1, atomCount: 5, frames: 5 })).toBeUndefined();
    // The sampler throws in the middle of the first chain (as a wasm allocation failure would): after
    // three frames, with a message of several lines.
    await patchWorker(page, (scope) => {
      const post = scope.postMessage.bind(scope);
      let frames = 0;
      scope.postMessage = (m) => {
        if (m.type === 'frame' && ++frames > 3) throw new Error('out of memory (injected)\n    at wasm-function[42]');
        post(m);
      };
    });
    const message = await generationError(page, { count: 2, steps: 8, seed: 2, atomCount: 5, frames: 9 });
    expect(message).toContain('out of memory (injected)');

    // The molecule keeps the three frames it got, and its list entry says that it failed, and why.
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 1, frames: 3 });
    const entries = await page.locator('#molecules li').allTextContents();
    expect(entries).toEqual(['#0failed: out of memory (injected)']);
    expect(await page.locator('#status').textContent()).toBe('generation failed: out of memory (injected)');
    expect(await page.locator('#status').getAttribute('class')).toContain('error');
    // The worker that failed is gone; Generate is enabled and starts a new generation with a new one.
    await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBe(0);
    expect(await page.locator('#generate').isEnabled()).toBe(true);
    await page.fill('#gen-count', '1');
    await page.fill('#gen-steps', '4');
    await page.fill('#gen-atoms', '5');
    await page.locator('#generate').click();
    await page.waitForFunction(() => /^generated 1 molecule/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 60_000 });
    expect((await page.locator('#molecules li').allTextContents()).join()).not.toMatch(/failed|sampling/);
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 1, frames: 5 });
    await page.close();
  });

  it('reports a model or worker that cannot be loaded, leaves no worker behind and can generate again', async () => {
    const page = await generationPage();
    const options = { count: 1, steps: 4, seed: 1, atomCount: 5, frames: 5 };
    // The weights are missing.
    await page.route('**/model/weights.bin', (route) => route.fulfill({ status: 404, body: 'not found' }));
    const noWeights = await generationError(page, options);
    expect(noWeights).toMatch(/weights\.bin: HTTP 404/);
    expect(await page.locator('#status').textContent()).toBe(`generation failed: ${noWeights}`);
    expect(await page.locator('#generate').isEnabled()).toBe(true);
    await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBe(0);
    await page.unroute('**/model/weights.bin');
    // The worker's script cannot be loaded: the worker reports an error event without a message.
    await page.route('**/generateWorker-*.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
    const noWorker = await generationError(page, options);
    expect(noWorker).toMatch(/^the sampling worker could not be started/);
    expect(await page.locator('#status').textContent()).toBe(`generation failed: ${noWorker}`);
    await page.unroute('**/generateWorker-*.js');
    // Nothing was opened for the failed generations; the next one works.
    expect(await page.locator('#molecules li').count()).toBe(0);
    expect(await generationError(page, options)).toBeUndefined();
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 1, frames: 5 });
    expect(page.workers()).toHaveLength(1);
    await page.close();
  });

  it('stops a running generation when a file is opened, and leaves the file as it is', async () => {
    const page = await generationPage();
    expect(await generationError(page, { count: 1, steps: 2, seed: 1, atomCount: 5, frames: 3 })).toBeUndefined();
    // The worker never reports the end of the next generation, however fast it samples (steps are capped
    // at the model's T): it is still running when the file arrives, whatever the machine's speed.
    await patchWorker(page, (scope) => {
      const post = scope.postMessage.bind(scope);
      scope.postMessage = (m) => {
        if (m.type !== 'molecule' && m.type !== 'done') post(m);
      };
    });
    const result = generationError(page, { count: 2, steps: 1000, seed: 4, atomCount: 5, frames: 60 });
    await page.waitForFunction(() => (window.__equimol!.generationLog?.length ?? 0) > 0, null, { timeout: 60_000 });
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['3\nwater\nO 0.0 0.0 0.1173\nH 0.0 0.7572 -0.4692\nH 0.0 -0.7572 -0.4692\n'], 'water.xyz'));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    expect(await result).toBe('generation stopped: a file was opened');
    await page.waitForFunction(() => document.getElementById('file-name')!.textContent === 'water.xyz');
    await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBe(0);
    // Nothing of the generation reaches the file, however long we wait.
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 1, frames: 1 });
    expect(await page.locator('#status').textContent()).toBe('water.xyz: 1 molecule(s), 1 frame(s)');
    expect(await page.locator('#generate').isEnabled()).toBe(true);
    await page.close();
  });

  it('keeps the live view on the newest frame when the sampler outpaces the drawing', async () => {
    const page = await generationPage();
    expect(await generationError(page, { count: 1, steps: 2, seed: 1, atomCount: 5, frames: 3 })).toBeUndefined();
    // The worker holds the next generation until the test lets it go, and says when it has sampled it.
    await patchWorker(page, (scope) => {
      const handle = scope.onmessage!;
      scope.onmessage = async (event) => {
        if (event.data.type === 'generate') await new Promise((go) => (scope['go'] = go));
        return handle.call(scope, event);
      };
      const post = scope.postMessage.bind(scope);
      scope.postMessage = (m) => {
        post(m);
        if (m.type === 'done') scope['sampled'] = true;
      };
    });
    const [worker] = page.workers();
    const options = { count: 2, steps: 40, seed: 4, atomCount: 5, frames: 40 };
    const finished = page.evaluate(async (o) => {
      const t = await window.__equimol!.generate!(o);
      return t.molecules.map((m) => ({ frames: m.frames.length, last: [...m.frames[m.frames.length - 1]!.positions] }));
    }, options);
    await expect.poll(() => worker!.evaluate(() => typeof (self as unknown as { go?: unknown }).go === 'function'), { timeout: 60_000 }).toBe(true);
    // The page draws nothing (as when NGL on software WebGL is slow) while the worker samples both
    // chains to the end: it pauses in the first JavaScript it runs, at the latest on the first frame.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    const paused = new Promise<void>((resolve) => cdp.once('Debugger.paused', () => resolve()));
    await cdp.send('Debugger.pause');
    await worker!.evaluate(() => (self as unknown as { go: () => void }).go());
    await paused;
    await expect.poll(() => worker!.evaluate(() => (self as unknown as { sampled?: boolean }).sampled === true), { timeout: 60_000, interval: 200 }).toBe(true);
    await cdp.send('Debugger.resume');
    await cdp.detach();
    const molecules = await finished;

    // Every frame is kept for replay ...
    expect(molecules.map((m) => m.frames)).toEqual([40, 40]);
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 2, frames: 40, molecule: 1, frame: 39, playing: false });
    // ... but the 80 frames that were waiting when the page went on were not drawn one by one: each
    // draw took all that had arrived (the browser hands the page the worker's queued messages in a
    // few batches) and each chain was on its final frame after a few draws.
    const log = await page.evaluate(() => window.__equimol!.generationLog);
    for (const index of [0, 1]) {
      const draws = log.filter((e) => e.index === index && e.event === 'frame').map((e) => e.frames);
      expect(draws[draws.length - 1]).toBe(40);
      expect(draws.length).toBeLessThanOrEqual(5);
    }
    expect(log[log.length - 1]).toMatchObject({ event: 'molecule', index: 1, frames: 40, positions: molecules[1]!.last });
    const [shown] = await page.evaluate(() => window.__equimol!.atomPositions());
    shown!.forEach((x, i) => expect(x).toBeCloseTo(molecules[1]!.last[i]!, 3));
    await page.close();
  });
});

describe.skipIf(skip !== undefined)('in-browser generation on WebGPU (SwiftShader) in Chromium', () => {
  const served = useServedModel(tinyModel, { webgpu: true });

  /** Generates on a page opened with `query`; the final frames, the status line and the page's errors. */
  async function generateWith(query: string) {
    const page = await served.browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.server.url}${query}`);
    await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
    const molecules = await page.evaluate(async () => {
      const t = await window.__equimol!.generate!({ count: 2, steps: 4, seed: 3, atomCount: 5, frames: 3 });
      return t.molecules.map((m) => ({ elements: m.frames.at(-1)!.elements, positions: [...m.frames.at(-1)!.positions] }));
    });
    const status = await page.locator('#status').textContent();
    await page.close();
    return { molecules, status, errors };
  }

  it('generates through WebGPU when ?backend=webgpu asks for it, names it in the panel, and gets the molecules wasm gets', async () => {
    const gpu = await generateWith('?backend=webgpu');
    expect(gpu.status).toMatch(/^generated 2 molecule\(s\) with tiny-untrained-test-model \(tfjs webgpu\)/);
    // SwiftShader is a CPU emulator: the automatic choice passes over it to wasm, as ?backend=wasm does.
    const auto = await generateWith('');
    expect(auto.status).toMatch(/\(tfjs wasm\)/);
    const wasm = await generateWith('?backend=wasm');
    expect(wasm.status).toMatch(/\(tfjs wasm\)/);
    expect(wasm.molecules).toEqual(auto.molecules);
    expect(gpu.molecules.map((m) => m.elements)).toEqual(wasm.molecules.map((m) => m.elements));
    // float32 agreement, relative: the tiny untrained test model puts some atoms hundreds of Å out.
    gpu.molecules.forEach((m, k) => m.positions.forEach((x, i) => expect(Math.abs(x - wasm.molecules[k]!.positions[i]!)).toBeLessThanOrEqual(0.01 * Math.max(1, Math.abs(x) / 10))));
    expect([...gpu.errors, ...auto.errors, ...wasm.errors]).toEqual([]);
  }, 600_000); // Chromium compiles tfjs's WebGPU shaders for SwiftShader slowly (about 30 s)

  it('refuses a backend it does not know, naming the choices on the disabled Generate button', async () => {
    const page = await served.browser.context.newPage();
    await page.goto(`${served.server.url}?backend=webgl`);
    await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
    expect(await page.locator('#generate').isEnabled()).toBe(false);
    expect(await page.locator('#generate').getAttribute('title')).toBe('?backend=webgl is not a backend Generate can use; choose webgpu or wasm');
    await page.close();
  });
});
