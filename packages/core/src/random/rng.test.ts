import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('named random streams', () => {
  it("derive from the run's seed exactly as the seed offsets did, so recorded seeds keep their meaning", () => {
    const seed = 7;
    const same = (a: Rng, b: Rng) => expect(a.state()).toEqual(b.state());
    same(Rng.stream(seed, 'weights'), new Rng(seed));
    same(Rng.stream(seed, 'validation-split'), new Rng(seed + 1));
    same(Rng.stream(seed, 'training-noise'), new Rng(seed + 2));
    same(Rng.stream(seed, 'epoch-batches', 4), new Rng(seed * 7919 + 4 + 3));
    same(Rng.stream(seed, 'validation-noise'), new Rng(seed + 5));
    same(Rng.stream(seed, 'validation-batches'), new Rng(seed + 6));
    same(Rng.stream(seed, 'nll-batches'), new Rng(seed + 1));
  });

  it('gives different streams different numbers', () => {
    const first = (name: Parameters<typeof Rng.stream>[1]) => Rng.stream(1, name).nextUint32();
    expect(new Set([first('weights'), first('training-noise'), first('validation-noise'), first('validation-batches')]).size).toBe(4);
  });
});
