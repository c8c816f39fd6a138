import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { qm9Encoding } from '../data/atomEncoding.js';
import { collateBatch } from '../data/batch.js';
import { MoleculeDataset } from '../data/dataset.js';
import { parseSdf } from '../io/sdf.js';
import { EgnnDynamics } from '../model/dynamics.js';
import { disposeParameters, resizeParameters } from '../model/parameters.js';
import { Rng } from '../random/rng.js';
import { fixturePath, tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { erf, estimateNll, featureLogLikelihood, priorKl, trainingVlbWeights } from './likelihood.js';
import { noiseErrors, noisyInputs } from './objective.js';
import { EDM_QM9_SCHEDULE, NoiseSchedule } from './schedule.js';

const encoding = qm9Encoding(true);
const molecules = parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8'));
const dataset = MoleculeDataset.fromMolecules(molecules, encoding, { name: 'fixture', source: 'fixture', filters: [] });
const batch = collateBatch(dataset, [0, 1, 2, 3]);
const schedule = new NoiseSchedule(EDM_QM9_SCHEDULE);

describe('variational bound', () => {
  beforeAll(useTestBackend);

  it('erf matches reference values', () => {
    expect(erf(0)).toBe(0);
    expect(erf(3.5)).toBeCloseTo(0.9999992569, 9);
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 6);
    expect(erf(1)).toBeCloseTo(0.8427007929, 6);
    expect(erf(-2)).toBeCloseTo(-0.995322265, 6);
  });

  it('prior KL is negligible for EDM\'s schedule (σ_T² ≈ 1 − 1e-5)', () => {
    const kl = priorKl(batch, schedule, 6);
    for (const v of kl) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1e-2);
    }
  });

  it('log p(h | z_0) ≈ 0 when z_0 is the clean features plus σ_0-sized noise, and ≪ 0 for wrong features', () => {
    const rng = new Rng(1);
    const g0 = schedule.gammaAtStep(0);
    const a0 = NoiseSchedule.alpha(g0);
    const s0 = NoiseSchedule.sigma(g0);
    const z0 = Float32Array.from(batch.features, (v) => a0 * v + s0 * rng.normal());
    for (const v of featureLogLikelihood(batch, z0, g0, encoding)) {
      expect(v).toBeLessThanOrEqual(0);
      expect(v).toBeGreaterThan(-1e-3);
    }
    const wrong = Float32Array.from(z0, (v, i) => (i % 6 === 1 ? v + 0.25 : v)); // one-hot of carbon on every atom
    for (const v of featureLogLikelihood(batch, wrong, g0, encoding)) expect(v).toBeLessThan(-10);
  });

  it('NLL estimate: finite, terms add up, and an untrained network scores far worse than the data entropy bound', async () => {
    const dynamics = new EgnnDynamics(tinyEgnnConfig(6));
    const tensorsBefore = tf.memory().numTensors;
    const params = dynamics.layout.toTensors(dynamics.layout.initialise(new Rng(2)));
    const terms = await estimateNll(dynamics, params, schedule, encoding, batch, new Rng(3));
    disposeParameters(params);
    expect(tf.memory().numTensors).toBe(tensorsBefore); // nothing leaked
    for (let b = 0; b < batch.size; b++) {
      expect(Number.isFinite(terms.nll[b]!)).toBe(true);
      expect(terms.nll[b]).toBeCloseTo(terms.klPrior[b]! + terms.diffusion[b]! + terms.constants[b]! + terms.l0[b]!, 6);
      expect(terms.diffusion[b]).toBeGreaterThan(0);
    }
  });

  it("training VLB weights: (T+1)·½(SNR(s)/SNR(t) − 1) for t > 0, (T+1)·½ on positions only at t = 0", () => {
    const w = trainingVlbWeights(batch, Int32Array.from([0, 1, 500, 1000]), schedule);
    const T = 1000;
    expect(w.x[0]).toBeCloseTo(0.5 * (T + 1), 6);
    expect(w.h[0]).toBe(0);
    for (const [b, t] of [[1, 1], [2, 500], [3, 1000]] as const) {
      const snrS = NoiseSchedule.snr(schedule.gammaAtStep(t - 1));
      const snrT = NoiseSchedule.snr(schedule.gammaAtStep(t));
      expect(w.x[b]! / ((T + 1) * 0.5 * (snrS / snrT - 1))).toBeCloseTo(1, 4);
      expect(w.h[b]).toBe(w.x[b]);
    }
  });

  it('L_0 noise error is ~zero when the network predicts the true noise, leaving only constants', () => {
    // With ε̂ = ε the diffusion and L_0 position terms vanish; check via the building blocks.
    const noise = { steps: new Int32Array(batch.size), epsX: new Float32Array(batch.positions.length), epsH: new Float32Array(batch.features.length) };
    const inputs = noisyInputs(batch, noise, schedule, 6);
    const a0 = NoiseSchedule.alpha(schedule.gammaAtStep(0));
    expect(inputs.zx[0]).toBeCloseTo(a0 * batch.positions[0]!, 6);
  });

  it('training inputs carry log SNR = −γ_t, and a model grown with logSnrInput has the same noise errors', async () => {
    const rng = new Rng(4);
    const noise = {
      steps: Int32Array.from([3, 40, 500, 990]),
      epsX: Float32Array.from(batch.positions, () => rng.normal()),
      epsH: Float32Array.from(batch.features, () => rng.normal()),
    };
    const inputs = noisyInputs(batch, noise, schedule, 6);
    expect(Array.from(inputs.logSnr)).toEqual(Array.from(noise.steps, (s) => Math.fround(-schedule.gammaAtStep(s))));
    const plain = new EgnnDynamics(tinyEgnnConfig(6, { layers: 2 }));
    const withSnr = new EgnnDynamics({ ...plain.config, logSnrInput: true });
    const flat = plain.layout.initialise(new Rng(5));
    const errors = async (dynamics: EgnnDynamics, params: Float32Array): Promise<number[]> => {
      const tensors = dynamics.layout.toTensors(params);
      try {
        const e = await noiseErrors(dynamics, tensors, batch, inputs, noise);
        return [...e.x, ...e.h];
      } finally {
        disposeParameters(tensors);
      }
    };
    expect(await errors(withSnr, resizeParameters(plain.layout, withSnr.layout, flat))).toEqual(await errors(plain, flat));
  });
});
