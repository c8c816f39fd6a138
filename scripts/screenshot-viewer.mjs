#!/usr/bin/env node
// Screenshots of the viewer for the README, from the synthetic trajectory fixture (not model output):
//   docs/viewer.png             the app: a molecule at the end of its chain, with the side panel
//   docs/viewer-trajectory.png  one molecule at four frames, noise to sample
//   docs/viewer-grid.png        the grid overview of the batch
// Needs the built viewer (`pnpm build`) and Debian's Chromium (/usr/bin/chromium).
// Usage: node scripts/screenshot-viewer.mjs [trajectory file]
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// playwright-core is a dependency of the viewer package, not of the workspace root.
const requireFromViewer = createRequire(join(root, 'packages/viewer/package.json'));
const { chromium } = requireFromViewer('playwright-core');
const { startViewerServer } = await import(join(root, 'packages/viewer/dist/server/index.js'));

const file = process.argv[2] ?? join(root, 'data/fixtures/trajectory-small.sdf');
const server = await startViewerServer({ file });
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
  await page.waitForFunction(() => window.__equimol?.ready === true, null, { timeout: 60_000 });
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
  writeFileSync(join(root, 'docs/viewer-trajectory.png'), Buffer.from(strip, 'base64'));

  await page.keyboard.press('g');
  await page.evaluate(() => window.__equimol.setFrame(9));
  await settle();
  await page.screenshot({ path: join(root, 'docs/viewer-grid.png') });
  console.log('wrote docs/viewer.png, docs/viewer-trajectory.png, docs/viewer-grid.png');
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  await server.close();
}
