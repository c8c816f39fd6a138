// Web worker that samples with @equimol/core off the page's main thread, on WebGPU where the browser
// has a usable GPU adapter (the chain then stays on the GPU), else on tfjs's wasm backend; a load
// request may force one. Sampling is async, but its wasm compute would still hold the page's thread.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { browserBackends, loadModelFromUrl, sampleMolecules, selectBackend, type Model } from '@equimol/core';
import type { GenerateBackend, WorkerRequest, WorkerResponse } from './generate.js';

// Vite emits the binaries as assets and gives their URLs; tfjs would otherwise look next to its JS.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });

let model: Promise<{ model: Model; backend: string }> | undefined;

const post = (message: WorkerResponse) => (self as unknown as Worker).postMessage(message);

// Automatic: WebGPU on a real GPU adapter (core refuses a CPU emulator unless asked for), then wasm,
// then cpu. Forced: that backend alone, so that a failure to load says why instead of falling back.
async function activate(forced: GenerateBackend | undefined): Promise<string> {
  const candidates = forced ? browserBackends.filter((c) => c.name === forced) : browserBackends;
  const choice = await selectBackend(candidates, { ...(forced ? { preferred: forced } : {}), notice: () => undefined });
  return choice.name;
}

async function load(url: string, forced: GenerateBackend | undefined): Promise<{ model: Model; backend: string }> {
  const [loaded, backend] = await Promise.all([loadModelFromUrl(url), activate(forced)]);
  return { model: loaded, backend };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'load') {
      model ??= load(request.modelUrl, request.backend);
      const { model: m, backend } = await model;
      post({ type: 'loaded', id: request.id, name: m.meta.name, description: m.meta.description ?? '', backend });
    } else {
      if (!model) throw new Error('no model loaded');
      const { model: m } = await model;
      const o = request.options;
      // One molecule at a time, so the page can animate each chain live, frame by frame, as it is
      // sampled (a batch would interleave the chains). core seeds molecule i from (seed, i) alone, so
      // this gives the same molecules as one batch.
      for (let k = 0; k < o.count; k++) {
        const result = await sampleMolecules(m, {
          count: 1,
          startIndex: k,
          seed: o.seed,
          steps: o.steps,
          ...(o.atomCount !== undefined ? { atoms: o.atomCount } : {}),
          ...(o.fixed ? { fixed: o.fixed, resample: o.resample ?? 1 } : {}),
          trajectoryFrames: o.frames,
          onFrame: (index, frame) => post({ type: 'frame', id: request.id, index, frame }),
        });
        const molecule = result.trajectory?.molecules[0];
        if (!molecule) throw new Error('the sampler returned no trajectory');
        post({ type: 'molecule', id: request.id, molecule, done: k + 1, total: o.count });
      }
      post({ type: 'done', id: request.id });
    }
  } catch (e) {
    // tfjs and emscripten can throw strings and other non-Errors.
    post({ type: 'error', id: request.id, message: e instanceof Error ? e.message : String(e) });
  }
};
