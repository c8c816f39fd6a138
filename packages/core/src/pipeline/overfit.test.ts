import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../modelFormat/modelFormat.js';
import type { AtomEncoding } from '../data/atomEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import type { Molecule } from '../chem/molecule.js';
import { collateBatch } from '../data/batch.js';
import { drawTrainingNoise } from '../diffusion/noise.js';
import { simpleLossWeights } from '../diffusion/objective.js';
import { Rng } from '../random/rng.js';
import { LocalGradientEngine } from '../train/gradientEngine.js';
import { Trainer } from '../train/trainer.js';
import { defaultTrainingConfig } from '../train/trainingConfig.js';
import { tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { sampleMolecules } from './sampleMolecules.js';

// Carbamoyl fluoride's heavy atoms (F–C(=O)–N), all different elements, so a sample can be matched
// atom-to-atom with the training molecule by element alone.
const target: Molecule = {
  elements: ['C', 'O', 'F', 'N'],
  positions: Float64Array.from([0, 0, 0, 1.2, 0, 0, -0.65, 1.15, 0, -0.7, -1.15, 0]),
};
const encoding: AtomEncoding = { elements: ['C', 'N', 'O', 'F'], includeCharges: true, normalization: [1, 4, 10] };

/**
 * RMS difference of all interatomic distances between two conformations of the same atoms: zero
 * exactly when they are related by a rotation, reflection and translation, the symmetries of the
 * model's distribution (an alignment-free RMSD).
 */
function distanceRmsd(P: Float64Array, Q: Float64Array): number {
  const n = P.length / 3;
  const d = (p: Float64Array, i: number, j: number): number => Math.hypot(p[3 * i]! - p[3 * j]!, p[3 * i + 1]! - p[3 * j + 1]!, p[3 * i + 2]! - p[3 * j + 2]!);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      sum += (d(P, i, j) - d(Q, i, j)) ** 2;
      pairs++;
    }
  }
  return Math.sqrt(sum / pairs);
}

describe('overfitting one molecule', () => {
  beforeAll(useTestBackend);

  // About a minute on an idle 2-core machine: 1,200 optimiser steps are what it takes.
  it('the loss falls by a large factor and samples reproduce the molecule', { timeout: 600_000 }, async () => {
    const dataset = MoleculeDataset.fromMolecules(new Array(16).fill(target), encoding, { name: 'one', source: 'test', filters: [] });
    const egnn = tinyEgnnConfig(5, { hiddenSize: 64, layers: 3 });
    const schedule = { kind: 'polynomial' as const, timesteps: 100, power: 2, precision: 1e-5 };
    const config = defaultTrainingConfig({
      seed: 1,
      batchSize: 16,
      microBatch: 16,
      validationFraction: 0,
      validateEvery: 0,
      checkpointEvery: 0,
      emaDecay: 0.9,
      optimizer: { learningRate: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: true },
    });
    const engine = new LocalGradientEngine({ egnn, schedule, microBatch: 64 });
    const trainer = new Trainer({ egnn, schedule }, dataset, config, engine);
    // The loss on 64 fixed noise draws over all timesteps, before and after training.
    const probe = collateBatch(dataset, new Array(64).fill(0));
    const probeNoise = drawTrainingNoise(new Rng(99), 64, 4, 5, probe.nodeMask, schedule.timesteps);
    const probeLoss = (params: Float32Array): Promise<number> =>
      engine.evaluate(params, { batch: probe, noise: probeNoise, weights: simpleLossWeights(probe, 5) });
    const before = await probeLoss(trainer.current.params);
    for (let i = 0; i < 1200; i++) await trainer.step();
    const after = await probeLoss(trainer.current.ema);
    // The floor is not zero (at high noise an equivariant model cannot know the orientation).
    expect(after).toBeLessThan(before / 5);

    const model = createModel(
      { name: 'overfit', egnn, schedule, encoding, atomCountHistogram: [0, 0, 0, 0, 16] },
      trainer.current.ema,
    );
    const { molecules } = await sampleMolecules(model, { count: 8, seed: 7 });
    let good = 0;
    for (const mol of molecules) {
      const sorted = (m: Molecule): string => [...m.elements].sort().join('');
      if (sorted(mol) !== sorted(target)) continue;
      const order = target.elements.map((e) => mol.elements.indexOf(e));
      const reordered = Float64Array.from(order.flatMap((i) => [0, 1, 2].map((k) => mol.positions[3 * i + k]!)));
      if (distanceRmsd(reordered, target.positions) < 0.1) good++;
    }
    expect(good).toBeGreaterThanOrEqual(5);
  });
});
