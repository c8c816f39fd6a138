import { describe, expect, it } from 'vitest';
import { parseHeldAtomsField } from '../metrics/scaffold.js';
import { heldAtomsField } from './heldAtoms.js';

describe('heldAtomsField', () => {
  it('writes 0-based atom indices as 1-based numbers with runs as ranges, as eval --scaffold reads them', () => {
    expect(heldAtomsField([0, 1, 2, 3, 4, 5])).toBe('1-6');
    expect(heldAtomsField([0])).toBe('1');
    expect(heldAtomsField([8, 1, 2, 3, 4, 5, 6])).toBe('2-7,9');
    for (const atoms of [[0, 1, 2], [4], [1, 2, 3, 4, 5, 6, 8], [0, 2, 4]]) expect(parseHeldAtomsField(heldAtomsField(atoms))).toEqual(atoms);
  });
});
