import { describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { MoleculeParseError } from './errors.js';
import { moleculesFromJson, moleculesToJson } from './moleculeJson.js';

const ETHANOL_HEAVY: Molecule = {
  title: 'ethanol',
  elements: ['C', 'C', 'O'],
  positions: Float64Array.from([0, 0, 0, 1.52, 0, 0, 2.0, 1.35, 0]),
  bonds: [
    { a: 0, b: 1, order: 1 },
    { a: 1, b: 2, order: 1 },
  ],
  formalCharges: [0, 0, 0],
  properties: { SMILES: 'CCO', valid: 'true' },
};

describe('JSON molecule lists', () => {
  it('round-trip through JSON text', () => {
    const text = JSON.stringify(moleculesToJson([ETHANOL_HEAVY, { elements: ['O'], positions: Float64Array.from([1, 2, 3]) }]));
    const [a, b] = moleculesFromJson(text, 'mols.json');
    expect(a).toEqual(ETHANOL_HEAVY);
    expect(b).toEqual({ elements: ['O'], positions: Float64Array.from([1, 2, 3]) });
  });

  it.each([
    ['[]', 1, /not an equimol molecule list/],
    ['{"format": "equimol-molecules", "version": 2, "molecules": []}', 1, /version 2 is not supported/],
    ['{"format": "equimol-molecules", "version": 1, "molecules": [{"elements": ["C"], "positions": [0, 0, 0]}, {"elements": ["C"], "positions": [0, 0]}]}', 2, /3 finite numbers/],
    ['{"format": "equimol-molecules", "version": 1, "molecules": [{"elements": ["Xx1"], "positions": [0, 0, 0]}]}', 1, /element symbols/],
    ['{"format": "equimol-molecules", "version": 1, "molecules": [{"elements": ["C", "O"], "positions": [0, 0, 0, 1, 0, 0], "bonds": [[0, 2, 1]]}]}', 1, /bond \[0,2,1\]/],
    ['{"format": "equimol-molecules", "version": 1, "molecules": [{"elements": ["C"], "positions": [0, 0, null]}]}', 1, /finite numbers/],
    ['{ not json', 1, /not JSON/],
  ])('reject %s naming the molecule', (text, record, reason) => {
    try {
      moleculesFromJson(text, 'bad.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MoleculeParseError);
      expect((err as MoleculeParseError).record).toBe(record);
      expect((err as MoleculeParseError).message).toMatch(/^bad\.json, record \d+: /);
      expect((err as MoleculeParseError).reason).toMatch(reason);
    }
  });
});
