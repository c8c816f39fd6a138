import { beforeAll, describe, expect, it } from 'vitest';
import { registerOpenchemlibResources } from '../node/openchemlibResources.js';
import { ConformerError, conformerFromSmiles } from './conformers.js';

describe('conformerFromSmiles', () => {
  beforeAll(() => registerOpenchemlibResources());

  it('builds a minimised 3D conformer with hydrogens, the same for the same seed', () => {
    const a = conformerFromSmiles('CCO', { seed: 0 });
    expect(a.molecule.elements.filter((e) => e === 'H')).toHaveLength(6);
    expect(a.minimized).toBe(true);
    expect(a.energy).toBeLessThan(10);
    const [x, y, z] = [0, 1, 2].map((d) => a.molecule.positions[3 * 0 + d]! - a.molecule.positions[3 * 1 + d]!);
    expect(Math.hypot(x!, y!, z!)).toBeCloseTo(1.51, 1);
    expect(conformerFromSmiles('CCO', { seed: 0 }).molecule.positions).toEqual(a.molecule.positions);
  });

  it('keeps structures MMFF94 cannot score, unminimised, with a warning', () => {
    const c = conformerFromSmiles('CC#N');
    expect(c.minimized).toBe(false);
    expect(c.energy).toBeUndefined();
    expect(c.warning).toMatch(/unminimised/);
    expect(c.molecule.positions.every(Number.isFinite)).toBe(true);
  });

  it('names the SMILES it cannot read', () => {
    expect(() => conformerFromSmiles('C1CC')).toThrow(ConformerError);
    expect(() => conformerFromSmiles('Xx')).toThrow(/^Xx: not a SMILES openchemlib can read/);
  });
});
