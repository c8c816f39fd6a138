import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { loadRdkit, type RdkitModule } from '../chem/rdkit.js';
import { parseSdf } from '../io/sdf.js';
import { registerOpenchemlibResources } from '../node/openchemlibResources.js';
import { fixturePath } from '../testing/fixtures.js';
import { collectDrugDescriptors, evaluateDrugLikeMolecules } from './drugEvaluation.js';
import { drugDescriptors } from './drugLikeness.js';
import { checkGeometry } from './geometryChecks.js';
import { judgeLewisStructure } from './lewisStructure.js';
import { qed } from './qed.js';

let rdkit: RdkitModule;
const zinc = parseSdf(readFileSync(fixturePath('chem/zinc-drug-sample.sdf'), 'utf8'));

beforeAll(async () => {
  registerOpenchemlibResources();
  rdkit = await loadRdkit();
});

describe('QED', () => {
  it("matches RDKit's QED (its doctests, from Bickerton et al.'s examples, and paracetamol)", () => {
    for (const [smiles, expected] of [
      ['N=C(CCSCc1csc(N=C(N)N)n1)NS(N)(=O)=O', 0.253],
      ['CNC(=NCCSCc1nc[nH]c1C)NC#N', 0.234],
      ['CCCCCNC(=N)NN=Cc1c[nH]c2ccc(CO)cc12', 0.234],
      ['CC(=O)Nc1ccc(O)cc1', 0.595],
    ] as const) {
      const mol = rdkit.get_mol(smiles)!;
      // RDKit's doctests print three digits and an ellipsis: compare truncated.
      expect(Math.floor(qed(rdkit, mol) * 1000) / 1000, smiles).toBe(expected);
      mol.delete();
    }
  });
});

describe('Lewis-structure validity', () => {
  it('accepts the ZINC records as written and names a missing hydrogen or an over-valent atom', () => {
    for (const record of zinc) expect(judgeLewisStructure(rdkit, record).verdict).toMatchObject({ valid: true, connected: true });
    // Methane with one hydrogen missing: a methyl radical as a structure with explicit hydrogens.
    const methyl: Molecule = {
      elements: ['C', 'H', 'H', 'H'],
      positions: new Float64Array([0, 0, 0, 1.09, 0, 0, -0.36, 1.03, 0, -0.36, -0.51, 0.89]),
      bonds: [1, 2, 3].map((b) => ({ a: 0, b, order: 1 as const })),
    };
    expect(judgeLewisStructure(rdkit, methyl).verdict).toEqual({ valid: false, connected: true, reason: 'C1 is missing a hydrogen' });
    // A five-valent carbon (CF5): RDKit refuses to sanitise it.
    const fiveValent: Molecule = {
      elements: ['C', 'F', 'F', 'F', 'F', 'F'],
      positions: new Float64Array([0, 0, 0, 1.35, 0, 0, -1.35, 0, 0, 0, 1.35, 0, 0, -1.35, 0, 0, 0, 1.35]),
      bonds: [1, 2, 3, 4, 5].map((b) => ({ a: 0, b, order: 1 as const })),
    };
    expect(judgeLewisStructure(rdkit, fiveValent).verdict).toMatchObject({ valid: false, reason: 'RDKit cannot sanitise it' });
  });
});

describe('drug-likeness descriptors', () => {
  it('gives RDKit descriptors of the sulfonamide record', () => {
    const { heavy } = judgeLewisStructure(rdkit, zinc[0]!);
    const d = drugDescriptors(rdkit, heavy!);
    heavy!.delete();
    // CCOc1ccc(Cl)cc1S(=O)(=O)NC1CCCC1: C13H18ClNO3S.
    expect(d.mw).toBeCloseTo(303.811, 2);
    expect(d).toMatchObject({ hbd: 1, rings: 2, aromaticRings: 1, heavyAtoms: 19 });
    expect(d.qed).toBeGreaterThan(0);
    expect(d.qed).toBeLessThan(1);
  });

  it('reports validity, novelty and zero distances for a set against itself', () => {
    const reference = collectDrugDescriptors(rdkit, zinc);
    const { report, samples } = evaluateDrugLikeMolecules(rdkit, zinc, { reference, trainingIds: new Set(), geometry: false });
    expect(report).toMatchObject({ molecules: 6, validity: 1, validAndConnected: 1, uniqueness: 1, novelty: 1, geometry: null });
    expect(report.descriptors.qed.w1).toBe(0);
    expect(samples.mw).toHaveLength(6);
  });
});

describe('geometry checks', () => {
  it('passes a MMFF94 conformer and fails a stretched bond and a displaced double-bonded atom', () => {
    const { report } = evaluateDrugLikeMolecules(rdkit, zinc.slice(0, 1));
    expect(report.geometry).toMatchObject({ checked: 1, passesAll: 1 });
    const mol = zinc[0]!;
    const ok = checkGeometry({ ...mol, positions: mol.positions });
    expect(ok).toMatchObject({ bondLengthsOk: true, bondAnglesOk: true, noClashes: true, aromaticRingsFlat: true });
    // Pull the last atom 1 Å out along x: its bond stretches beyond 25 %.
    const stretched = Float64Array.from(mol.positions);
    stretched[stretched.length - 3]! += 1.2;
    expect(checkGeometry({ ...mol, positions: stretched }).bondLengthsOk).toBe(false);
    // Move an atom of a double bond 0.6 Å.
    const bent = Float64Array.from(mol.positions);
    const ring = mol.bonds!.filter((b) => b.order === 2);
    expect(ring.length).toBeGreaterThan(0);
    const atom = ring[0]!.a;
    for (let d = 0; d < 3; d++) bent[3 * atom + d]! += 0.6 / Math.sqrt(3);
    expect(checkGeometry({ ...mol, positions: bent }).passes).toBe(false);
  });
});
