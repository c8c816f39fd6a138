import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { arrayPredictor, maxAbsDiff, useTestBackend } from '../testing/fixtures.js';
import { type DiffusionProcess, type NoisePredictor, sampleChain } from './reverseChain.js';
import { Ancestral, createSampler, Ddim, type Sampler, SamplerOptionError, timestepSequence } from './samplers.js';
import { EDM_QM9_SCHEDULE, NoiseSchedule } from './schedule.js';

// With an oracle that knows the single data point (x*, h*), ε̂(z_t) = (z_t − α_t·x*)/σ_t is the exact
// posterior-mean noise, so every correct sampler must land on x* (up to the final σ_0/α_0 noise).
const schedule = new NoiseSchedule(EDM_QM9_SCHEDULE);
const xStar = Float32Array.from([1.0, 0.2, -0.3, -0.6, 0.9, 0.1, -0.4, -1.1, 0.2]); // centre of mass zero
const types = [2, 0, 1];
const V = 4;
const F = V + 1;
const hStar = new Float32Array(3 * F);
types.forEach((t, a) => {
  hStar[a * F + t] = 0.25;
  hStar[a * F + V] = [6, 7, 8, 9][t]! / 10;
});
const model: DiffusionProcess = { schedule, encoding: { elements: ['C', 'N', 'O', 'F'], includeCharges: true, normalization: [1, 4, 10] } };
const oracle: NoisePredictor = arrayPredictor((zx, zh, step) => {
  const g = schedule.gammaAtStep(step);
  const a = NoiseSchedule.alpha(g);
  const s = NoiseSchedule.sigma(g);
  return {
    epsX: Float32Array.from(zx, (z, i) => (z - a * xStar[i % 9]!) / s),
    epsH: Float32Array.from(zh, (z, i) => (z - a * hStar[i % (3 * F)]!) / s),
  };
});

