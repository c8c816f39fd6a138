import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../checkpoint/modelBundle.js';
import type { AtomEncoding } from '../data/atomEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import type { Molecule } from '../chem/molecule.js';
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

/** RMSD after optimal superposition, allowing reflections (the model's distribution is E(3)-invariant). */
function alignedRmsd(a: Float64Array, b: Float64Array): number {
  const n = a.length / 3;
  const centre = (p: Float64Array): number[][] => {
    const m = [0, 1, 2].map((k) => Array.from({ length: n }, (_, i) => p[3 * i + k]!).reduce((s, v) => s + v, 0) / n);
    return Array.from({ length: n }, (_, i) => [0, 1, 2].map((k) => p[3 * i + k]! - m[k]!));
  };
  const P = centre(a);
  const Q = centre(b);
  // Distances are invariant under rotations and reflections: compare all pair distances, which is
  // equivalent to an optimal E(3) superposition being near zero for small errors.
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dp = Math.hypot(...[0, 1, 2].map((k) => P[i]![k]! - P[j]![k]!));
      const dq = Math.hypot(...[0, 1, 2].map((k) => Q[i]![k]! - Q[j]![k]!));
      sum += (dp - dq) ** 2;
      pairs++;
    }
  }
  return Math.sqrt(sum / pairs);
}

describe('overfitting one molecule', () => {
  beforeAll(useTestBackend);

  it('the loss falls by a large factor and samples reproduce the molecule', async () => {
    const dataset = MoleculeDataset.fromMolecules(new Array(16).fill(target), encoding, { name: 'one', source: 'test', filters: [] });
    const egnn = tinyEgnnConfig(5, { hiddenSize: 32, layers: 3 });
    const schedule = { kind: 'polynomial' as const, timesteps: 200, power: 2, precision: 1e-5 };
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
    const trainer = new Trainer({ egnn, schedule }, dataset, config, new LocalGradientEngine({ egnn, schedule, microBatch: 16 }));
    const losses: number[] = [];
    for (let i = 0; i < 400; i++) losses.push((await trainer.step()).loss);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    // The floor is not zero: at high noise an equivariant model cannot know the orientation.
    expect(mean(losses.slice(-40))).toBeLessThan(mean(losses.slice(0, 20)) / 2.5);

    const model = createModel(
      { name: 'overfit', egnn, schedule, encoding, atomCountHistogram: [0, 0, 0, 0, 16] },
      trainer.current.ema,
    );
    const { molecules } = sampleMolecules(model, { count: 4, seed: 7 });
    let good = 0;
    for (const mol of molecules) {
      const sorted = (m: Molecule): string => [...m.elements].sort().join('');
      if (sorted(mol) !== sorted(target)) continue;
      const order = target.elements.map((e) => mol.elements.indexOf(e));
      const reordered = Float64Array.from(order.flatMap((i) => [0, 1, 2].map((k) => mol.positions[3 * i + k]!)));
      if (alignedRmsd(reordered, target.positions) < 0.1) good++;
    }
    console.log(molecules.map((m) => m.elements.join("")), good);
    expect(good).toBeGreaterThanOrEqual(3);
  });
});
