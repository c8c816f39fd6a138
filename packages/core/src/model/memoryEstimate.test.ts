import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawTrainingNoise } from '../diffusion/noise.js';
import { simpleLossWeights } from '../diffusion/objective.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { Rng } from '../random/rng.js';
import { useTestBackend } from '../testing/fixtures.js';
import { LocalGradientEngine } from '../train/gradientEngine.js';
import { edmEgnnConfig } from './config.js';
import { estimatePeakBytes, largestTensorBytes } from './memoryEstimate.js';

const F = 6;

/** tfjs's peak bytes of one gradient (or loss-only) pass of a random batch, on the active backend. */
async function measuredPeak(B: number, N: number, H: number, L: number, kind: 'training' | 'inference'): Promise<number> {
  const egnn = edmEgnnConfig(F, H, L);
  const engine = new LocalGradientEngine({ egnn, schedule: EDM_QM9_SCHEDULE, microBatch: B });
  const params = engine.dynamics.layout.initialise(new Rng(1));
  const rng = new Rng(2);
  const positions = Float32Array.from({ length: B * N * 3 }, () => 3 * rng.normal());
  const features = new Float32Array(B * N * F);
  for (let i = 0; i < B * N; i++) features[i * F + (i % 4)] = 0.25;
  const nodeMask = new Float32Array(B * N).fill(1);
  const batch = { size: B, maxAtoms: N, atomCounts: new Array<number>(B).fill(N), positions, features, nodeMask, context: new Float32Array(0) };
  const request = { batch, noise: drawTrainingNoise(rng, B, N, F, nodeMask, 1000, 0), weights: simpleLossWeights(batch, F) };
  // profile() returns one shared record: read its peak before the next call.
  const profile = await tf.profile(async () => {
    if (kind === 'training') await engine.compute(params, request);
    else await engine.evaluate(params, request);
  });
  return profile.peakBytes;
}

describe('memory estimate', () => {
  beforeAll(useTestBackend);

  // Shapes unlike the ones the coefficients were fitted to (other widths, depths, sizes).
  const shapes: [number, number, number, number][] = [
    [3, 12, 24, 2],
    [2, 30, 16, 1],
    [6, 7, 48, 3],
  ];
  for (const [B, N, H, L] of shapes) {
    for (const kind of ['training', 'inference'] as const) {
      it(`is within ±25 % of the measured ${kind} peak for ${B} molecules × ${N} atoms, hidden ${H}, ${L} layers`, async () => {
        const measured = await measuredPeak(B, N, H, L, kind);
        const estimate = estimatePeakBytes({ hiddenSize: H, layers: L, invSublayers: 1 }, { molecules: B, atoms: N }, kind);
        expect(estimate / measured).toBeGreaterThan(0.75);
        expect(estimate / measured).toBeLessThan(1.25);
      }, 60_000);
    }
  }

  it('grows with the square of the atom count, and training holds more than inference', () => {
    const network = { hiddenSize: 128, layers: 6, invSublayers: 1 };
    const at = (N: number) => estimatePeakBytes(network, { molecules: 1, atoms: N }, 'training');
    expect(at(80) / at(40)).toBeGreaterThan(3.5);
    expect(at(40)).toBeGreaterThan(2 * estimatePeakBytes(network, { molecules: 1, atoms: 40 }, 'inference'));
    expect(largestTensorBytes(network, { molecules: 2, atoms: 10 })).toBe(4 * 2 * 100 * 128);
  });
});
