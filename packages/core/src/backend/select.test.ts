import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type BackendCandidate, portableBackends, selectBackend } from './select.js';

// Fakes stand in for the native TensorFlow bindings, which cannot be installed on every machine.
const missing = (name: string): BackendCandidate => ({
  name,
  tfName: 'tensorflow',
  load: async () => {
    throw new Error(`Cannot find module '@tensorflow/tfjs-node' imported from equimol`);
  },
});
const broken = (name: string): BackendCandidate => ({
  name,
  tfName: 'tensorflow',
  load: async () => {
    throw new Error('libcudart.so.11.0: cannot open shared object file\n  at dlopen');
  },
});

describe('backend selection', () => {
  afterEach(() => {
    delete process.env['EQUIMOL_BACKEND'];
  });

  it('falls back past absent and broken native backends with one notice line', async () => {
    const notices: string[] = [];
    const choice = await selectBackend([broken('tensorflow-gpu'), missing('tensorflow'), ...portableBackends], { notice: (l) => notices.push(l) });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(notices).toEqual([
      'equimol: using the wasm backend (tensorflow-gpu: libcudart.so.11.0: cannot open shared object file; tensorflow: not installed)',
    ]);
    expect(choice.reason).toMatch(/^fallback after: tensorflow-gpu: libcudart/);
  });

  it('uses the first candidate when it loads, without notices', async () => {
    const notices: string[] = [];
    const choice = await selectBackend(portableBackends, { notice: (l) => notices.push(l) });
    expect(choice).toEqual({ name: 'wasm', reason: 'fastest available', skipped: [], tfjsVersion: tf.version_core });
    expect(notices).toEqual([]);
  });

  it('honours the option and EQUIMOL_BACKEND, and rejects unknown names', async () => {
    expect((await selectBackend(portableBackends, { preferred: 'cpu' })).reason).toBe('requested (option)');
    expect(tf.getBackend()).toBe('cpu');
    process.env['EQUIMOL_BACKEND'] = 'wasm';
    expect((await selectBackend(portableBackends)).reason).toBe('requested (EQUIMOL_BACKEND)');
    expect(tf.getBackend()).toBe('wasm');
    await expect(selectBackend(portableBackends, { preferred: 'tpu' })).rejects.toThrow(/unknown backend "tpu"; choose one of: wasm, cpu/);
  });

  it('throws only when nothing loads', async () => {
    await expect(selectBackend([missing('a'), broken('b')], { notice: () => {} })).rejects.toThrow(/no tfjs backend could be loaded/);
  });
});
