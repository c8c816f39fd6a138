#!/usr/bin/env node
// Screenshots of the viewer for the README, from the synthetic trajectory fixture (not model output):
//   docs/viewer.png             the app: a molecule at the end of its chain, with the side panel
//   docs/viewer-trajectory.png  one molecule at four frames, noise to sample
//   docs/viewer-grid.png        the grid overview of the batch
// and, with --generate, of in-page generation with a model (default: the shipped data/models/qm9-heavy):
//   docs/viewer-generate.png    mid-generation: one chain finished, the next one growing live
// and, with --hold, of generation around held atoms (default: the linker fixture and qm9-heavy):
//   docs/viewer-hold.png        the atoms held in the opened file, then the chain from noise to molecule
// Needs the built viewer (`pnpm build`) and Debian's Chromium (/usr/bin/chromium).
// Usage: node scripts/screenshot-viewer.mjs [trajectory file]
//        node scripts/screenshot-viewer.mjs --generate [model directory]
//        node scripts/screenshot-viewer.mjs --hold [molecule file] [model directory]
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// playwright-core is a dependency of the viewer package, not of the workspace root.
const requireFromViewer = createRequire(join(root, 'packages/viewer/package.json'));
const { chromium } = requireFromViewer('playwright-core');
const { startViewerServer } = await import('@equimol/viewer/server');

/**
 * Generation with a model, caught while it runs: the form as a user fills it (4 molecules, the
 * model's full 1000 steps, 60 frames kept per chain, seed 1), shot live when molecule #0 is finished
 * and #1's chain has `frames` frames. With fewer steps the sampler outruns the page's software WebGL
 * here and the shot only lands once the page has caught up, after the run.
 */
async function generationShot(page, frames = Number(process.env.EQUIMOL_SHOT_FRAMES ?? 3)) {
  await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
  for (const [id, value] of [['gen-count', '4'], ['gen-steps', '1000'], ['gen-seed', '1']]) await page.fill(`#${id}`, value);
  await page.click('#generate');
  const live = (n) => window.__equimol.generationLog.some((e) => e.event === 'frame' && e.index === 1 && e.frames >= n);
  await page.waitForFunction(live, frames, { timeout: 600_000, polling: 50 });
  await page.screenshot({ path: join(root, 'docs/viewer-generate.png') });
  console.log(`wrote docs/viewer-generate.png (${await page.textContent('#frame-label')}; ${await page.textContent('#status')})`);
  // Let the worker finish before the browser goes away.
  await page.waitForFunction(() => !document.getElementById('generate').disabled, null, { timeout: 600_000 });
}

/** Stage screenshots side by side, each cropped to its central square and labelled underneath: PNG bytes. */
async function stripPng(page, tiles) {
  const strip = await page.evaluate(async (tiles) => {
    const bitmaps = await Promise.all(tiles.map((t) => createImageBitmap(new Blob([Uint8Array.from(atob(t.png), (c) => c.charCodeAt(0))]))));
    // Crop each tile to its central square, where the molecule is.
    const side = Math.min(bitmaps[0].width, bitmaps[0].height);
    const size = 360;
    const canvas = new OffscreenCanvas(size * tiles.length, size + 34);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#10141a';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    bitmaps.forEach((b, i) => {
      ctx.drawImage(b, (b.width - side) / 2, (b.height - side) / 2, side, side, i * size, 0, size, size);
      ctx.fillStyle = '#dfe4ec';
      ctx.font = '15px monospace';
      ctx.fillText(tiles[i].label, i * size + 14, size + 22);
    });
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  }, tiles);
  return Buffer.from(strip, 'base64');
}

/** The README's shots of the trajectory fixture. */
async function fixtureShots(page) {
  const settle = () => page.waitForTimeout(400);

  // The oxime (molecule 1) is the one core's EDM metrics call valid and stable at the end of its chain.
  await page.evaluate(() => window.__equimol.selectMolecule(1));
  await page.evaluate(() => window.__equimol.setFrame(9));
  await settle();
  await page.screenshot({ path: join(root, 'docs/viewer.png') });

  // Four frames of the same molecule, side by side, each labelled with its step and SNR.
  const tiles = [];
  for (const frame of [0, 5, 7, 9]) {
    await page.evaluate((f) => window.__equimol.setFrame(f), frame);
    await settle();
    const png = await page.locator('#stage').screenshot();
    const panel = await page.evaluate(() => window.__equimol.panel());
    tiles.push({ png: png.toString('base64'), label: `step ${panel.step}   SNR ${panel.snr}   ${panel.bonds} bonds` });
  }
  writeFileSync(join(root, 'docs/viewer-trajectory.png'), await stripPng(page, tiles));

  await page.keyboard.press('g');
  await page.evaluate(() => window.__equimol.setFrame(9));
  await settle();
  await page.screenshot({ path: join(root, 'docs/viewer-grid.png') });
  console.log('wrote docs/viewer.png, docs/viewer-trajectory.png, docs/viewer-grid.png');
}

