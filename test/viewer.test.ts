// End to end: the built viewer in headless Chromium (Debian's, driven by playwright-core), served by
// the same server `equimol view` uses, showing the synthetic trajectory fixture.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from '../packages/viewer/test-support/browser.js';
import { exportStandaloneHtml, startViewerServer, type ViewerServer } from '../packages/viewer/server/index.js';
import { createModel, EDM_QM9_SCHEDULE, edmEgnnConfig, featureCount, qm9Encoding, Rng, sampleMolecules, serializeModel, type EquimolModel } from '../packages/core/src/index.js';
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
function writeTinyModel(dir: string): EquimolModel {
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
  const { json, weights } = serializeModel(model);
  writeFileSync(join(dir, 'model.json'), json);
  writeFileSync(join(dir, 'weights.bin'), weights);
  return model;
}

describe.skipIf(skip !== undefined)('in-browser generation in Chromium', () => {
  let server: ViewerServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let modelDir: string;
  let model: EquimolModel;

  beforeAll(async () => {
    modelDir = mkdtempSync(join(tmpdir(), 'equimol-model-'));
    model = writeTinyModel(modelDir);
    server = await startViewerServer({ modelDir });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(modelDir, { recursive: true, force: true });
  });

  it('samples a small molecule with few steps on tfjs wasm in a worker and plays the chain', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
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

  it('animates each chain live: frames reach the view one by one before the molecule is finished', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
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
      // Nine frames, each on screen (the view holding one more frame, the panel at its step) before
      // the finished molecule arrives.
      expect(events.map((e) => e.event)).toEqual([...Array(9).fill('frame'), 'molecule']);
      expect(frames.map((e) => e.frames)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(frames.map((e) => Number(e.step))).toEqual(steps);
      // The live animation ends on exactly the molecule the sampler returns.
      expect(frames[frames.length - 1]!.positions).toEqual(last);
      expect(events[events.length - 1]!.positions).toEqual(last);
    }
    // The first chain is finished before the second begins (one molecule at a time).
    expect(log.findIndex((e) => e.index === 1)).toBeGreaterThan(log.findIndex((e) => e.event === 'molecule'));
    // Streaming changes nothing: core in Node, without onFrame, samples the same molecules.
    await useTestBackend();
    const reference = sampleMolecules(model, { count: 2, seed: 3, steps: 8, atoms: 5, trajectoryFrames: 9 });
    for (const [k, m] of reference.molecules.entries()) {
      const live = finished[k]!.last;
      expect(live).toHaveLength(m.positions.length);
      m.positions.forEach((x, i) => expect(live[i]).toBeCloseTo(x, 4));
    }
    // The view ends on the last molecule's final frame, and NGL shows its coordinates.
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 2, molecule: 1, frame: 8, playing: false });
    const [shown] = await page.evaluate(() => window.__equimol!.atomPositions());
    shown!.forEach((x, i) => expect(x).toBeCloseTo(finished[1]!.last[i]!, 3));
    await page.close();
  });
});
