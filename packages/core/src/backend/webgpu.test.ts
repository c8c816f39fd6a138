import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { parseDawnAdapterList } from '../node/dawn.js';
import { type GpuAdapterInfo, type GpuLike, isEmulatorAdapter } from './gpuAdapter.js';
import { portableBackends, selectBackend, workerThreadsFor } from './select.js';
import { webgpuBackend } from './webgpu.js';

// Fake adapters stand in for GPUs: what is tested here is the choice, not the computing (that is
// webgpuCorrectness.test.ts, on SwiftShader).
const swiftshader: GpuAdapterInfo = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
const h200: GpuAdapterInfo = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 550.54', isFallbackAdapter: false };

function fakeGpu(info: GpuAdapterInfo | null): GpuLike {
  return {
    requestAdapter: async () =>
      info && {
        info,
        features: { has: () => false },
        limits: {},
        requestDevice: async () => {
          throw new Error('fake adapter: no device');
        },
      },
  };
}

const fakeWebgpu = (info: GpuAdapterInfo | null, probe = false) =>
  webgpuBackend({ gpu: async () => fakeGpu(info), ...(probe ? { probe: async () => info } : {}) });

describe('WebGPU adapters', () => {
  it('tells a CPU emulator from a GPU by its info', () => {
    expect(isEmulatorAdapter(swiftshader)).toBe(true);
    expect(isEmulatorAdapter({ ...swiftshader, isFallbackAdapter: false })).toBe(true);
    expect(isEmulatorAdapter({ ...h200, isFallbackAdapter: true })).toBe(true);
    expect(isEmulatorAdapter(h200)).toBe(false);
  });

  it("reads Dawn's adapter list, in Dawn's order (what --gpu N indexes)", () => {
    const message = "no suitable backends found\nAvailable adapters:\n * backend: 'vulkan', name: 'NVIDIA H200'\n * backend: 'vulkan', name: 'SwiftShader Device (Subzero)'";
    expect(parseDawnAdapterList(message)).toEqual([
      { backend: 'vulkan', name: 'NVIDIA H200' },
      { backend: 'vulkan', name: 'SwiftShader Device (Subzero)' },
    ]);
    expect(parseDawnAdapterList('some other message')).toEqual([]);
  });
});

describe('WebGPU in automatic selection', () => {
  it('passes over a CPU emulator to wasm unless webgpu is asked for, saying so', async () => {
    for (const probe of [false, true]) {
      const notices: string[] = [];
      const choice = await selectBackend([fakeWebgpu(swiftshader, probe), ...portableBackends], { notice: (l) => notices.push(l) });
      expect(choice.name).toBe('wasm');
      expect(choice.skipped).toEqual([
        'webgpu: only a CPU emulator (vendor google, device swiftshader-device-subzero- (swiftshader), driver SwiftShader driver 5.0.0, CPU emulator); ask for it with --backend webgpu',
      ]);
      expect(notices).toHaveLength(1);
    }
  });

  it('tries a real GPU first, and an emulator when asked for (the fake adapter then fails to open a device)', async () => {
    const gpu = await selectBackend([fakeWebgpu(h200), ...portableBackends], { notice: () => {} });
    expect(gpu.skipped).toEqual(['webgpu: fake adapter: no device']);
    const asked = await selectBackend([fakeWebgpu(swiftshader), ...portableBackends], { preferred: 'webgpu', notice: () => {} });
    expect(asked.skipped).toEqual(['webgpu: fake adapter: no device']);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('says when there is no adapter at all', async () => {
    for (const probe of [false, true]) {
      const choice = await selectBackend([fakeWebgpu(null, probe), ...portableBackends], { notice: () => {} });
      expect(choice.skipped).toEqual(['webgpu: no WebGPU adapter (no usable GPU driver)']);
    }
  });

  it('runs worker threads on the CPU backends, and one thread with a notice on WebGPU', () => {
    const notices: string[] = [];
    expect(workerThreadsFor('wasm', 4, (l) => notices.push(l))).toBe(4);
    expect(workerThreadsFor('webgpu', 1, (l) => notices.push(l))).toBe(1);
    expect(notices).toEqual([]);
    expect(workerThreadsFor('webgpu', 4, (l) => notices.push(l))).toBe(1);
    expect(notices).toEqual(['equimol: 4 worker threads do not apply to the webgpu backend; computing in one thread on the GPU']);
  });
});
