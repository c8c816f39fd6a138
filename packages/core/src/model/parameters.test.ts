import { describe, expect, it } from 'vitest';
import { ParameterLayout, resizeParameters } from './parameters.js';

const init = { kind: 'uniform-fan-in' as const, fanIn: 1 };

describe('resizeParameters', () => {
  it('keeps every value in its row and column, and puts zeros where a parameter grew or is new', () => {
    const from = new ParameterLayout([
      { name: 'a.w', shape: [2, 3], init },
      { name: 'a.b', shape: [3], init },
    ]);
    const to = new ParameterLayout([
      { name: 'new', shape: [2], init },
      { name: 'a.w', shape: [3, 4], init }, // one more input row, one more output column
      { name: 'a.b', shape: [4], init },
    ]);
    const flat = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(resizeParameters(from, to, flat))).toEqual([0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0, 7, 8, 9, 0]);
  });

  it('refuses to shrink a parameter or to read a vector of another layout', () => {
    const big = new ParameterLayout([{ name: 'w', shape: [2, 2], init }]);
    const small = new ParameterLayout([{ name: 'w', shape: [1, 2], init }]);
    expect(() => resizeParameters(big, small, new Float32Array(4))).toThrow(/w shrinks or changes rank \(2×2 → 1×2\)/);
    expect(() => resizeParameters(small, big, new Float32Array(3))).toThrow(/has 3 values, the layout has 2/);
  });
});
