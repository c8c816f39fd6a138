// Plots a training run's loss curves (train.jsonl) to a PNG, rendered by Debian's Chromium.
// Usage: node scripts/plot-training.mjs RUNDIR/train.jsonl OUT.png [TITLE]
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [logPath, out, title = 'training'] = process.argv.slice(2);
if (!logPath || !out) {
  console.error('usage: node scripts/plot-training.mjs train.jsonl out.png [title]');
  process.exit(2);
}
const records = readFileSync(logPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
// x is the epoch, from the step (validation records of older runs carry only whole epochs).
const trainRecords = records.filter((r) => r.type === 'train');
const last = trainRecords.at(-1);
const epochsPerStep = last ? last.epoch / last.step : 1;
const train = trainRecords.map((r) => [r.step * epochsPerStep, r.loss]);
const validation = records.filter((r) => r.type === 'validation').map((r) => [r.step * epochsPerStep, r.loss]);

const W = 900, H = 480, M = { l: 70, r: 20, t: 40, b: 55 };
const all = [...train, ...validation];
const xMax = Math.max(...all.map((p) => p[0]), 1e-3);
const yMin = 0;
const yMax = Math.max(...all.map((p) => p[1])) * 1.05;
const x = (v) => M.l + (v / xMax) * (W - M.l - M.r);
const y = (v) => H - M.b - ((v - yMin) / (yMax - yMin)) * (H - M.t - M.b);
const path = (pts) => pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
const ticks = (max, n) => Array.from({ length: n + 1 }, (_, i) => (max * i) / n);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${title}</text>
${ticks(yMax, 5).map((v) => `<line x1="${M.l}" x2="${W - M.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${M.l - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`).join('')}
${ticks(xMax, 6).map((v) => `<text x="${x(v)}" y="${H - M.b + 18}" text-anchor="middle">${v.toFixed(2)}</text>`).join('')}
<text x="${(W + M.l) / 2}" y="${H - 12}" text-anchor="middle">epoch</text>
<text transform="translate(18,${(H - M.b + M.t) / 2}) rotate(-90)" text-anchor="middle">loss (ε-MSE per coordinate/feature)</text>
<path d="${path(train)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
<path d="${path(validation)}" fill="none" stroke="#d62728" stroke-width="2"/>
${validation.map((p) => `<circle cx="${x(p[0])}" cy="${y(p[1])}" r="3" fill="#d62728"/>`).join('')}
<rect x="${W - M.r - 250}" y="${M.t}" width="240" height="46" fill="white" stroke="#ccc"/>
<line x1="${W - M.r - 240}" x2="${W - M.r - 210}" y1="${M.t + 15}" y2="${M.t + 15}" stroke="#1f77b4" stroke-width="2"/><text x="${W - M.r - 200}" y="${M.t + 19}">training (mean of each log window)</text>
<line x1="${W - M.r - 240}" x2="${W - M.r - 210}" y1="${M.t + 34}" y2="${M.t + 34}" stroke="#d62728" stroke-width="2"/><text x="${W - M.r - 200}" y="${M.t + 38}">validation (EMA weights)</text>
</svg>`;
const profile = mkdtempSync(join(tmpdir(), 'equimol-plot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: W, height: H },
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await context.newPage();
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
  await page.screenshot({ path: out });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${out}: ${train.length} training and ${validation.length} validation points`);
