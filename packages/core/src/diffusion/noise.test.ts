import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { drawTrainingNoise, sampleCenteredNoise } from './noise.js';

describe('diffusion noise', () => {
  it('lies in the zero-centre-of-mass subspace and is zero on padding', () => {
    const B = 3;
    const N = 6;
    const F = 4;
    const mask = new Float32Array(B * N);
    [6, 4, 2].forEach((n, b) => mask.fill(1, b * N, b * N + n));
    const { x, h } = sampleCenteredNoise(new Rng(1), B, N, F, mask);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let a = 0; a < N; a++) sum += x[(b * N + a) * 3 + k]!;
        expect(Math.abs(sum)).toBeLessThan(1e-5);
      }
      for (let a = 0; a < N; a++) {
        if (mask[b * N + a]) continue;
        expect([0, 1, 2].map((k) => x[(b * N + a) * 3 + k])).toEqual([0, 0, 0]);
        expect(Array.from(h.subarray((b * N + a) * F, (b * N + a + 1) * F))).toEqual([0, 0, 0, 0]);
      }
    }
  });

  it('projected Gaussian has variance (n−1)/n per coordinate: (n−1)·3 degrees of freedom', () => {
    const n = 4;
    const mask = new Float32Array(n).fill(1);
    const rng = new Rng(2);
    let sq = 0;
    const trials = 4000;
    for (let i = 0; i < trials; i++) {
      const { x } = sampleCenteredNoise(rng, 1, n, 1, mask);
      for (const v of x) sq += v * v;
    }
    expect(sq / trials).toBeCloseTo((n - 1) * 3, 0);
  });

  it('draws timesteps over the whole range, reproducibly', () => {
    const mask = new Float32Array(500).fill(1);
    const a = drawTrainingNoise(new Rng(3), 500, 1, 2, mask, 1000);
    const b = drawTrainingNoise(new Rng(3), 500, 1, 2, mask, 1000);
    expect(Array.from(a.steps)).toEqual(Array.from(b.steps));
    expect(Math.min(...a.steps)).toBeLessThan(20);
    expect(Math.max(...a.steps)).toBeGreaterThan(980);
    const lowest1 = drawTrainingNoise(new Rng(4), 500, 1, 2, mask, 1000, 1);
    expect(Math.min(...lowest1.steps)).toBeGreaterThanOrEqual(1);
  });

  it('draws the given share of timesteps from the lowest steps; share 0 draws exactly as uniform', () => {
    const mask = new Float32Array(4000).fill(1);
    const boosted = drawTrainingNoise(new Rng(5), 4000, 1, 2, mask, 1000, 0, { lowNoiseShare: 0.5, lowNoiseSteps: 100 });
    const low = boosted.steps.filter((t) => t <= 100).length / 4000;
    expect(low).toBeGreaterThan(0.52); // 0.5 + 0.5 · 101/1001 ≈ 0.55
    expect(low).toBeLessThan(0.58);
    expect(Math.max(...boosted.steps)).toBeGreaterThan(980);
    const uniform = drawTrainingNoise(new Rng(6), 500, 1, 2, mask.subarray(0, 500), 1000);
    const shareZero = drawTrainingNoise(new Rng(6), 500, 1, 2, mask.subarray(0, 500), 1000, 0, { lowNoiseShare: 0, lowNoiseSteps: 100 });
    expect(Array.from(shareZero.steps)).toEqual(Array.from(uniform.steps));
  });
});