/**
 * Generation around held atoms, as a user does it: the file opened, every atom held (All), 2 atoms
 * to add, 200 steps, K = 5 jumps, one molecule; seeds from 1 on until core's metrics call the
 * molecule valid and in one piece (at most 10 tries; the caption of the picture says which; env
 * EQUIMOL_SHOT_SEED starts elsewhere). Tiles:
 * the held atoms in the file, then the chain at its first, middle and last frames.
 */
async function holdShot(page) {
  await page.waitForFunction(() => window.__equimol?.ready === true && window.__equimol.generationChecked, null, { timeout: 60_000 });
  const settle = () => page.waitForTimeout(400);
  await page.click('#hold-all');
  await settle();
  const tiles = [{ png: (await page.locator('#stage').screenshot()).toString('base64'), label: `held: ${await page.textContent('#hold-count')}`.replace(/ atoms of .* held$/, ' atoms') }];
  for (const [id, value] of [['gen-count', '1'], ['gen-steps', '200'], ['hold-add', '2'], ['hold-resample', '5']]) await page.fill(`#${id}`, value);
  // EQUIMOL_SHOT_SEED starts the search elsewhere (to redo a picture without the seeds that failed).
  const first = Number(process.env.EQUIMOL_SHOT_SEED ?? 1);
  let seed = first;
  for (; seed < first + 10; seed++) {
    await page.fill('#gen-seed', String(seed));
    await page.evaluate(() => (document.getElementById('status').textContent = ''));
    await page.click('#generate');
    await page.waitForFunction(() => /^generated|failed/.test(document.getElementById('status').textContent ?? ''), null, { timeout: 600_000 });
    const panel = await page.evaluate(() => window.__equimol.panel());
    const note = await page.textContent('#facts-note');
    console.log(`seed ${seed}: ${panel.formula}, valid ${panel.valid}${note ? `, ${note}` : ''}`);
    if ((panel.valid === 'yes' && !/fragments/.test(note ?? '')) || seed === first + 9) break;
    await page.click('#hold-source');
    await page.waitForFunction(() => window.__equimol.state().frames === 1);
  }
  const { frames } = await page.evaluate(() => window.__equimol.state());
  for (const frame of [0, Math.round((frames - 1) * 0.6), frames - 1]) {
    await page.evaluate((f) => window.__equimol.setFrame(f), frame);
    await settle();
    const panel = await page.evaluate(() => window.__equimol.panel());
    const what = frame === frames - 1 ? `${panel.smiles !== '–' ? panel.smiles : panel.formula}` : `SNR ${panel.snr}`;
    tiles.push({ png: (await page.locator('#stage').screenshot()).toString('base64'), label: `step ${panel.step}   ${what}` });
  }
  writeFileSync(join(root, 'docs/viewer-hold.png'), await stripPng(page, tiles));
  console.log(`wrote docs/viewer-hold.png (seed ${seed}; ${await page.textContent('#status')})`);
}

const mode = process.argv[2];
const generate = mode === '--generate';
const hold = mode === '--hold';
const server = generate
  ? await startViewerServer({ modelDir: process.argv[3] ?? join(root, 'data/models/qm9-heavy') })
  : hold
    ? await startViewerServer({ file: process.argv[3] ?? join(root, 'data/fixtures/scaffolds/cyclopentane+nitrile.sdf'), modelDir: process.argv[4] ?? join(root, 'data/models/qm9-heavy') })
    : await startViewerServer({ file: process.argv[2] ?? join(root, 'data/fixtures/trajectory-small.sdf') });
const profile = mkdtempSync(join(tmpdir(), 'equimol-shots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.EQUIMOL_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 760 },
  deviceScaleFactor: 1,
  args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await context.newPage();
  await page.goto(server.url);
  if (generate) {
    await generationShot(page);
  } else if (hold) {
    await holdShot(page);
  } else {
    await page.waitForFunction(() => window.__equimol?.ready === true, null, { timeout: 60_000 });
    await fixtureShots(page);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  await server.close();
}
