import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../modelFormat/modelFormat.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { resizeParameters } from '../model/parameters.js';
import { Rng } from '../random/rng.js';
import { tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { atomCountWeights, type ParallelSampling, SampleOptionsError, sampleMolecules, type SampleResult } from './sampleMolecules.js';

const base = createModel({
  name: 'tiny',
  egnn: tinyEgnnConfig(5),
  schedule: { ...EDM_QM9_SCHEDULE, timesteps: 30 },
  encoding: qm9Encoding(false),
  atomCountHistogram: [0, 0, 3, 0, 5, 2],
});
const model = { ...base, params: base.dynamics.layout.initialise(new Rng(1)) };
const positions = (r: SampleResult): number[][] => r.molecules.map((m) => Array.from(m.positions));

describe('sampleMolecules', () => {
  beforeAll(useTestBackend);

  it('a model grown with the log-SNR input (zero weights) samples exactly the molecules it sampled before', async () => {
    const grownBase = createModel({ ...base.meta, egnn: { ...base.meta.egnn, logSnrInput: true } });
    const grown = { ...grownBase, params: resizeParameters(base.dynamics.layout, grownBase.dynamics.layout, model.params) };
    expect(grown.params.length).toBeGreaterThan(model.params.length);
    expect(positions(await sampleMolecules(grown, { count: 3, seed: 4 }))).toEqual(positions(await sampleMolecules(model, { count: 3, seed: 4 })));
  });

  it('passes typeNoise to the chain: 1 is the default, 0 gives other molecules', async () => {
    const edm = positions(await sampleMolecules(model, { count: 4, seed: 3 }));
    expect(positions(await sampleMolecules(model, { count: 4, seed: 3, typeNoise: 1 }))).toEqual(edm);
    expect(positions(await sampleMolecules(model, { count: 4, seed: 3, typeNoise: 0 }))).not.toEqual(edm);
  });

  it('same seed → same molecules; another seed → different ones', async () => {
    const a = await sampleMolecules(model, { count: 5, seed: 1 });
    const b = await sampleMolecules(model, { count: 5, seed: 1 });
    const c = await sampleMolecules(model, { count: 5, seed: 2 });
    expect(positions(b)).toEqual(positions(a));
    expect(positions(c)).not.toEqual(positions(a));
  });

  it('a molecule does not depend on batch size or on which shard produced it', async () => {
    const whole = await sampleMolecules(model, { count: 6, seed: 4, batchSize: 64 });
    const first = await sampleMolecules(model, { count: 3, seed: 4, batchSize: 1 });
    const second = await sampleMolecules(model, { count: 3, seed: 4, startIndex: 3, batchSize: 2 });
    expect([...positions(first), ...positions(second)]).toEqual(positions(whole));
    expect(whole.molecules.map((m) => m.properties?.index)).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('draws atom counts from the histogram, or as asked', async () => {
    const sizes = (await sampleMolecules(model, { count: 12, seed: 3 })).molecules.map((m) => m.elements.length);
    expect(sizes.every((n) => [2, 4, 5].includes(n))).toBe(true);
    expect((await sampleMolecules(model, { count: 2, seed: 3, atoms: 7 })).molecules.map((m) => m.elements.length)).toEqual([7, 7]);
    const ranged = (await sampleMolecules(model, { count: 6, seed: 3, atomRange: [4, 5] })).molecules.map((m) => m.elements.length);
    expect(ranged.every((n) => n === 4 || n === 5)).toBe(true);
    expect(() => atomCountWeights(model, { atomRange: [10, 12] })).toThrow(SampleOptionsError);
    expect(() => atomCountWeights(model, { atoms: 0 })).toThrow(/positive integer/);
  });

  it('returns trajectories with the requested frames, ending at the sample', async () => {
    const live: string[] = [];
    const r = await sampleMolecules(model, { count: 2, seed: 5, trajectoryFrames: 4, steps: 30, onFrame: (i, f) => live.push(`${i}:${f.step}`) });
    expect(live.sort()).toEqual(['0:0', '0:10', '0:20', '0:30', '1:0', '1:10', '1:20', '1:30']);
    expect(r.trajectory!.molecules).toHaveLength(2);
    for (const [k, traj] of r.trajectory!.molecules.entries()) {
      expect(traj.frames.map((f) => f.step)).toEqual([30, 20, 10, 0]);
      expect(Array.from(traj.frames.at(-1)!.positions)).toEqual(Array.from(r.molecules[k]!.positions));
      expect(traj.frames[0]!.snr).toBeLessThan(1e-3);
    }
  });

  it('hands `workers` to an injected parallel runner (after checking the options), and without one samples in this thread', async () => {
    const calls: [number, object][] = [];
    const parallel: ParallelSampling = async (m, options, workers) => {
      calls.push([workers, options]);
      return sampleMolecules(m, options);
    };
    const alone = await sampleMolecules(model, { count: 3, seed: 6 });
    expect(positions(await sampleMolecules(model, { count: 3, seed: 6, workers: 2, parallel }))).toEqual(positions(alone));
    expect(calls).toEqual([[2, { count: 3, seed: 6 }]]); // neither workers nor the runner reach it
    expect(positions(await sampleMolecules(model, { count: 3, seed: 6, workers: 4 }))).toEqual(positions(alone));
    await sampleMolecules(model, { count: 1, seed: 6, workers: 4, parallel }); // one molecule: one thread
    await expect(sampleMolecules(model, { count: 2, atomRange: [40, 50], workers: 2, parallel })).rejects.toThrow(SampleOptionsError);
    await expect(sampleMolecules(model, { count: 2, workers: 0 })).rejects.toThrow(/workers must be an integer ≥ 1, got 0/);
    expect(calls).toHaveLength(1);
  });

  describe('with held atoms (inpainting)', () => {
    // Two atoms of a molecule, far from the origin, in the user's frame.
    const fixed = { elements: ['O', 'N'], positions: Float64Array.from([10.123456789, -4.5, 3.25, 11.3, -4.1, 3.9]) };

    it('holds the atoms first, at exactly their input coordinates and elements, marked in a data field; the same seed gives the same molecules', async () => {
      const a = await sampleMolecules(model, { count: 4, seed: 2, fixed, resample: 2 });
      for (const m of a.molecules) {
        expect(m.elements.slice(0, 2)).toEqual(['O', 'N']);
        expect(Array.from(m.positions.subarray(0, 6))).toEqual(Array.from(fixed.positions));
        expect(m.properties?.held_atoms).toBe('1-2');
      }
      expect(positions(await sampleMolecules(model, { count: 4, seed: 2, fixed, resample: 2 }))).toEqual(positions(a));
      expect(positions(await sampleMolecules(model, { count: 4, seed: 2, fixed, resample: 1 }))).not.toEqual(positions(a));
    });

    it('draws atom counts above the held part: histogram counts that are too small are drawn again from the larger ones', async () => {
      // The histogram has sizes 2, 4, 5; with 2 held atoms a drawn 2 becomes 4 or 5, the others stay.
      const free = (await sampleMolecules(model, { count: 12, seed: 3 })).molecules.map((m) => m.elements.length);
      const held = (await sampleMolecules(model, { count: 12, seed: 3, fixed })).molecules.map((m) => m.elements.length);
      expect(free).toContain(2);
      held.forEach((n, i) => expect(free[i] === 2 ? [4, 5] : [free[i]]).toContain(n));
      expect(atomCountWeights(model, { fixed: { elements: ['C', 'C', 'C', 'C'], positions: [] } })).toEqual([0, 0, 3, 0, 5, 2]);
      expect(() => atomCountWeights(model, { fixed: { elements: new Array(5).fill('C'), positions: [] } })).toThrow(/held part has 5 atoms, as many as the model's largest molecules \(5\)/);
      expect(() => atomCountWeights(model, { fixed: { elements: new Array(7).fill('C'), positions: [] } })).toThrow(/held part has 7 atoms, more than the model's largest molecules \(5\)/);
      await expect(sampleMolecules(model, { count: 1, fixed, atoms: 2 })).rejects.toThrow(SampleOptionsError);
      await expect(sampleMolecules(model, { count: 1, fixed, atoms: 2 })).rejects.toThrow(/held part has 2 atoms: a molecule of 2 atoms leaves none to generate/);
      await expect(sampleMolecules(model, { count: 1, fixed, atomRange: [1, 2] })).rejects.toThrow(/no molecule size in 1–2/);
      expect((await sampleMolecules(model, { count: 1, fixed, atoms: 7 })).molecules[0]!.elements).toHaveLength(7);
    });

    it('refuses resampling without held atoms, and elements the model does not know', async () => {
      await expect(sampleMolecules(model, { count: 1, resample: 3 })).rejects.toThrow(/resampling applies only to inpainting/);
      await expect(sampleMolecules(model, { count: 1, fixed, resample: 0 })).rejects.toThrow(/resample must be an integer ≥ 1, got 0/);
      await expect(sampleMolecules(model, { count: 1, fixed: { elements: ['C', 'H'], positions: [0, 0, 0, 1.1, 0, 0] } })).rejects.toThrow(/held atom 2: element H is not in the vocabulary \[C, N, O, F\]/);
    });
  });
});
