import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resources } from 'openchemlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXyz } from '../io/xyz.js';
import { parseSdf, writeSdf } from '../io/sdf.js';
import { checkStability } from '../metrics/stability.js';
import { checkValidity } from '../metrics/validity.js';
import { assignBondOrders } from './bondOrders.js';
import { conformerFromSmiles } from './conformers.js';
import { completeHydrogens } from './hydrogens.js';
import type { Molecule } from './molecule.js';
import { canonicalId, canonicalIdOfSmiles, toOcl } from './openchemlib.js';
import { heavyAtomsOnly, perceiveBonds } from './perceiveBonds.js';

const cases = parseXyz(readFileSync(fileURLToPath(new URL('../../../../data/fixtures/chem/qm9-test-cases.xyz', import.meta.url)), 'utf8'));
const byId = (id: number): Molecule => cases.find((m) => m.title!.startsWith(`QM9 ${id} `))!;

describe('assignBondOrders', () => {
  it('gives p-cresol (QM9 4565) a Kekulé ring where EDM orders fail, with or without hydrogens', () => {
    for (const mol of [byId(4565), heavyAtomsOnly(byId(4565))]) {
      const { molecule, valid } = assignBondOrders(mol);
      expect(valid).toBe(true);
      expect(molecule.properties!.SMILES).toBe('Cc(cc1)ccc1O');
      const ringDoubles = molecule.bonds!.filter((b) => b.order === 2);
      expect(ringDoubles).toHaveLength(3);
      expect(molecule.bonds!.every((b) => b.order !== 4)).toBe(true);
    }
  });

  it('charges a nitro group and a zwitterion where valences need it', () => {
    const nitro = assignBondOrders(byId(21968)).molecule;
    expect(nitro.formalCharges!.filter((c) => c === 1)).toHaveLength(1);
    expect(nitro.formalCharges!.filter((c) => c === -1)).toHaveLength(1);
    expect(nitro.properties!.SMILES).toBe('[O-][N+](c1ccc[nH]1)=O');

    const zwitterion = assignBondOrders(byId(13833));
    expect(zwitterion.valid).toBe(true);
    expect(zwitterion.molecule.properties!.SMILES).toBe('[O-]C(C1=CC[NH2+]C1)=O');
    expect(zwitterion.molecule.formalCharges!.reduce((s, c) => s + c, 0)).toBe(0);
  });

  it('flags an unresolvable molecule instead of dropping it, and the flag reaches the SDF', () => {
    // Methyl radical with explicit hydrogens: one unpaired electron on carbon.
    const methyl: Molecule = { elements: ['C', 'H', 'H', 'H'], positions: new Float64Array([0, 0, 0, 1.08, 0, 0, -0.54, 0.94, 0, -0.54, -0.94, 0]) };
    const result = assignBondOrders(methyl);
    expect(result.valid).toBe(false);
    expect(result.issue).toBe('C1 has 1 unpaired electron(s)');
    const [back] = parseSdf(writeSdf([result.molecule]));
    expect(back!.properties).toMatchObject({ equimol_valid: 'false', equimol_issue: 'C1 has 1 unpaired electron(s)' });
    expect(back!.elements).toEqual(['C', 'H', 'H', 'H']);
  });
});

describe('assignBondOrders for drug-like groups (heavy atoms only)', () => {
  beforeAll(() => Resources.registerFromNodejs());

  // openchemlib conformers (MMFF94s+), hydrogens dropped: what a heavy-atom model generates.
  // Not here: sulfonic acids and sulfonate esters, whose S–O single bond (1.61–1.65 Å) lies beyond
  // EDM's S–O cutoff (1.51 + 0.10 Å), so perception leaves the O unbonded.
  it.each([
    ['sulfonamide (S valence 6)', 'CS(=O)(=O)Nc1ccccc1'],
    ['sulfoxide (S valence 4)', 'CS(=O)Cc1ccccc1'],
    ['thiourea (C=S)', 'CNC(=S)NC'],
    ['thiophene and aryl chloride', 'Clc1ccc(-c2cccs2)cc1'],
    ['aryl bromide and iodide', 'Brc1ccc(I)cc1'],
    ['phosphonate (P=O)', 'CCOP(=O)(OCC)Cc1ccccc1'],
    ['H-phosphinate ([PH](=O)O): one P=O only', 'CC(C)[PH](=O)O'],
    ['thiophosphate (P=S)', 'COP(=S)(OC)Oc1ccccc1'],
    ['indole: the NH keeps its hydrogen', 'c1ccc2[nH]ccc2c1'],
    ['1,2,4-oxadiazole (aromatic N–O)', 'Cc1noc(-c2ccccc2)n1'],
    ['isothiazole (aromatic N–S)', 'Cc1ccsn1'],
  ])('%s: %s', (_, smiles) => {
    const heavy = heavyAtomsOnly(conformerFromSmiles(smiles, { seed: 1 }).molecule);
    const { molecule, valid } = assignBondOrders({ elements: heavy.elements, positions: heavy.positions });
    expect(valid).toBe(true);
    expect(canonicalId(toOcl(molecule).ocl)).toBe(canonicalIdOfSmiles(smiles));
  });
});

