import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { qm9Encoding } from '../data/atomEncoding.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { sampleMolecules } from '../pipeline/sampleMolecules.js';
import { Rng } from '../random/rng.js';
import { tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { createModel, deserializeModel, ModelFormatError, serializeModel } from './modelFormat.js';

const meta = {
  name: 'tiny',
  egnn: tinyEgnnConfig(5),
  schedule: { ...EDM_QM9_SCHEDULE, timesteps: 50 },
  encoding: qm9Encoding(false),
  atomCountHistogram: [0, 0, 0, 1, 2, 1],
};

describe('model format', () => {
  beforeAll(useTestBackend);

  it('round-trips: a reloaded model samples exactly the same molecules', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const model = createModel(meta, createModel(meta).dynamics.layout.initialise(new Rng(4)));
    const { json, weights } = serializeModel(model);
    const again = deserializeModel(json, weights, 'test');
    expect(again.meta).toEqual(JSON.parse(json));
    expect(Array.from(again.params)).toEqual(Array.from(model.params));
    const a = await sampleMolecules(model, { count: 3, seed: 9 });
    const b = await sampleMolecules(again, { count: 3, seed: 9 });
    expect(b.molecules.map((m) => Array.from(m.positions))).toEqual(a.molecules.map((m) => Array.from(m.positions)));
    expect(tf.memory().numTensors).toBe(tensorsBefore); // sampling and loading leak no tensors
  });

  it('names the first mismatching weight when the architecture differs', () => {
    const model = createModel(meta);
    const { json, weights } = serializeModel(model);
    const wider = JSON.parse(json);
    wider.egnn.hiddenSize = 32;
    expect(() => deserializeModel(JSON.stringify(wider), weights, 'm')).toThrow(
      /m: architecture mismatch at weight 0: file has embedding\.w \[6, 16\], the configured EGNN expects embedding\.w \[6, 32\]/,
    );
    const deeper = JSON.parse(json);
    deeper.egnn.layers = 3;
    expect(() => deserializeModel(JSON.stringify(deeper), weights, 'm')).toThrow(/architecture mismatch: \d+ weight tensors listed/);
  });

  it('rejects other formats, versions and truncated weights with a clear message', () => {
    const { json, weights } = serializeModel(createModel(meta));
    expect(() => deserializeModel('{', weights, 'm')).toThrow(ModelFormatError);
    expect(() => deserializeModel(JSON.stringify({ ...JSON.parse(json), formatVersion: 99 }), weights, 'm')).toThrow(/version 99 is not supported/);
    expect(() => deserializeModel(JSON.stringify({ ...JSON.parse(json), format: 'x' }), weights, 'm')).toThrow(/not an equimol model/);
    expect(() => deserializeModel(json, weights.subarray(0, 100), 'm')).toThrow(/weights.bin has 100 bytes/);
  });
});
