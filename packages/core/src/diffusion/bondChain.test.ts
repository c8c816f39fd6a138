import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bond } from '../chem/molecule.js';
import { type AtomEncoding, featureCount } from '../data/atomEncoding.js';
import { kekuleBondEncoding } from '../data/bondEncoding.js';
import type { MoleculeBatch } from '../data/batch.js';
import { EgnnDynamics } from '../model/dynamics.js';
import { disposeParameters } from '../model/parameters.js';
import { Rng } from '../random/rng.js';
import { tinyEgnnConfig, useTestBackend, wideParameters } from '../testing/fixtures.js';
import { Inpainting } from './inpainting.js';
import { estimateNll, LikelihoodUnsupportedError } from './likelihood.js';
import { type NoisePredictor, networkPredictor, sampleChain } from './reverseChain.js';
import { Ancestral, type ChainState, Ddim } from './samplers.js';
import { EDM_QM9_SCHEDULE, NoiseSchedule } from './schedule.js';

// The reverse chain of a bond model: both samplers move the bond block like every other variable,
// the chain hands the network a symmetric, masked bond state at every step, inpainting holds the
// bonds among held atoms, and the likelihood refuses bond models. The chain's state is tensors; these
// tests read them back with dataSync, which the test backend allows.

const encoding: AtomEncoding = { elements: ['C', 'N', 'O'], includeCharges: true, normalization: [1, 4, 10], bonds: kekuleBondEncoding() };
const F = featureCount(encoding);
const K = 4;
const schedule = new NoiseSchedule({ ...EDM_QM9_SCHEDULE, timesteps: 50 });
const dynamics = new EgnnDynamics(tinyEgnnConfig(F, { bondClasses: K }));
const params = wideParameters(dynamics.layout.size, 11).map((v) => v * 0.3);

function randomArray(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Checks that a bond state is symmetric and zero on the diagonal and on padded atoms. */
function expectValidBondState(e: Float32Array, counts: number[], N: number): void {
  counts.forEach((n, b) => {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        for (let k = 0; k < K; k++) {
          const v = e[((b * N + i) * N + j) * K + k]!;
          if (v !== e[((b * N + j) * N + i) * K + k]!) throw new Error(`bond state not symmetric at ${b},${i},${j}`);
          if ((i === j || i >= n || j >= n) && v !== 0) throw new Error(`bond state not masked at ${b},${i},${j}`);
        }
      }
    }
  });
}

describe('bond models in the reverse chain', () => {
  beforeAll(useTestBackend);

  it('both samplers update the bond block with the same rule as the atom features', () => {
    const rng = new Rng(5);
    const values = randomArray(rng, 24);
    const eps = randomArray(rng, 24);
    const fresh = randomArray(rng, 24);
    const state = (v: Float32Array): ChainState => ({ x: tf.zeros([1, 1, 3]), h: tf.tensor3d(v, [1, 6, 4]), e: tf.tensor4d(v, [1, 2, 3, 4]) });
    for (const sampler of [new Ancestral(), new Ddim()]) {
      const [h, e] = tf.tidy(() => {
        const next = sampler.step(state(values), state(eps), schedule.gammaAtStep(30), schedule.gammaAtStep(20), () => state(fresh));
        return [next.h.dataSync(), next.e!.dataSync()];
      });
      expect(Array.from(e!)).toEqual(Array.from(h!));
      expect(Array.from(e!)).not.toEqual(Array.from(values));
    }
  });

  it('hands the network a symmetric, masked bond state at every step and decodes bonds within each molecule', async () => {
    const counts = [6, 4];
    const N = 6;
    const tensors = dynamics.layout.toTensors(params);
    const network = networkPredictor(dynamics, tensors, schedule, counts);
    let calls = 0;
    const checked: NoisePredictor = (zx, zh, step, ze) => {
      expect(ze).toBeDefined();
      expect(ze!.shape).toEqual([2, N, N, K]);
      expectValidBondState(ze!.dataSync() as Float32Array, counts, N);
      calls++;
      const out = network.predict(zx, zh, step, ze);
      expectValidBondState(out.epsE!.dataSync() as Float32Array, counts, N);
      return out;
    };
    try {
      for (const sampler of [new Ancestral(), new Ddim()]) {
        calls = 0;
        const before = tf.memory().numTensors;
        const out = await sampleChain({ schedule, encoding }, checked, counts, [new Rng(1), new Rng(2)], { sampler, steps: 8 });
        expect(tf.memory().numTensors).toBe(before); // every tensor of the chain, bonds included, disposed
        expect(calls).toBe(9);
        expect(out.bonds).toHaveLength(2);
        out.bonds!.forEach((bonds, b) => {
          for (const { a, b: c, order } of bonds) {
            expect(a).toBeLessThan(c);
            expect(c).toBeLessThan(counts[b]!);
            expect([1, 2, 3]).toContain(order);
          }
        });
        expect(out.formalCharges).toHaveLength(2 * N);
      }
    } finally {
      network.dispose();
      disposeParameters(tensors);
    }
  });

  it('inpainting holds the bonds among held atoms and generates the rest, also with RePaint jumps', async () => {
    const held: Bond[] = [{ a: 0, b: 1, order: 2 }, { a: 1, b: 2, order: 1 }];
    const positions = [0, 0, 0, 1.34, 0, 0, 2.1, 1.2, 0];
    const counts = [7, 7];
    const tensors = dynamics.layout.toTensors(params);
    const network = networkPredictor(dynamics, tensors, schedule, counts);
    try {
      for (const resample of [1, 2]) {
        const inpainting = new Inpainting(schedule, encoding, { elements: ['C', 'C', 'N'], positions, bonds: held, formalCharges: [0, 0, 1] }, { B: 2, N: 7 }, resample);
        const before = tf.memory().numTensors;
        const out = await sampleChain({ schedule, encoding }, network.predict, counts, [new Rng(3), new Rng(4)], { steps: 10, constraint: inpainting });
        expect(tf.memory().numTensors).toBe(before);
        for (const bonds of out.bonds!) {
          // Straight from the chain's final state, before any export step rewrites anything.
          expect(bonds.filter((b) => b.b < 3)).toEqual(held);
        }
        for (let b = 0; b < 2; b++) expect(Array.from(out.formalCharges.subarray(7 * b, 7 * b + 3))).toEqual([0, 0, 1]);
        // The export keeps the held graph exactly and takes the generated bonds of the other atoms.
        const generated = out.bonds![0]!;
        expect(inpainting.bonds(generated)).toEqual([...held, ...generated.filter((b) => b.b >= 3)]);
      }
    } finally {
      network.dispose();
      disposeParameters(tensors);
    }
  });

  it('the likelihood refuses a bond model in one line', async () => {
    const tensors = dynamics.layout.toTensors(params);
    const batch: MoleculeBatch = {
      size: 1,
      maxAtoms: 2,
      atomCounts: [2],
      positions: new Float32Array(6),
      features: new Float32Array(2 * F),
      nodeMask: new Float32Array([1, 1]),
      context: new Float32Array(0),
      bonds: new Float32Array(2 * 2 * K),
    };
    try {
      await expect(estimateNll(dynamics, tensors, schedule, encoding, batch, new Rng(0))).rejects.toThrow(LikelihoodUnsupportedError);
      await expect(estimateNll(dynamics, tensors, schedule, encoding, batch, new Rng(0))).rejects.toThrow(
        "the likelihood is not defined for models that generate bonds (EDM's bound has no term for them); use atom-only models for --nll",
      );
    } finally {
      disposeParameters(tensors);
    }
  });
});