describe('completeHydrogens', () => {
  beforeAll(() => Resources.registerFromNodejs());

  it('adds the hydrogens QM9 has, relaxes only them and keeps the heavy atoms in place', () => {
    for (const id of [11, 4565, 21968]) {
      const original = byId(id);
      const heavy = heavyAtomsOnly(original);
      const { molecule, addedHydrogens, relaxed } = completeHydrogens(heavy);
      expect(addedHydrogens).toBe(original.elements.filter((e) => e === 'H').length);
      expect(relaxed).toBe(true);
      expect(molecule.elements.slice(0, heavy.elements.length)).toEqual(heavy.elements);
      expect(Array.from(molecule.positions.slice(0, heavy.positions.length))).toEqual(Array.from(heavy.positions));
      // Every added H sits at a sensible bond length from its heavy atom.
      for (const { a, b } of molecule.bonds!) {
        if (molecule.elements[b] !== 'H') continue;
        const d = Math.hypot(...[0, 1, 2].map((k) => molecule.positions[3 * a + k]! - molecule.positions[3 * b + k]!));
        expect(d).toBeGreaterThan(0.94);
        expect(d).toBeLessThan(1.12);
      }
    }
  });

  it('does not claim a relaxation when MMFF94 has no finite energy (propyne)', () => {
    const propyne = heavyAtomsOnly(conformerFromSmiles('CC#C', { seed: 1 }).molecule);
    const result = completeHydrogens(propyne);
    expect(result.addedHydrogens).toBe(4);
    expect(result.relaxed).toBe(false);
    expect(result.energy).toBeUndefined();
    expect(result.warning).toMatch(/no finite energy/);
    expect(Array.from(result.molecule.positions).every(Number.isFinite)).toBe(true);
  });

  it('relaxes added hydrogens away from atoms they are not bonded to (a generated molecule)', () => {
    // `equimol sample`'s qm9-heavy seed 0 #10, CC(C)C(N=C)N=C: C2 sits 1.79 Å from C5 without a bond,
    // and the ideal-geometry hydrogen of C2 lands within EDM's C–H bond distance of C5.
    const generated: Molecule = {
      elements: ['C', 'C', 'C', 'C', 'C', 'C', 'N', 'N'],
      positions: Float64Array.from([
        -1.0695, -0.6162, -0.2088, 0.4101, -0.0722, 0.025, -1.775, -1.096, -1.4513, 0.4708, 0.8693, 1.4799,
        2.1952, 0.0777, 0.0312, -2.0034, 0.4924, 0.1538, 1.4552, -0.9793, -0.2758, 0.3166, 1.3243, 0.246,
      ]),
    };
    expect(checkValidity(generated).valid).toBe(true);
    expect(checkValidity(completeHydrogens(generated, { relax: false }).molecule).valid).toBe(false);
    const { molecule, relaxed } = completeHydrogens(generated);
    expect(relaxed).toBe(true);
    expect(checkValidity(molecule).valid).toBe(true);
    // EDM's distance rule bonds every hydrogen to the atom it was added to, and to nothing else.
    const isH = (b: { a: number; b: number }) => molecule.elements[b.a] === 'H' || molecule.elements[b.b] === 'H';
    expect(perceiveBonds(molecule).filter(isH)).toEqual(molecule.bonds!.filter(isH));
  });

  it('turns a stable heavy-atom molecule into an EDM-stable explicit-H one', () => {
    const { molecule } = completeHydrogens(heavyAtomsOnly(byId(11)));
    expect(checkStability(molecule).stable).toBe(true);
  });
});
