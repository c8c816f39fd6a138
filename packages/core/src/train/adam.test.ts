import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { adamStep, EDM_ADAM, initialAdamState } from './adam.js';
import { updateEma } from './ema.js';
import { AdaptiveGradientClipper } from './gradientClipping.js';

describe('optimiser pieces', () => {
  for (const amsgrad of [true, false]) {
    it(`Adam${amsgrad ? ' (AMSGrad)' : ''} follows torch.optim.Adam's update`, () => {
      const config = { ...EDM_ADAM, learningRate: 0.01, weightDecay: 0.1, amsgrad };
      const rng = new Rng(1);
      const params = Float32Array.from({ length: 5 }, () => rng.normal());
      const ref = Array.from(params);
      const m = [0, 0, 0, 0, 0];
      const v = [0, 0, 0, 0, 0];
      const vMax = [0, 0, 0, 0, 0];
      const state = initialAdamState(5, config);
      for (let step = 1; step <= 4; step++) {
        // Large gradients first, then small ones, so that AMSGrad's running max matters.
        const grads = Float32Array.from({ length: 5 }, () => rng.normal() * (step < 3 ? 10 : 0.1));
        adamStep(params, grads, state, config);
        for (let i = 0; i < 5; i++) {
          const g = grads[i]! + 0.1 * ref[i]!;
          m[i] = 0.9 * m[i]! + 0.1 * g;
          v[i] = 0.999 * v[i]! + 0.001 * g * g;
          vMax[i] = Math.max(vMax[i]!, v[i]!);
          const second = amsgrad ? vMax[i]! : v[i]!;
          const denom = Math.sqrt(second) / Math.sqrt(1 - 0.999 ** step) + 1e-8;
          ref[i] = ref[i]! - ((0.01 / (1 - 0.9 ** step)) * m[i]!) / denom;
        }
      }
      for (let i = 0; i < 5; i++) expect(params[i]).toBeCloseTo(ref[i]!, 5);
      expect(state.step).toBe(4);
    });
  }

  it('EMA moves a fraction 1 − β towards the weights', () => {
    const ema = Float32Array.from([0, 10]);
    updateEma(ema, Float32Array.from([1, 0]), 0.9);
    expect(ema[0]).toBeCloseTo(0.1, 6);
    expect(ema[1]).toBeCloseTo(9, 5);
  });

  it("EDM's adaptive clipping: threshold 1.5·mean + 2·std of recent norms; clipped steps enter at the threshold", () => {
    const clipper = new AdaptiveGradientClipper(50, 3000, [1, 1, 1, 3]);
    const mean = 1.5;
    const std = Math.sqrt(((0.25 * 3 + 2.25) / 3));
    expect(clipper.threshold()).toBeCloseTo(1.5 * mean + 2 * std, 10);
    const big = Float32Array.from([30, 40]); // norm 50
    const r = clipper.clip(big);
    expect(r.clipped).toBe(true);
    expect(Math.hypot(big[0]!, big[1]!)).toBeCloseTo(r.threshold, 4);
    expect(clipper.recentNorms.at(-1)).toBeCloseTo(r.threshold, 10);
    const small = Float32Array.from([0.3, 0.4]);
    expect(clipper.clip(small).clipped).toBe(false);
    expect(clipper.recentNorms.at(-1)).toBeCloseTo(0.5, 6);
  });
});
