import { describe, expect, it } from 'vitest';
import type { Molecule } from './molecule.js';
import { moleculeOfSmiles } from './openchemlib.js';
import { bondDistance, heavyAtomPieces, substructureMatches } from './substructure.js';

describe('substructure search', () => {
  it('matches rings whatever their Kekulé form, and not their saturated relatives', () => {
    const benzene = moleculeOfSmiles('C1=CC=CC=C1');
    const otherKekule: Molecule = { ...benzene, bonds: benzene.bonds!.map((b) => ({ ...b, order: b.order === 1 ? 2 : 1 })) };
    const toluene = moleculeOfSmiles('CC1=CC=CC=C1');
    expect(substructureMatches(toluene, benzene).length).toBeGreaterThan(0);
    expect(substructureMatches(toluene, otherKekule).length).toBeGreaterThan(0);
    expect(substructureMatches(moleculeOfSmiles('CC1CC=CC=C1'), benzene)).toEqual([]);
    expect(substructureMatches(moleculeOfSmiles('Cc1ccncc1'), benzene)).toEqual([]);
    for (const match of substructureMatches(toluene, benzene)) expect([...match].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('finds a fragment of two pieces on distinct atoms, and measures how far apart they are', () => {
    const molecule = moleculeOfSmiles('N#CCC1CCCC1');
    const pair = moleculeOfSmiles('C1CCCC1.C#N');
    expect(heavyAtomPieces(pair).map((p) => p.length).sort()).toEqual([2, 5]);
    const [match] = substructureMatches(molecule, pair);
    expect(match).toBeDefined();
    const [ring, nitrile] = heavyAtomPieces(pair).sort((a, b) => b.length - a.length).map((p) => p.map((i) => match![i]!));
    expect(bondDistance(molecule, ring!, nitrile!)).toBe(2); // one CH2 between them
    expect(substructureMatches(moleculeOfSmiles('N#CC1CCCC1'), moleculeOfSmiles('C1CCCC1.CC#N'))).toEqual([]);
    expect(bondDistance(moleculeOfSmiles('CC.CC'), [0], [2])).toBe(Infinity);
  });
});
