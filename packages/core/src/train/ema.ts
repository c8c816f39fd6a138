/**
 * Exponential moving average of the weights, θ_ema ← β·θ_ema + (1 − β)·θ (EDM: β = 0.999). Samples
 * come from the averaged weights, which are smoother than the last optimiser iterate.
 */
export function updateEma(ema: Float32Array, params: Float32Array, decay: number): void {
  for (let i = 0; i < ema.length; i++) ema[i] = decay * ema[i]! + (1 - decay) * params[i]!;
}
