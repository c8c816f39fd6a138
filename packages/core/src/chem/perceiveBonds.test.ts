import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseXyz } from '../io/xyz.js';
import { edmBondOrder, typicalBondLength } from './bondLengths.js';
import { bondOrderSums, isStableValence, perceiveBonds } from './perceiveBonds.js';

const cases = parseXyz(readFileSync(fileURLToPath(new URL('../../../../data/fixtures/chem/qm9-test-cases.xyz', import.meta.url)), 'utf8'));

describe('EDM bond-length rule', () => {
  it('uses the published lengths and margins (pm): single +10, double +5, triple +3', () => {
    expect(typicalBondLength('C', 'C', 1)).toBe(154);
    expect(typicalBondLength('O', 'C', 2)).toBe(120);
    expect(typicalBondLength('N', 'N', 3)).toBe(110);
    expect(typicalBondLength('C', 'F', 2)).toBeUndefined();
    // C-C: single below 1.64 Å, double below 1.39 Å, triple below 1.23 Å; bounds are exclusive.
    expect(edmBondOrder('C', 'C', 1.6399)).toBe(1);
    expect(edmBondOrder('C', 'C', 1.64)).toBe(0);
    expect(edmBondOrder('C', 'C', 1.3899)).toBe(2);
    expect(edmBondOrder('C', 'C', 1.2299)).toBe(3);
    expect(edmBondOrder('H', 'C', 1.18)).toBe(1);
    expect(edmBondOrder('H', 'H', 0.85)).toBe(0);
    // Pairs without a typical length are never bonded (EDM would raise a KeyError).
    expect(edmBondOrder('C', 'Xe', 1.0)).toBe(0);
  });
});

describe('perceiveBonds', () => {
  it('finds the bonds of acetaldehyde (QM9 11) with the C=O double bond', () => {
    const mol = cases[0]!;
    expect(mol.elements).toEqual(['C', 'C', 'O', 'H', 'H', 'H', 'H']);
    const bonds = perceiveBonds(mol);
    expect(bonds).toHaveLength(6);
    expect(bonds.find((b) => b.a === 1 && b.b === 2)?.order).toBe(2);
    expect(bondOrderSums(7, bonds)).toEqual([4, 4, 2, 1, 1, 1, 1]);
  });

  it('over-assigns bonds where EDM does (pent-1,3-diyne, QM9 115: a carbon gets valence 5)', () => {
    const mol = cases[4]!;
    const sums = bondOrderSums(mol.elements.length, perceiveBonds(mol));
    expect(sums.some((s, i) => mol.elements[i] === 'C' && s === 5)).toBe(true);
  });

  it('ignores bonds already stored on the molecule', () => {
    const mol = { ...cases[0]!, bonds: [] };
    expect(perceiveBonds(mol)).toHaveLength(6);
  });
});

describe('isStableValence', () => {
  it('applies the allowed valences, with implicit hydrogens only as a ceiling', () => {
    expect(isStableValence('C', 4)).toBe(true);
    expect(isStableValence('C', 3)).toBe(false);
    expect(isStableValence('C', 3, true)).toBe(true);
    expect(isStableValence('C', 5, true)).toBe(false);
    expect(isStableValence('P', 5)).toBe(true);
    expect(isStableValence('Xe', 0)).toBe(false);
  });
});
