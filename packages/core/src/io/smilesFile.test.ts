import { describe, expect, it } from 'vitest';
import { parseSmilesFile } from './smilesFile.js';

describe('SMILES files', () => {
  it('skips blank lines, # comments and a smiles header, keeping names and line numbers', () => {
    const text = '# my molecules\nSMILES name\nCCO ethanol\n\n  c1ccccc1O   phenol red \r\nC\n';
    expect(parseSmilesFile(text)).toEqual([
      { smiles: 'CCO', name: 'ethanol', line: 3 },
      { smiles: 'c1ccccc1O', name: 'phenol red', line: 5 },
      { smiles: 'C', line: 6 },
    ]);
  });

  it('takes a "smiles" line only as the header before the first entry', () => {
    expect(parseSmilesFile('C\nsmiles\n').map((e) => e.smiles)).toEqual(['C', 'smiles']);
  });
});
