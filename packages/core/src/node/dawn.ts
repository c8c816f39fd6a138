import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type GpuAdapterInfo, type GpuLike, WebGpuUnavailableError } from '../backend/gpuAdapter.js';

// WebGPU in Node through Dawn's bindings: the optional `webgpu` package, whose prebuilt dawn.node
// opens Vulkan, Metal or Direct3D. Imported by name, so that core builds and runs without it.

/** Dawn's Node bindings. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  /** GPUBufferUsage, GPUMapMode, … which tfjs-backend-webgpu reads as globals. */
  globals: Record<string, unknown>;
}

async function loadDawn(): Promise<DawnModule> {
  const name = 'webgpu';
  const dawn = (await import(/* @vite-ignore */ name)) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  return dawn;
}

/** A GPU adapter Dawn can open in this process. */
export interface DawnAdapter {
  /** Dawn's backend: 'vulkan', 'metal', 'd3d12', … */
  backend: string;
  name: string;
}

/**
 * Dawn's adapters, in Dawn's order (the index `--gpu` takes). Dawn has no call that lists them: asked
 * for an adapter name that does not exist, it fails with the list ("Available adapters: * backend:
 * 'vulkan', name: '…'"), which is parsed here. Empty if that message changes or there is no driver.
 */
export async function listGpuAdapters(): Promise<DawnAdapter[]> {
  const dawn = await loadDawn();
  try {
    await dawn.create(['adapter=\u0001equimol: list the adapters']).requestAdapter();
    return [];
  } catch (err) {
    return parseDawnAdapterList(err instanceof Error ? err.message : String(err));
  }
}

/** The adapters named in Dawn's "Available adapters" message. */
export function parseDawnAdapterList(message: string): DawnAdapter[] {
  return [...message.matchAll(/\* backend: '([^']*)', name: '([^']*)'/g)].map((m) => ({ backend: m[1]!, name: m[2]! }));
}

/** Dawn's GPU object: on adapter `index` of `listGpuAdapters` (`--gpu N`), else on the one Dawn prefers. */
export async function dawnGpu(index: number | undefined): Promise<GpuLike> {
  const dawn = await loadDawn();
  if (index === undefined) return dawn.create([]);
  const adapters = await listGpuAdapters();
  const adapter = adapters[index];
  if (!adapter) {
    const list = adapters.map((a, i) => `${i}: ${a.name} (${a.backend})`).join(', ');
    throw new WebGpuUnavailableError(`there is no GPU ${index}; ${adapters.length === 0 ? 'Dawn lists no adapters' : `adapters: ${list}`}`);
  }
  return dawn.create([`adapter=${adapter.name}`]);
}

/**
 * The adapter Dawn would open, asked in a child process (node/gpuProbe.ts): Vulkan drivers that are
 * refused print warnings on stderr, and a broken driver can crash the process that loads it, neither
 * of which may happen to a command that merely looks for a GPU. Null if there is no adapter.
 */
export function probeDawnAdapter(index: number | undefined): Promise<GpuAdapterInfo | null> {
  const script = fileURLToPath(new URL('./gpuProbe.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...(index !== undefined ? [String(index)] : [])], { timeout: 60_000 }, (err, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (err && !line.startsWith('{')) {
        reject(new WebGpuUnavailableError(`the GPU probe failed (${err.message.split('\n')[0]})`));
        return;
      }
      const reply = JSON.parse(line) as { adapter: GpuAdapterInfo | null } | { error: string };
      if ('error' in reply) reject(new WebGpuUnavailableError(reply.error));
      else resolve(reply.adapter);
    });
  });
}
