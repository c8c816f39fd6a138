import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElementNotInVocabularyError, qm9Encoding } from '../data/atomEncoding.js';
import { Rng } from '../random/rng.js';
import { arrayPredictor, maxAbsDiff, useTestBackend } from '../testing/fixtures.js';
import { checkHeldAtoms, HeldAtomsError, Inpainting } from './inpainting.js';
import { type NoisePredictor, sampleChain } from './reverseChain.js';
import { createSampler } from './samplers.js';
import { EDM_QM9_SCHEDULE, NoiseSchedule } from './schedule.js';

// An exact-noise oracle for a data set of two molecules A and B (zero centre of mass, normalised
// units = Å here): ε̂(z_t) = (z_t − α_t·E[x | z_t])/σ_t with the exact posterior over {A, B}. Without
// constraint the chain ends at A or at B; holding two atoms of A, placed in another frame, must give
// A in that frame every time: the held atoms bit-exact, the free one where A has it.
const schedule = new NoiseSchedule(EDM_QM9_SCHEDULE);
const encoding = qm9Encoding(false); // C N O F + atomic number
const F = 5;
const features = (types: number[]): Float32Array => {
  const h = new Float32Array(3 * F);
  types.forEach((t, a) => {
    h[a * F + t] = 0.25;
    h[a * F + 4] = [6, 7, 8, 9][t]! / 10;
  });
  return h;
};
const xStar = Float32Array.from([1.0, 0.2, -0.3, -0.6, 0.9, 0.1, -0.4, -1.1, 0.2]); // A: N, C, O
const data = [
  { x: xStar, h: features([1, 0, 2]) },
  { x: Float32Array.from([-1.0, 0.3, 0.4, 0.7, -0.8, 0.2, 0.3, 0.5, -0.6]), h: features([1, 0, 3]) }, // B: N, C, F
];
const oracle: NoisePredictor = arrayPredictor((zx, zh, step) => {
  const g = schedule.gammaAtStep(step);
  const [a, s] = [NoiseSchedule.alpha(g), NoiseSchedule.sigma(g)];
  const epsX = new Float32Array(zx.length);
  const epsH = new Float32Array(zh.length);
  for (let b = 0; b < zx.length / 9; b++) {
    const zxb = zx.subarray(9 * b, 9 * b + 9);
    const zhb = zh.subarray(3 * F * b, 3 * F * (b + 1));
    const logW = data.map((d) => {
      let sq = 0;
      zxb.forEach((z, i) => (sq += (z - a * d.x[i]!) ** 2));
      zhb.forEach((z, i) => (sq += (z - a * d.h[i]!) ** 2));
      return -sq / (2 * s * s);
    });
    const top = Math.max(...logW);
    const w = logW.map((l) => Math.exp(l - top));
    const total = w[0]! + w[1]!;
    zxb.forEach((z, i) => (epsX[9 * b + i] = (z - (a * (w[0]! * data[0]!.x[i]! + w[1]! * data[1]!.x[i]!)) / total) / s));
    zhb.forEach((z, i) => (epsH[3 * F * b + i] = (z - (a * (w[0]! * data[0]!.h[i]! + w[1]! * data[1]!.h[i]!)) / total) / s));
  }
  return { epsX, epsH };
});
const offset = [12.25, -3.5, 7.125];
// The held atoms 1 and 2 (N and C) in the user's frame, as a file would give them.
const held = { elements: ['N', 'C'], positions: Float64Array.from({ length: 6 }, (_, i) => xStar[i]! + offset[i % 3]! + 1e-7 * i) };

async function inpaint(kind: 'ancestral' | 'ddim', steps: number, resample: number, seeds = [1, 2, 3, 4, 5, 6]) {
  const B = seeds.length;
  const constraint = new Inpainting(schedule, encoding, held, { B, N: 3 }, resample);
  const out = await sampleChain({ schedule, encoding }, oracle, seeds.map(() => 3), seeds.map((s) => new Rng(s)), { sampler: createSampler({ sampler: kind }), steps, constraint });
  return seeds.map((_, b) => ({
    positions: constraint.toInputFrame(out.positions.subarray(9 * b, 9 * b + 9), 3),
    elements: constraint.elements(Array.from(out.types.subarray(3 * b, 3 * b + 3), (t) => encoding.elements[t]!)),
  }));
}

