// Holding atoms in the viewer (constrained generation, issue 19) end to end in headless Chromium,
// with real mouse events: click an atom to hold or release it, shift-drag a box, double-click a
// fragment, then Generate around the held atoms with the shipped qm9-heavy model on tfjs wasm in the
// page's worker, and check the result against core's sampleMolecules in Node.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from '../packages/viewer/test-support/browser.js';
import { startViewerServer, type ViewerServer } from '../packages/viewer/server/index.js';
import { heldAtomsFromMolecules, parseSdf, sampleMolecules, writeSdf } from '../packages/core/src/index.js';
import { loadModelDirectory } from '../packages/core/src/node/modelFiles.js';
import { useTestBackend } from '../packages/core/src/testing/fixtures.js';
import { atomsInBox } from '../packages/viewer/src/hold.js';

const SCAFFOLDS = resolve(__dirname, '../data/fixtures/scaffolds');
const FURAN = resolve(SCAFFOLDS, 'furan-source.sdf'); // 7 heavy atoms, then 8 hydrogens
const LINKER = resolve(SCAFFOLDS, 'cyclopentane+nitrile.sdf'); // N≡C (atoms 1–2) and a cyclopentane (3–7)
const MODEL = resolve(__dirname, '../data/models/qm9-heavy');
const skip = browserSkipReason();
if (skip) console.warn(`viewer hold tests skipped: ${skip}`);

type Point = { x: number; y: number };

