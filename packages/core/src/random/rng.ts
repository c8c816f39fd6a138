/**
 * Seeded random numbers for everything stochastic in equimol (noise, timesteps, shuffling, atom
 * counts), so that the same seed gives the same molecules on any backend and a training run can be
 * resumed exactly: the whole state is four 32-bit words (xoshiro128**).
 */
export type RngState = [number, number, number, number];

/**
 * The named random streams of a run, each derived from the run's seed. The derivations are the
 * seed offsets equimol has always used, so every seed in the model cards still gives the same
 * training steps.
 */
const STREAMS = {
  /** Initial weights. */
  weights: (seed: number) => seed,
  /** Which molecules are held out for validation. */
  'validation-split': (seed: number) => seed + 1,
  /** Training timesteps and noise (its state is checkpointed). */
  'training-noise': (seed: number) => seed + 2,
  /** The order of epoch `index`'s batches. */
  'epoch-batches': (seed: number, index: number) => seed * 7919 + index + 3,
  /** Validation noise, the same at every validation. */
  'validation-noise': (seed: number) => seed + 5,
  /** Validation batches. */
  'validation-batches': (seed: number) => seed + 6,
  /** Likelihood estimates: noise, then batches. */
  'nll-noise': (seed: number) => seed,
  'nll-batches': (seed: number) => seed + 1,
} satisfies Record<string, (seed: number, index: number) => number>;

/** The name of a random stream (see `Rng.stream`). */
export type RandomStream = keyof typeof STREAMS;

/** A seeded pseudo-random generator with serialisable state. */
export class Rng {
  /** The generator of a named stream of the run seeded `seed` (`index`: e.g. the epoch). */
  static stream(seed: number, name: RandomStream, index = 0): Rng {
    return new Rng(STREAMS[name](seed, index));
  }

  private s: Uint32Array;
  private spareNormal: number | null = null;

  constructor(seed: number | RngState = 0) {
    this.s = new Uint32Array(4);
    if (Array.isArray(seed)) {
      this.s.set(seed);
    } else {
      // splitmix32 spreads a small integer seed over the 128-bit state.
      let x = seed >>> 0;
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        this.s[i] = (z ^ (z >>> 16)) >>> 0;
      }
      if (this.s.every((v) => v === 0)) this.s[0] = 1;
    }
  }

  /** The generator's state, to store in a checkpoint. */
  state(): RngState {
    // The cached second Box–Muller value is dropped so that state() fully describes the future.
    this.spareNormal = null;
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  /** A uniformly random unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2] ^= s[0]!;
    s[3] ^= s[1]!;
    s[1] ^= s[2]!;
    s[0] ^= s[3]!;
    s[2] ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  integer(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills an array with standard normal values. */
  fillNormal(out: Float32Array | Float64Array): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** Shuffles an array in place (Fisher–Yates). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** Index drawn from unnormalised non-negative weights. */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