describe('reverse-process samplers', () => {
  beforeAll(useTestBackend);

  it('timestep sequences run from T to 0 without repeats', () => {
    expect(timestepSequence(1000).length).toBe(1001);
    const strided = timestepSequence(1000, 50);
    expect(strided[0]).toBe(1000);
    expect(strided.at(-1)).toBe(0);
    expect(strided.length).toBe(51);
    expect(new Set(strided).size).toBe(strided.length);
    expect(timestepSequence(10, 50)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  for (const [kind, steps] of [['ancestral', 1000], ['ancestral', 50], ['ddim', 50]] as const) {
    it(`${kind} with ${steps} steps recovers the data point from an exact noise oracle`, async () => {
      const out = await sampleChain(model, oracle, [3, 3], [new Rng(1), new Rng(2)], { sampler: createSampler({ sampler: kind }), steps });
      for (let b = 0; b < 2; b++) {
        expect(maxAbsDiff(out.positions.subarray(9 * b, 9 * b + 9), xStar)).toBeLessThan(0.05);
        expect(Array.from(out.types.subarray(3 * b, 3 * b + 3))).toEqual(types);
        expect(Array.from(out.charges.subarray(3 * b, 3 * b + 3))).toEqual([8, 6, 7]);
      }
    });
  }

  it('keeps the requested number of frames, from noise to the sample, and is reproducible', async () => {
    const a = await sampleChain(model, oracle, [3], [new Rng(5)], { steps: 40, frames: 5 });
    const b = await sampleChain(model, oracle, [3], [new Rng(5)], { steps: 40, frames: 5 });
    expect(a.frames.map((f) => f.step)).toEqual([1000, 750, 500, 250, 0]);
    expect(Array.from(a.positions)).toEqual(Array.from(b.positions));
    expect(Array.from(a.frames.at(-1)!.positions)).toEqual(Array.from(a.positions));
    const c = await sampleChain(model, oracle, [3], [new Rng(6)], { steps: 40, frames: 5 });
    expect(maxAbsDiff(a.frames[0]!.positions, c.frames[0]!.positions)).toBeGreaterThan(0.1);
  });

  it('can start from a given state at step t: runs t transitions plus the final evaluation, and leaves the state untouched', async () => {
    const t0 = 30;
    const g = schedule.gammaAtStep(t0);
    const rng = new Rng(9);
    const x = Float32Array.from(xStar, (v) => NoiseSchedule.alpha(g) * v + NoiseSchedule.sigma(g) * rng.normal());
    const h = Float32Array.from(hStar, (v) => NoiseSchedule.alpha(g) * v + NoiseSchedule.sigma(g) * rng.normal());
    const before = Float32Array.from(x);
    const seen: number[] = [];
    const counting: NoisePredictor = (zx, zh, step) => (seen.push(step), oracle(zx, zh, step));
    const out = await sampleChain(model, counting, [3], [new Rng(1)], { start: { step: t0, x, h } });
    expect(seen).toEqual([...Array.from({ length: t0 }, (_, i) => t0 - i), 0]);
    expect(maxAbsDiff(out.positions, xStar)).toBeLessThan(0.05);
    expect(Array.from(out.types)).toEqual(types);
    expect(Array.from(x)).toEqual(Array.from(before));
    seen.length = 0;
    await sampleChain(model, counting, [3], [new Rng(1)], { start: { step: 0, x, h } });
    expect(seen).toEqual([0]);
    await expect(sampleChain(model, oracle, [3], [new Rng(1)], { start: { step: 1001, x, h } })).rejects.toThrow(/integer step in 0…1000/);
    await expect(sampleChain(model, oracle, [3], [new Rng(1)], { start: { step: 5, x: x.subarray(3), h } })).rejects.toThrow(/arrays of 9 and 15 values/);
  });

  it('typeNoise scales only the noise on atom-type features: 0 makes their path deterministic, positions keep theirs', async () => {
    // A predictor that removes nothing: each step only rescales z and adds the sampler's noise.
    const inert: NoisePredictor = (zx, zh) => ({ epsX: tf.zerosLike(zx), epsH: tf.zerosLike(zh) });
    const x = Float32Array.from(xStar);
    const h = Float32Array.from({ length: 3 * F }, (_, i) => Math.sin(7 * i)); // argmax per atom: 2, 0, 1
    const run = (seed: number, typeNoise?: number) => sampleChain(model, inert, [3], [new Rng(seed)], { start: { step: 200, x, h }, sampler: new Ancestral({ typeNoise }) });
    const quiet = [await run(1, 0), await run(2, 0)];
    for (const out of quiet) expect(Array.from(out.types)).toEqual([2, 0, 1]);
    expect(Array.from((await run(1, 1)).positions)).toEqual(Array.from(quiet[0]!.positions)); // same draws, same position path
    expect(Array.from((await run(1)).types)).toEqual(Array.from((await run(1, 1)).types)); // default = EDM's sampler
    const flips: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) if (Array.from((await run(seed, 1)).types).join() !== '2,0,1') flips.push(seed);
    expect(flips.length).toBeGreaterThan(0);
    expect(() => run(1, -0.5)).toThrow(/typeNoise must be a finite number ≥ 0/);
  });

  describe('through the sampler interface', () => {
    // One step t → s from z_t = α_t·x + σ_t·ε with the exact ε, on a flat state.
    const x = Float32Array.from([0.3, -1.2, 0.8, 0.5]);
    const e = Float32Array.from([1.1, 0.4, -0.7, -0.2]);
    const [t, s] = [600, 450];
    const [gt, gs] = [schedule.gammaAtStep(t), schedule.gammaAtStep(s)];
    // The flat state as [1, 1, 4] tensors (the step is elementwise).
    const state = (v: ArrayLike<number>) => tf.tensor3d(Array.from(v), [1, 1, 4]);
    const ztArrays = () => {
      const [a, sg] = [NoiseSchedule.alpha(gt), NoiseSchedule.sigma(gt)];
      return { x: Float32Array.from(x, (v, i) => a * v + sg * e[i]!), h: Float32Array.from(x, (v, i) => a * v + sg * e[i]!) };
    };
    const zt = () => ({ x: state(ztArrays().x), h: state(ztArrays().h) });
    const eps = () => ({ x: state(e), h: state(e) });
    const zeros = () => ({ x: state(new Float32Array(4)), h: state(new Float32Array(4)) });
    const read = (out: { x: tf.Tensor; h: tf.Tensor }) => ({ x: out.x.dataSync(), h: out.h.dataSync() });

    it('DDIM with the exact noise lands on α_s·x + σ_s·ε and never draws noise', () => {
      const ddim: Sampler = new Ddim();
      let draws = 0;
      const out = read(ddim.step(zt(), eps(), gt, gs, () => (draws++, zeros())));
      const want = Float32Array.from(x, (v, i) => NoiseSchedule.alpha(gs) * v + NoiseSchedule.sigma(gs) * e[i]!);
      expect(maxAbsDiff(out.x, want)).toBeLessThan(1e-5);
      expect(maxAbsDiff(out.h, want)).toBeLessThan(1e-5);
      expect(draws).toBe(0);
      expect(ddim.timesteps(1000, 50)).toEqual(timestepSequence(1000, 50));
    });

    it('ancestral without noise gives the posterior mean of q(z_s | z_t, x), draws noise once per step, and scales only the type noise', () => {
      const ancestral: Sampler = new Ancestral();
      let draws = 0;
      const out = read(ancestral.step(zt(), eps(), gt, gs, () => (draws++, zeros())));
      const { sigma2TGivenS, alphaTGivenS } = NoiseSchedule.transition(gt, gs);
      const s2t = NoiseSchedule.sigma(gt) ** 2;
      const z = ztArrays().x;
      const mean = Float32Array.from(x, (v, i) => (alphaTGivenS * NoiseSchedule.sigma(gs) ** 2 * z[i]!) / s2t + (NoiseSchedule.alpha(gs) * sigma2TGivenS * v) / s2t);
      expect(maxAbsDiff(out.x, mean)).toBeLessThan(1e-5);
      expect(draws).toBe(1);
      const ones = () => ({ x: state([1, 1, 1, 1]), h: state([1, 1, 1, 1]) });
      const full = read(new Ancestral().step(zt(), eps(), gt, gs, ones));
      const quiet = read(new Ancestral({ typeNoise: 0 }).step(zt(), eps(), gt, gs, ones));
      expect(Array.from(quiet.x)).toEqual(Array.from(full.x));
      expect(maxAbsDiff(quiet.h, mean)).toBeLessThan(1e-5);
      expect(maxAbsDiff(full.h, mean)).toBeGreaterThan(0.01);
    });

    it('rejects options that mean nothing for the chosen sampler', () => {
      expect(createSampler()).toBeInstanceOf(Ancestral);
      expect(createSampler({ sampler: 'ancestral', typeNoise: 0.5 })).toMatchObject({ kind: 'ancestral', typeNoise: 0.5 });
      expect(createSampler({ sampler: 'ddim' })).toBeInstanceOf(Ddim);
      expect(() => createSampler({ sampler: 'ddim', typeNoise: 0.5 })).toThrow(SamplerOptionError);
      expect(() => createSampler({ sampler: 'ddim', typeNoise: 0.5 })).toThrow(/type noise applies only to the ancestral sampler/);
      expect(() => createSampler({ sampler: 'euler' as 'ddim' })).toThrow(/unknown sampler "euler"/);
    });
  });
});
