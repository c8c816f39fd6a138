import { type BackendCandidate, type BackendChoice, portableBackends, selectBackend, type SelectBackendOptions } from '../backend/select.js';
import { webgpuBackend } from '../backend/webgpu.js';
import { dawnGpu, probeDawnAdapter } from './dawn.js';

// The native TensorFlow bindings are optional peer dependencies: their install step downloads
// libtensorflow, which fails offline, so they are imported by name at run time only if present.
// A variable specifier keeps bundlers and TypeScript from resolving them at build time.
async function importOptional(name: string): Promise<void> {
  await import(/* @vite-ignore */ name);
}

/**
 * Candidates in Node: a GPU through WebGPU (Dawn), CUDA TensorFlow, CPU TensorFlow, then wasm and cpu.
 * WebGPU on a CPU emulator (SwiftShader) is skipped unless asked for by name. Dawn cannot read
 * tensors synchronously (tfjs-webgpu reads through a canvas, which Node lacks): training and sampling
 * read back with `await data()`.
 */
export const nodeBackends: BackendCandidate[] = [
  webgpuBackend({ gpu: dawnGpu, probe: probeDawnAdapter }),
  { name: 'tensorflow-gpu', tfName: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node-gpu') },
  { name: 'tensorflow', tfName: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node') },
  ...portableBackends,
];

/** Picks the fastest backend that loads in this Node process. */
export function selectNodeBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  return selectBackend(nodeBackends, options);
}
