// Histogram PNGs for `equimol eval --plots`: the SVG is drawn here (bars, axes, labels), rasterised by
// resvg (@resvg/resvg-js), so no browser is needed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/** One histogram: generated values beside an optional reference, as densities on shared bins. */
export interface HistogramSpec {
  /** File name without extension, e.g. `qed`. */
  name: string;
  /** Axis label, e.g. `QED`. */
  label: string;
  values: readonly number[];
  reference?: readonly number[];
  /** Whole-number descriptor (counts): one bin per integer. */
  integer?: boolean;
  /** Line under the title, e.g. the Wasserstein-1 distance. */
  note?: string;
}

const W = 640;
const H = 400;
const M = { l: 60, r: 20, t: 56, b: 50 };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Bin edges covering both samples (1st–99th percentile for continuous descriptors, so outliers do not squash the plot). */
function binEdges(all: number[], integer: boolean): number[] {
  const sorted = [...all].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(f * (sorted.length - 1))))]!;
  if (integer) {
    const lo = Math.floor(sorted[0]!);
    const hi = Math.ceil(q(0.995));
    return Array.from({ length: hi - lo + 2 }, (_, i) => lo - 0.5 + i);
  }
  const lo = q(0.005);
  const hi = q(0.995);
  const bins = 30;
  const step = hi > lo ? (hi - lo) / bins : 1;
  return Array.from({ length: bins + 1 }, (_, i) => lo + i * step);
}

function densities(values: readonly number[], edges: number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    const k = Math.min(edges.length - 2, Math.max(0, edges.findIndex((e, i) => i > 0 && v < e) - 1));
    counts[v >= edges[edges.length - 1]! ? edges.length - 2 : k]!++;
  }
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/** The SVG text of one histogram. */
export function histogramSvg(spec: HistogramSpec): string {
  const all = [...spec.values, ...(spec.reference ?? [])];
  const edges = binEdges(all.length > 0 ? all : [0, 1], spec.integer ?? false);
  const gen = densities(spec.values, edges);
  const ref = spec.reference ? densities(spec.reference, edges) : [];
  const yMax = Math.max(...gen, ...ref, 1e-9) * 1.1;
  const x0 = edges[0]!;
  const x1 = edges[edges.length - 1]!;
  const x = (v: number) => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r);
  const y = (v: number) => H - M.b - (v / yMax) * (H - M.t - M.b);
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  gen.forEach((d, i) => {
    const left = x(edges[i]!);
    const width = Math.max(0.5, x(edges[i + 1]!) - left - 1);
    parts.push(`<rect x="${left.toFixed(1)}" y="${y(d).toFixed(1)}" width="${width.toFixed(1)}" height="${(H - M.b - y(d)).toFixed(1)}" fill="#4878d0" fill-opacity="0.75"/>`);
  });
  if (ref.length > 0) {
    const steps = ref.map((d, i) => `L${x(edges[i]!).toFixed(1)},${y(d).toFixed(1)} L${x(edges[i + 1]!).toFixed(1)},${y(d).toFixed(1)}`).join(' ');
    parts.push(`<path d="M${x(x0).toFixed(1)},${y(0).toFixed(1)} ${steps} L${x(x1).toFixed(1)},${y(0).toFixed(1)}" fill="none" stroke="#ee854a" stroke-width="2.5"/>`);
  }
  parts.push(`<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="black"/>`, `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="black"/>`);
  for (let k = 0; k <= 5; k++) {
    const v = x0 + ((x1 - x0) * k) / 5;
    const label = Math.abs(x1 - x0) >= 10 ? v.toFixed(0) : v.toFixed(2);
    parts.push(`<text x="${x(v).toFixed(1)}" y="${H - M.b + 18}" font-size="12" text-anchor="middle">${label}</text>`);
    const d = (yMax * k) / 5;
    parts.push(`<text x="${M.l - 6}" y="${(y(d) + 4).toFixed(1)}" font-size="12" text-anchor="end">${d.toFixed(2)}</text>`);
  }
  parts.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 12}" font-size="14" text-anchor="middle">${escapeXml(spec.label)}</text>`);
  parts.push(`<text x="${M.l}" y="22" font-size="16" font-weight="bold">${escapeXml(spec.label)}</text>`);
  const legend = `generated (n = ${spec.values.length})${spec.reference ? ` — reference (n = ${spec.reference.length})` : ''}${spec.note ? `; ${spec.note}` : ''}`;
  parts.push(`<text x="${M.l}" y="42" font-size="12" fill="#333">${escapeXml(legend)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif">${parts.join('')}</svg>`;
}

/** Writes one PNG per histogram into `dir`; returns the paths. */
export async function writeHistogramPngs(dir: string, specs: readonly HistogramSpec[]): Promise<string[]> {
  const paths: string[] = [];
  for (const spec of specs) {
    const png = new Resvg(histogramSvg(spec), { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    const path = join(dir, `${spec.name}.png`);
    await writeFile(path, png);
    paths.push(path);
  }
  return paths;
}
