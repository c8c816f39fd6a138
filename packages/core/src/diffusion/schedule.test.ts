import { describe, expect, it } from 'vitest';
import { EDM_QM9_SCHEDULE, NoiseSchedule, polynomialAlphas2, sigmoid } from './schedule.js';

describe('noise schedules', () => {
  const schedule = new NoiseSchedule(EDM_QM9_SCHEDULE);

  it('polynomial: α² = (1−2s)·(1 − (t/T)²)² + s where no step is clipped', () => {
    const s = 1e-5;
    for (const step of [0, 1, 10, 250, 500, 900]) {
      const closed = (1 - 2 * s) * (1 - (step / 1000) ** 2) ** 2 + s;
      const alpha2 = sigmoid(-schedule.gammaAtStep(step));
      expect(alpha2).toBeCloseTo(closed, 10);
      expect(schedule.gamma(step / 1000)).toBe(schedule.gammaAtStep(step));
    }
  });

  it("polynomial: EDM's clipping keeps every α_t²/α_{t−1}² ≥ 0.001", () => {
    const a2 = polynomialAlphas2({ kind: 'polynomial', timesteps: 1000, power: 2, precision: 0 });
    // Without precision, the unclipped last step would be 0/α²_{T−1} = 0.
    expect(a2[1000]! / a2[999]!).toBeCloseTo(0.001, 10);
    for (let t = 1; t <= 1000; t++) expect(a2[t]! / a2[t - 1]!).toBeGreaterThanOrEqual(0.001 - 1e-15);
  });

  it('γ increases from clean to noise; α² + σ² = 1; SNR = exp(−γ)', () => {
    for (let t = 1; t <= 1000; t++) expect(schedule.gammaAtStep(t)).toBeGreaterThan(schedule.gammaAtStep(t - 1));
    for (const t of [0, 0.3, 1]) {
      const g = schedule.gamma(t);
      expect(NoiseSchedule.alpha(g) ** 2 + NoiseSchedule.sigma(g) ** 2).toBeCloseTo(1, 12);
      expect(NoiseSchedule.snr(g)).toBeCloseTo(NoiseSchedule.alpha(g) ** 2 / NoiseSchedule.sigma(g) ** 2, 6);
    }
    // EDM's QM9 schedule: log SNR from about +11.5 at t = 0 down to about −11.5 at t = T.
    expect(-schedule.gammaAtStep(0)).toBeCloseTo(Math.log((1 - 1e-5) / 1e-5), 3);
    expect(schedule.gammaAtStep(1000)).toBeCloseTo(Math.log((1 - 1e-5) / 1e-5), 3);
  });

  it('transition t→s: α_{t|s} = α_t/α_s and σ²_{t|s} = 1 − α²_{t|s}', () => {
    for (const [t, s] of [[500, 499], [1000, 990], [3, 0]] as const) {
      const gt = schedule.gammaAtStep(t);
      const gs = schedule.gammaAtStep(s);
      const { alphaTGivenS, sigma2TGivenS } = NoiseSchedule.transition(gt, gs);
      expect(alphaTGivenS).toBeCloseTo(NoiseSchedule.alpha(gt) / NoiseSchedule.alpha(gs), 10);
      expect(sigma2TGivenS).toBeCloseTo(1 - alphaTGivenS ** 2, 10);
    }
  });

  it('cosine schedule matches its closed form and is monotone', () => {
    const cos = new NoiseSchedule({ kind: 'cosine', timesteps: 100 });
    // EDM: x = linspace(0, T + 2, T + 2), so x/steps = i/(T + 1).
    const f = (i: number): number => Math.cos(((i / 101 + 0.008) / 1.008) * Math.PI * 0.5) ** 2;
    // Away from the clipped end, α_t² = f(t)/f(0) (the betas telescope).
    for (const t of [0, 10, 50, 90]) expect(sigmoid(-cos.gammaAtStep(t))).toBeCloseTo(f(t + 1) / f(0), 8);
    for (let t = 1; t <= 100; t++) expect(cos.gammaAtStep(t)).toBeGreaterThan(cos.gammaAtStep(t - 1));
  });

  it('refuses steps outside 0…T', () => {
    expect(() => schedule.gammaAtStep(1001)).toThrow(/outside/);
  });
});