describe.skipIf(skip !== undefined)('holding atoms in the viewer (Chromium)', () => {
  let server: ViewerServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startViewerServer({ file: FURAN, modelDir: MODEL });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__equimol?.ready === true && window.__equimol.generationChecked, null, { timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const held = () => page.evaluate(() => window.__equimol!.held());
  const halo = () => page.evaluate(() => window.__equimol!.halo());
  const screen = () => page.evaluate(() => window.__equimol!.atomScreenPositions());
  /** Atoms with no other atom within `gap` px on screen: a click there hits that atom. */
  const clear = (points: Point[], gap = 14) => points.flatMap((p, i) => (points.every((q, j) => j === i || Math.hypot(p.x - q.x, p.y - q.y) > gap) ? [i] : []));

  /** Opens a local file through the Open… picker. */
  async function open(path: string): Promise<void> {
    const name = path.split('/').pop()!;
    await page.setInputFiles('#file-input', path);
    await page.waitForFunction((n) => document.getElementById('file-name')!.textContent === n && window.__equimol!.shown().length === 1, name);
    await page.evaluate(() => window.__equimol!.setFrame(0));
  }

  it('holds an atom on click and releases it on the next, ringed in gold, without moving the view', async () => {
    expect(await page.locator('#hold-count').textContent()).toBe('0 of 15 atoms of furan-source.sdf held');
    const before = await screen();
    expect(before).toHaveLength(15);
    const [a, b] = clear(before);
    expect(b).toBeDefined();
    await page.mouse.click(before[a!]!.x, before[a!]!.y);
    await expect.poll(held).toEqual([a]);
    expect(await halo()).toEqual([[a]]);
    await page.mouse.click(before[b!]!.x, before[b!]!.y);
    await expect.poll(held).toEqual([a, b].sort((x, y) => x! - y!));
    expect(await page.locator('#hold-on').isChecked()).toBe(true);
    expect(await page.locator('#hold-count').textContent()).toBe('2 of 15 atoms of furan-source.sdf held');
    await page.mouse.click(before[a!]!.x, before[a!]!.y);
    await expect.poll(held).toEqual([b]);
    expect(await halo()).toEqual([[b]]);
    // A click no longer moves the view onto the atom.
    expect(await screen()).toEqual(before);
    await page.locator('#hold-clear').click();
    expect(await held()).toEqual([]);
    expect(await halo()).toEqual([[]]);
  });

  it('holds every atom in a shift-dragged box, and no other', async () => {
    const points = await screen();
    const xs = points.map((p) => p.x).sort((p, q) => p - q);
    const ys = points.map((p) => p.y);
    const from = { x: xs[0]! - 15, y: Math.min(...ys) - 15 };
    const to = { x: (xs[6]! + xs[7]!) / 2, y: Math.max(...ys) + 15 }; // the left half of the atoms
    const expected = atomsInBox(points, from, to);
    expect(expected).toHaveLength(7);
    await page.keyboard.down('Shift');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    expect(await page.locator('.hold-box').isVisible()).toBe(true);
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect.poll(held).toEqual(expected);
    expect(await halo()).toEqual([expected]);
    expect(await page.locator('.hold-box').isVisible()).toBe(false);
    // Shift-drag neither zoomed nor turned the view.
    expect(await screen()).toEqual(points);
    await page.locator('#hold-all').click();
    expect(await held()).toEqual([...Array(15).keys()]);
    await page.locator('#hold-clear').click();
  });

  it('holds the whole fragment of a double-clicked atom', async () => {
    await open(LINKER);
    expect(await held()).toEqual([]);
    const points = await screen();
    const free = clear(points, 10);
    const nitrile = free.find((i) => i <= 1)!;
    const ring = free.find((i) => i >= 2)!;
    expect(nitrile).toBeDefined();
    await page.mouse.dblclick(points[nitrile]!.x, points[nitrile]!.y);
    await expect.poll(held).toEqual([0, 1]);
    await page.mouse.dblclick(points[ring]!.x, points[ring]!.y);
    await expect.poll(held).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await halo()).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
  });

  // Bad input (issue 19, sections 5 and 6) as the page meets it: a file the user opens, a selection,
  // the "add" field. Each stops Generate with one line, core's words, and starts nothing; the last
  // test's Generate then shows the page still works.
  const benzene = parseSdf(readFileSync(resolve(SCAFFOLDS, 'benzene.sdf'), 'utf8'))[0]!;
  const nitrile = parseSdf(readFileSync(resolve(SCAFFOLDS, 'nitrile.sdf'), 'utf8'))[0]!;
  /** Benzene with atom 4 moved 0.5 Å off atom 1 (out of the ring's plane). */
  const closeAtoms = writeSdf([{ ...benzene, positions: Float64Array.from(benzene.positions, (v, i) => (i >= 9 && i < 12 ? benzene.positions[i - 9]! + (i === 9 ? 0.5 : 0) : v)) }]);
  /** Benzene as a file with no 3D coordinates: every atom at the origin. */
  const noCoordinates = writeSdf([{ ...benzene, positions: new Float64Array(benzene.positions.length) }]);
  /** Benzene and a nitrile 6 Å away in one record: two fragments of 9 atoms, as many as qm9-heavy's largest molecules. */
  const nineAtoms = writeSdf([
    {
      title: 'benzene + nitrile',
      elements: [...benzene.elements, ...nitrile.elements],
      positions: Float64Array.from([...benzene.positions, ...Array.from(nitrile.positions, (v, i) => (i % 3 === 0 ? v + 6 : v))]),
      bonds: [...benzene.bonds!, ...nitrile.bonds!.map((b) => ({ ...b, a: b.a + 6, b: b.b + 6 }))],
    },
  ]);

  /** Opens a file made here through the Open… picker, checks it is drawn without error, and holds all its atoms. */
  async function openAndHoldAll(name: string, text: string): Promise<void> {
    await page.setInputFiles('#file-input', { name, mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.waitForFunction((n) => document.getElementById('file-name')!.textContent === n && (document.getElementById('status')!.textContent ?? '').startsWith(`${n}: `), name);
    expect(await page.locator('#status').getAttribute('class')).not.toMatch(/error/);
    await page.locator('#hold-all').click();
  }

  /**
   * Presses Generate for a selection that cannot be held, and returns the one status line it got.
   * Every status line is recorded from the press on: a generation that started would show its own
   * ("loading the model…") right after, disable Generate and log frames. The file stays open with
   * its atoms held, to be corrected.
   */
  async function refusal(): Promise<string> {
    const before = { file: await page.locator('#file-name').textContent(), held: await held() };
    await page.evaluate(() => {
      const w = window as unknown as { statusLines?: string[] };
      if (!w.statusLines) {
        const lines: string[] = (w.statusLines = []);
        new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => lines.push(n.textContent ?? '')))).observe(document.getElementById('status')!, { childList: true });
      }
      w.statusLines.length = 0;
    });
    await page.locator('#generate').click();
    await page.waitForFunction(() => (window as unknown as { statusLines: string[] }).statusLines.length > 0);
    const after = await page.evaluate(() => ({
      lines: [...(window as unknown as { statusLines: string[] }).statusLines],
      error: document.getElementById('status')!.classList.contains('error'),
      generateEnabled: !(document.getElementById('generate') as HTMLButtonElement).disabled,
      log: window.__equimol!.generationLog.length,
      molecules: window.__equimol!.state().molecules,
      file: document.getElementById('file-name')!.textContent,
    }));
    expect(after).toMatchObject({ error: true, generateEnabled: true, log: 0, molecules: 1, file: before.file });
    expect(after.lines).toHaveLength(1);
    expect(await held()).toEqual(before.held);
    return after.lines[0]!;
  }

  it('refuses, in one line and without generating, what cannot be held: nothing held, an unknown element, atoms on top of each other, no 3D coordinates, a held part as large as the molecule', async () => {
    await page.locator('#hold-clear').click();
    expect(await refusal()).toBe('cannot hold these atoms: no atoms held: click atoms, shift-drag a box or double-click a fragment to hold them');
    // An element qm9-heavy does not know: thiophene's sulfur is atom 5.
    await openAndHoldAll('thiophene.xyz', '5\nthiophene ring\nC 0.000 1.233 0.000\nC 1.235 0.711 0.000\nC 1.235 -0.711 0.000\nC 0.000 -1.233 0.000\nS -1.190 0.000 0.000\n');
    expect(await refusal()).toBe('cannot hold these atoms: atom 5: element S is not in the vocabulary [C, N, O, F]');
    await openAndHoldAll('close-atoms.sdf', closeAtoms);
    expect(await refusal()).toBe('cannot hold these atoms: held atoms 1 (C) and 4 (C) are 0.50 Å apart, closer than 0.7 Å');
    await openAndHoldAll('no-coordinates.sdf', noCoordinates);
    expect(await refusal()).toBe('cannot hold these atoms: the held atoms have no 3D coordinates (all zero)');
    // A held part as large as any molecule the model makes: with "add" empty, sizes come from the
    // histogram, whose largest (9) leaves nothing to generate; "add" 0 asks for the held part alone.
    await openAndHoldAll('benzene+nitrile.sdf', nineAtoms);
    await page.fill('#hold-add', '');
    expect(await refusal()).toBe("cannot hold these atoms: the held part has 9 atoms, as many as the model's largest molecules (9); set how many atoms to add");
    await page.fill('#hold-add', '0');
    expect(await refusal()).toBe('cannot hold these atoms: atoms to add must be a whole number ≥ 1, got 0');
    await page.fill('#hold-add', '3');
  });

  it('after the refusals, generates around the held atoms: held at their input coordinates in every frame, the molecule core samples in Node, exported with held_atoms', async () => {
    await open(FURAN);
    await page.locator('#hold-all').click();
    for (const [id, value] of [['gen-count', '1'], ['gen-steps', '10'], ['gen-seed', '3'], ['hold-add', '2'], ['hold-resample', '2']] as const) await page.fill(`#${id}`, value);
    await page.locator('#generate').click();
    await page.waitForFunction(() => /^generated 1 molecule/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 300_000 });
    expect(await page.locator('#hold-note').textContent()).toBe('8 hydrogen(s) not held: qm9-heavy generates heavy atoms only');

    const source = parseSdf(readFileSync(FURAN, 'utf8'))[0]!;
    const input = Array.from(source.positions.slice(0, 21)); // the 7 heavy atoms
    const log = await page.evaluate(() => window.__equimol!.generationLog);
    expect(log.length).toBeGreaterThan(1);
    // Every frame drawn, from noise to molecule, has the held atoms exactly where the file has them.
    for (const e of log) expect(e.positions.slice(0, 21)).toEqual(input);
    expect(await page.evaluate(() => window.__equimol!.state())).toMatchObject({ molecules: 1, frames: 11 });
    for (const frame of [0, 5, 10]) {
      await page.evaluate((f) => window.__equimol!.setFrame(f), frame);
      expect(await halo()).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
      const [shown] = await page.evaluate(() => window.__equimol!.atomPositions());
      shown!.slice(0, 21).forEach((x, i) => expect(x).toBeCloseTo(input[i]!, 3));
    }

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-sdf').click()]);
    const exported = parseSdf(readFileSync((await download.path())!, 'utf8'));
    expect(exported).toHaveLength(1);
    const mol = exported[0]!;
    expect(mol.properties?.held_atoms).toBe('1-7');
    expect(mol.elements).toHaveLength(9);

    // The same held atoms, size and seed in Node give the same molecule.
    await useTestBackend();
    const model = await loadModelDirectory(MODEL);
    const fixed = heldAtomsFromMolecules([source], model.meta.encoding).held;
    const [reference] = (await sampleMolecules(model, { count: 1, seed: 3, steps: 10, atoms: 9, fixed, resample: 2, trajectoryFrames: 11 })).molecules;
    expect(mol.elements).toEqual(reference!.elements);
    expect(reference!.properties?.held_atoms).toBe(mol.properties?.held_atoms);
    // SDF keeps 4 decimals; the page (wasm in Chromium) and Node agree to float32 rounding.
    reference!.positions.forEach((x, i) => expect(Math.abs(mol.positions[i]! - x)).toBeLessThan(2e-4));
    const last = log[log.length - 1]!.positions;
    reference!.positions.forEach((x, i) => expect(Math.abs(last[i]! - x)).toBeLessThanOrEqual(5e-5 * Math.max(1, Math.abs(x))));
    expect(pageErrors).toEqual([]);
  });
});
