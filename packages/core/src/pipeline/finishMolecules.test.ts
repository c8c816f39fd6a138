import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { canonicalId, canonicalIdOfSmiles, toOcl } from '../chem/openchemlib.js';
import { parseSdf } from '../io/sdf.js';
import { parseXyz } from '../io/xyz.js';
import { fixturePath } from '../testing/fixtures.js';
import { registerOpenchemlibResources } from '../node/openchemlibResources.js';
import { finishGeneratedMolecule, summarizeFinished } from './finishMolecules.js';

const cases = parseXyz(readFileSync(fileURLToPath(new URL('../../../../data/fixtures/chem/qm9-test-cases.xyz', import.meta.url)), 'utf8'));
/** A QM9 molecule as a heavy-atom model generates it: elements, coordinates and the sampler's fields. */
function generated(id: number, index: number): Molecule {
  const mol = heavyAtomsOnly(cases.find((m) => m.title!.startsWith(`QM9 ${id} `))!);
  return { elements: mol.elements, positions: mol.positions, title: `qm9-heavy seed 0 #${index}`, properties: { model: 'qm9-heavy', seed: '0', index: String(index) } };
}

describe('finishGeneratedMolecule', () => {
  beforeAll(() => registerOpenchemlibResources());

  it('gives a valid molecule bonds, EDM verdicts and data fields in order, and hydrogens on request', () => {
    const plain = finishGeneratedMolecule(generated(11, 0));
    expect(plain).toMatchObject({ valid: true, stable: true, connected: true, smiles: 'CC=O' });
    expect(plain.molecule.elements).toEqual(['C', 'C', 'O']);
    expect(plain.molecule.bonds).toHaveLength(2);
    expect(plain.molecule.properties).toEqual({ SMILES: 'CC=O', valid: 'true', stable: 'true', model: 'qm9-heavy', seed: '0', index: '0' });
    const withH = finishGeneratedMolecule(generated(11, 0), { addHydrogens: true });
    expect(withH.molecule.elements).toEqual(['C', 'C', 'O', 'H', 'H', 'H', 'H']);
    // The generated atoms stay where the model put them.
    expect(Array.from(withH.molecule.positions.subarray(0, 9))).toEqual(Array.from(generated(11, 0).positions));
    expect(withH.molecule.properties!.SMILES).toBe('CC=O');
  });

  it('keeps an EDM-invalid molecule, flagged; hydrogens only where the bond orders resolve', () => {
    // QM9 115 (pent-1,3-diyne): EDM's distance rule gives C3 five bonds, the Kekulé assignment resolves it.
    const f = finishGeneratedMolecule(generated(115, 1), { addHydrogens: true });
    expect(f.valid).toBe(false);
    expect(f.smiles).toBeUndefined();
    expect(f.molecule.elements.filter((e) => e === 'H')).toHaveLength(4);
    expect(f.molecule.properties).toMatchObject({ valid: 'false', index: '1' });
    expect(f.molecule.properties!.issue).toMatch(/^EDM validity: C\d+ has valence 5/);
    expect(Object.keys(f.molecule.properties!)[0]).toBe('valid');
    // Six carbons piled on one: no consistent structure, so no hydrogens.
    const star: Molecule = { elements: ['C', 'C', 'C', 'C', 'C', 'C'], positions: Float64Array.from([0, 0, 0, 1.5, 0, 0, -1.5, 0, 0, 0, 1.5, 0, 0, -1.5, 0, 0, 0, 1.5]) };
    const g = finishGeneratedMolecule(star, { addHydrogens: true });
    expect(g.molecule.elements).not.toContain('H');
    expect(g.issue).toMatch(/bond orders: C1 has 5 bonded neighbours/);
  });

  it('flags atoms that do not form one molecule, even when the largest fragment is valid', () => {
    const scattered: Molecule = { elements: ['O', 'O', 'C'], positions: new Float64Array([0, 0, 0, 10, 0, 0, 0, 10, 0]) };
    const f = finishGeneratedMolecule(scattered);
    expect(f).toMatchObject({ valid: true, connected: false });
    expect(f.issue).toMatch(/^3 separate fragments/);
  });

  it('summarises counts: valid, stable, connected, valid and connected, distinct valid', () => {
    const scattered: Molecule = { elements: ['O', 'C'], positions: new Float64Array([0, 0, 0, 10, 0, 0]) };
    const finished = [generated(11, 0), generated(11, 1), generated(115, 2), scattered].map((m) => finishGeneratedMolecule(m));
    expect(summarizeFinished(finished)).toEqual({ count: 4, valid: 3, stable: 3, connected: 3, validAndConnected: 2, unique: 2 });
  });

  it('exports drug-like molecules with S, Cl, Br, I and P as the compounds they are, with MMFF94 hydrogens', () => {
    // Six ZINC conformers (heavy atoms): sulfonamide + Cl, aryl I + Br on a pyrazole, an indole NH
    // beside a thiazole, a vinyl phosphonate with F and a nitrile, a thiophosphoramide (P=S), a
    // phosphonic acid. Generated molecules come without bonds, so only elements and coordinates go in.
    const records = parseSdf(readFileSync(fixturePath('chem/zinc-drug-sample.sdf'), 'utf8'));
    expect(new Set(records.flatMap((m) => m.elements))).toEqual(new Set(['C', 'N', 'O', 'F', 'S', 'Cl', 'Br', 'I', 'P']));
    for (const record of records) {
      const truth = toOcl(record).ocl;
      let hydrogens = 0;
      for (let a = 0; a < truth.getAllAtoms(); a++) hydrogens += truth.getImplicitHydrogens(a);
      const f = finishGeneratedMolecule({ elements: record.elements, positions: record.positions }, { addHydrogens: true });
      const exported = f.molecule;
      expect(canonicalId(toOcl(exported).ocl), record.properties!.SMILES).toBe(canonicalId(truth));
      expect(exported.elements.filter((e) => e === 'H'), record.properties!.SMILES).toHaveLength(hydrogens);
      expect(f.issue ?? '', record.properties!.SMILES).not.toMatch(/bond orders|hydrogens/);
      // The SMILES field says what the exported bonds say (EDM's rule would read the rings as saturated).
      if (f.valid) expect(canonicalIdOfSmiles(f.smiles!), record.properties!.SMILES).toBe(canonicalId(truth));
      // Hypervalent S and P stay neutral with S=O / P=O / P=S double bonds, as in the file.
      expect(exported.formalCharges!.every((c) => c === 0)).toBe(true);
    }
  });
});
