/**
 * Noise schedules of the variance-preserving process z_t = α_t·x + σ_t·ε with α_t² + σ_t² = 1.
 * A schedule is a lookup table of γ(t) = log(σ_t² / α_t²) on the grid t = 0, 1/T, …, 1, as in EDM
 * (Hoogeboom et al. 2022, sec. 3 and appendix B). A schedule knows nothing about the network.
 */

/** EDM's polynomial schedule α_t² = (1 − (t/T)^power)², with clipping and precision. */
export interface PolynomialScheduleConfig {
  kind: 'polynomial';
  timesteps: number;
  /** EDM: 2. */
  power: number;
  /** EDM: 1e-5; α² is squeezed into [precision, 1 − precision]. */
  precision: number;
}

/** The cosine schedule of Nichol & Dhariwal (2021), as EDM implements it. */
export interface CosineScheduleConfig {
  kind: 'cosine';
  timesteps: number;
  /** Offset s, 0.008 by default. */
  offset?: number;
}

/** Serializable description of a noise schedule. */
export type NoiseScheduleConfig = PolynomialScheduleConfig | CosineScheduleConfig;

/** EDM's default schedule for QM9: polynomial, power 2, precision 1e-5, T = 1000. */
export const EDM_QM9_SCHEDULE: PolynomialScheduleConfig = {
  kind: 'polynomial',
  timesteps: 1000,
  power: 2,
  precision: 1e-5,
};

/** Smallest allowed ratio α_t²/α_{t−1}²: EDM clips it so no single step destroys too much signal. */
const ALPHA_STEP_CLIP = 0.001;

/** α_t² on the grid t = 0…T for EDM's polynomial schedule. */
export function polynomialAlphas2(config: PolynomialScheduleConfig): Float64Array {
  const T = config.timesteps;
  const raw = new Float64Array(T + 1);
  for (let i = 0; i <= T; i++) raw[i] = (1 - Math.pow(i / T, config.power)) ** 2;
  const clipped = clipAlphaSteps(raw);
  const scale = 1 - 2 * config.precision;
  return clipped.map((a2) => scale * a2 + config.precision);
}

/** α_t² on the grid t = 0…T for the cosine schedule. */
export function cosineAlphas2(config: CosineScheduleConfig): Float64Array {
  const T = config.timesteps;
  const s = config.offset ?? 0.008;
  const steps = T + 2;
  const cumprod = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const x = (i * steps) / (steps - 1);
    cumprod[i] = Math.cos(((x / steps + s) / (1 + s)) * Math.PI * 0.5) ** 2;
  }
  const out = new Float64Array(T + 1);
  let product = 1;
  for (let i = 0; i <= T; i++) {
    const beta = Math.min(Math.max(1 - cumprod[i + 1]! / cumprod[i]!, 0), 0.999);
    product *= 1 - beta;
    out[i] = product;
  }
  return out;
}

function clipAlphaSteps(alphas2: Float64Array): Float64Array {
  const out = new Float64Array(alphas2.length);
  let previous = 1;
  let product = 1;
  for (let i = 0; i < alphas2.length; i++) {
    const step = Math.min(Math.max(alphas2[i]! / previous, ALPHA_STEP_CLIP), 1);
    previous = alphas2[i]!;
    product *= step;
    out[i] = product;
  }
  return out;
}

/** A noise schedule: γ, α, σ and SNR on the discrete grid of T steps. */
export class NoiseSchedule {
  /** Number of diffusion steps T. */
  readonly timesteps: number;
  private readonly gammas: Float64Array;

  constructor(readonly config: NoiseScheduleConfig) {
    this.timesteps = config.timesteps;
    const alphas2 = config.kind === 'polynomial' ? polynomialAlphas2(config) : cosineAlphas2(config);
    this.gammas = alphas2.map((a2) => Math.log(1 - a2) - Math.log(a2));
  }

  /** γ at integer step `step` ∈ {0, …, T}. */
  gammaAtStep(step: number): number {
    const g = this.gammas[step];
    if (g === undefined) throw new RangeError(`diffusion step ${step} outside 0…${this.timesteps}`);
    return g;
  }

  /** γ(t) = log(σ_t²/α_t²) for t ∈ [0, 1], rounded to the grid as EDM does. */
  gamma(t: number): number {
    return this.gammaAtStep(Math.round(t * this.timesteps));
  }

  /** α = sqrt(sigmoid(−γ)). */
  static alpha(gamma: number): number {
    return Math.sqrt(sigmoid(-gamma));
  }

  /** σ = sqrt(sigmoid(γ)). */
  static sigma(gamma: number): number {
    return Math.sqrt(sigmoid(gamma));
  }

  /** Signal-to-noise ratio α²/σ² = exp(−γ). */
  static snr(gamma: number): number {
    return Math.exp(-gamma);
  }

  /**
   * Transition t→s quantities for s < t: σ²_{t|s} = 1 − α_t²/α_s² (computed as −expm1(softplus(γ_s) −
   * softplus(γ_t)) for accuracy near zero) and α_{t|s} = α_t/α_s.
   */
  static transition(gammaT: number, gammaS: number): { sigma2TGivenS: number; alphaTGivenS: number } {
    const sigma2TGivenS = -Math.expm1(softplus(gammaS) - softplus(gammaT));
    const alphaTGivenS = Math.exp(0.5 * (logSigmoid(-gammaT) - logSigmoid(-gammaS)));
    return { sigma2TGivenS, alphaTGivenS };
  }
}

/** Logistic sigmoid. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(1 + e^x), stable for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function logSigmoid(x: number): number {
  return -softplus(-x);
}