describe('inpainting', () => {
  beforeAll(useTestBackend);

  for (const [kind, steps, resample] of [['ancestral', 1000, 1], ['ancestral', 50, 5], ['ddim', 50, 1], ['ddim', 50, 3]] as const) {
    it(`${kind}, ${steps} steps, resample ${resample}: returns the known molecule in the input frame, held atoms bit-exact`, async () => {
      for (const mol of await inpaint(kind, steps, resample)) {
        expect(Array.from(mol.positions.subarray(0, 6))).toEqual(Array.from(held.positions));
        const free = mol.positions.subarray(6, 9);
        expect(maxAbsDiff(free, Array.from(xStar.subarray(6, 9), (v, d) => v + offset[d]!))).toBeLessThan(0.05);
        expect(mol.elements).toEqual(['N', 'C', 'O']);
      }
    });
  }

  it('without the held atoms the same chain ends at either molecule (the test above is not trivial)', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = await sampleChain({ schedule, encoding }, oracle, seeds.map(() => 3), seeds.map((s) => new Rng(s)), { steps: 50 });
    const free = seeds.map((_, b) => encoding.elements[out.types[3 * b + 2]!]);
    expect(new Set(free)).toEqual(new Set(['O', 'F']));
  });

  it('the same seed gives the same output, another seed another path', async () => {
    const [a, b] = [await inpaint('ancestral', 40, 2, [7]), await inpaint('ancestral', 40, 2, [7])];
    expect(Array.from(a[0]!.positions)).toEqual(Array.from(b[0]!.positions));
    const c = await inpaint('ancestral', 40, 2, [8]);
    expect(Array.from(c[0]!.positions)).not.toEqual(Array.from(a[0]!.positions));
  });

  it('imposing the held atoms keeps the zero centre of mass and their shape', () => {
    const constraint = new Inpainting(schedule, encoding, held, { B: 1, N: 3 }, 1);
    const before = { x: tf.tensor3d([0.5, -0.2, 0.1, 0.3, 0.4, -0.6, -0.8, -0.2, 0.5], [1, 3, 3]), h: tf.zeros([1, 3, F]) as tf.Tensor3D };
    const zero = () => ({ x: tf.zeros([1, 3, 3]) as tf.Tensor3D, h: tf.zeros([1, 3, F]) as tf.Tensor3D });
    const after = constraint.impose(before, 0, zero);
    const z = { x: after.x.dataSync() as Float32Array };
    const mean = [0, 1, 2].map((d) => (z.x[d]! + z.x[3 + d]! + z.x[6 + d]!) / 3);
    expect(Math.max(...mean.map(Math.abs))).toBeLessThan(1e-6);
    // At step 0 (α ≈ 1, σ ≈ 0) the held rows are the known atoms, translated.
    const alpha0 = NoiseSchedule.alpha(schedule.gammaAtStep(0));
    const d = [0, 1, 2].map((k) => z.x[3 + k]! - z.x[k]!);
    expect(maxAbsDiff(d, [0, 1, 2].map((k) => alpha0 * (xStar[3 + k]! - xStar[k]!)))).toBeLessThan(1e-5);
    expect(z.x.subarray(6)).toEqual(Float32Array.from([-0.8, -0.2, 0.5]));
  });

  it('refuses held atoms that cannot be part of a molecule, naming the atom', () => {
    expect(() => checkHeldAtoms({ elements: [], positions: [] }, encoding)).toThrow(/no atoms to hold/);
    expect(() => checkHeldAtoms({ elements: ['C', 'S'], positions: [0, 0, 0, 1.8, 0, 0] }, encoding, 'frag.sdf')).toThrow(ElementNotInVocabularyError);
    expect(() => checkHeldAtoms({ elements: ['C', 'S'], positions: [0, 0, 0, 1.8, 0, 0] }, encoding, 'frag.sdf')).toThrow('frag.sdf: held atom 2: element S is not in the vocabulary [C, N, O, F]');
    expect(() => checkHeldAtoms({ elements: ['C', 'C', 'O'], positions: new Array(9).fill(0) }, encoding)).toThrow(/no 3D coordinates \(all zero\)/);
    expect(() => checkHeldAtoms({ elements: ['C', 'C', 'O'], positions: [0, 0, 0, 1.5, 0, 0, 1.5, 0.5, 0] }, encoding)).toThrow(HeldAtomsError);
    expect(() => checkHeldAtoms({ elements: ['C', 'C', 'O'], positions: [0, 0, 0, 1.5, 0, 0, 1.5, 0.5, 0] }, encoding)).toThrow('held atoms 2 (C) and 3 (O) are 0.50 Å apart, closer than 0.7 Å');
    expect(() => checkHeldAtoms({ elements: ['C'], positions: [0, 0, 0] }, encoding)).not.toThrow();
  });
});
