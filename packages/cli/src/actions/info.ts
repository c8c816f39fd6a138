import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeAdapter, type Model, listGpuAdapters, loadModelDirectory, selectNodeBackend } from '@equimol/core/node';
import { checkBackendEnvironment } from '../context.js';
import { integerOption } from '../options.js';
import { duration } from '../format.js';
import { DEFAULT_MODEL, modelsDirectory, resolveModelDirectory, shippedModels } from '../models.js';
import { cliVersion } from '../version.js';
import type { InfoArgs } from '../commands/info.js';

function field(label: string, value: unknown): string {
  return `  ${(label + ':').padEnd(22)} ${value}`;
}

function modelCard(model: Model, dir: string): string[] {
  const m = model.meta;
  const hist = m.atomCountHistogram;
  const sizes = hist.map((c, n) => (c > 0 && n > 0 ? n : -1)).filter((n) => n > 0);
  const lines = [`model: ${m.name}${m.description ? ` — ${m.description}` : ''}`];
  lines.push(field('directory', dir));
  lines.push(field('parameters', model.dynamics.layout.size.toLocaleString('en-US')));
  lines.push(field('network', `EGNN, ${m.egnn.layers} layers, hidden ${m.egnn.hiddenSize}, attention ${m.egnn.attention ? 'on' : 'off'}, ${m.egnn.nodeFeatures} node features${m.egnn.logSnrInput ? ', log-SNR input' : ''}`));
  if (m.egnn.bondClasses) lines.push(field('generates', `bonds (${m.egnn.bondClasses} classes: none, single, double, triple) and formal charges (${(m.encoding.bonds?.formalCharges ?? []).join(', ')}) with the atoms`));
  const schedule = m.schedule as unknown as Record<string, unknown>;
  lines.push(field('noise schedule', Object.entries(schedule).map(([k, v]) => `${k} ${v}`).join(', ')));
  lines.push(field('elements', `${m.encoding.elements.join(' ')}${m.encoding.elements.includes('H') ? '' : ' (heavy atoms; hydrogens added on export)'}`));
  if (sizes.length > 0) lines.push(field('atoms per molecule', `${sizes[0]}–${sizes[sizes.length - 1]} (from the training histogram)`));
  const d = m.dataset;
  if (d) {
    lines.push('training data:');
    lines.push(field('name', d.name));
    lines.push(field('source', d.source));
    if (d.description) lines.push(field('contents', d.description));
    if (d.filters.length > 0) lines.push(field('filters', d.filters.join('; ')));
    if (d.createdAt) lines.push(field('built', d.createdAt));
  }
  const t = m.training;
  if (t) {
    lines.push('training run:');
    for (const [k, v] of Object.entries(t)) {
      if (k === 'config' || v === undefined) continue;
      const value = k === 'elapsedSeconds' && typeof v === 'number' ? duration(v) : typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : typeof v === 'object' ? JSON.stringify(v) : v;
      lines.push(field(k, value));
    }
    const config = t.config as Record<string, unknown> | undefined;
    if (config) {
      const keys = ['batchSize', 'maxSteps', 'maxEpochs', 'emaDecay', 'loss', 'seed'].filter((k) => config[k] !== undefined);
      lines.push(field('config', keys.map((k) => `${k} ${config[k]}`).join(', ')));
    }
  }
  return lines;
}

/** `equimol info`: the backend in use and why, and the model card of a model. */
export async function runInfo(args: InfoArgs): Promise<void> {
  const modelName = args.model ?? DEFAULT_MODEL;
  const modelDir = resolveModelDirectory(modelName);
  checkBackendEnvironment(args.backend);
  const notices: string[] = [];
  const gpu = integerOption('gpu', args.gpu, 0);
  const backend = await selectNodeBackend({ preferred: args.backend, ...(gpu !== undefined ? { gpu } : {}), notice: (line) => notices.push(line) });
  // The adapters `--gpu` chooses from, when WebGPU is in use or was asked for.
  const adapters = backend.name === 'webgpu' || args.backend === 'webgpu' ? await listGpuAdapters() : [];
  const model = await loadModelDirectory(modelDir);
  const readmePath = join(modelDir, 'README.md');
  const readme = existsSync(readmePath) ? await readFile(readmePath, 'utf8') : undefined;
  if (args.json) {
    const { weightsManifest: _manifest, ...meta } = model.meta;
    const card = { equimol: cliVersion(), backend, ...(adapters.length > 0 ? { gpuAdapters: adapters } : {}), model: { directory: modelDir, parameters: model.dynamics.layout.size, ...meta }, readme: readme ?? null };
    process.stdout.write(JSON.stringify(card, null, 2) + '\n');
    return;
  }
  const lines = [`equimol ${cliVersion()}`, '', `backend: ${backend.name} — ${backend.reason}`];
  const a = backend.adapter;
  if (a) lines.push(`  adapter: ${describeAdapter(a)}${a.emulator ? ' (correct but slower than wasm; used only when asked for)' : ''}`);
  if (adapters.length > 0) lines.push(`  GPU adapters (--gpu N): ${adapters.map((d, i) => `${i}: ${d.name} (${d.backend})`).join(', ')}`);
  for (const s of backend.skipped) lines.push(`  skipped ${s}`);
  lines.push('', ...modelCard(model, modelDir));
  // By directory, so that `-m data/models/qm9-h` does not list qm9-h as another model.
  const others = shippedModels().filter((m) => resolve(modelsDirectory(), m) !== resolve(modelDir));
  if (others.length > 0) lines.push('', `other shipped models (${modelsDirectory()}): ${others.join(', ')}`);
  if (readme !== undefined) lines.push('', `--- ${readmePath} ---`, readme.trimEnd());
  else lines.push('', `(no README.md in ${modelDir})`);
  process.stdout.write(lines.join('\n') + '\n');
}
