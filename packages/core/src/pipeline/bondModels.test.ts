import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bond, Molecule } from '../chem/molecule.js';
import { createModel, deserializeModel, ModelFormatError, serializeModel } from '../modelFormat/modelFormat.js';
import { type AtomEncoding, featureCount, qm9Encoding } from '../data/atomEncoding.js';
import { kekuleBondEncoding } from '../data/bondEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { parseSdf, writeSdf } from '../io/sdf.js';
import { edmEgnnConfig } from '../model/config.js';
import { registerOpenchemlibResources } from '../node/openchemlibResources.js';
import { Rng } from '../random/rng.js';
import { fixturePath, tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { LocalGradientEngine } from '../train/gradientEngine.js';
import { Trainer } from '../train/trainer.js';
import { defaultTrainingConfig } from '../train/trainingConfig.js';
import { finishGeneratedMolecule, generatedGraphQuality } from './finishMolecules.js';
import { sampleMolecules } from './sampleMolecules.js';

// Bond models from the model file to the SDF: the format records them, sampling returns the
// generated graph, the export writes that graph (never re-perceived) with hydrogens added to it; and
// atom-only models train exactly as before bond models existed.

const encoding: AtomEncoding = { elements: ['C', 'N', 'O'], includeCharges: true, normalization: [1, 4, 10], bonds: kekuleBondEncoding() };
const meta = {
  name: 'tiny-bonds',
  egnn: tinyEgnnConfig(featureCount(encoding), { bondClasses: 4 }),
  schedule: { ...EDM_QM9_SCHEDULE, timesteps: 40 },
  encoding,
  atomCountHistogram: [0, 0, 0, 0, 1, 2],
};

describe('bond models end to end in core', () => {
  beforeAll(async () => {
    await useTestBackend();
    registerOpenchemlibResources();
  });

  it('are format version 2 with generatesBonds; atom-only models stay version 1; a mismatch is refused', () => {
    const model = createModel(meta, createModel(meta).dynamics.layout.initialise(new Rng(2)));
    const { json, weights } = serializeModel(model);
    expect(JSON.parse(json)).toMatchObject({ formatVersion: 2, generatesBonds: true, egnn: { bondClasses: 4 }, encoding: { bonds: { orders: [1, 2, 3], formalCharges: [-1, 0, 1], normalization: [2, 4] } } });
    expect(Array.from(deserializeModel(json, weights, 'm').params)).toEqual(Array.from(model.params));
    const atoms = createModel({ ...meta, egnn: tinyEgnnConfig(4), encoding: qm9Encoding(false) });
    expect(atoms.meta.formatVersion).toBe(1);
    expect(serializeModel(atoms).json).not.toMatch(/generatesBonds|bondClasses|"bonds"/);
    expect(() => createModel({ ...meta, egnn: tinyEgnnConfig(featureCount(encoding)) })).toThrow(ModelFormatError);
    const lying = JSON.stringify({ ...JSON.parse(json), formatVersion: 1 });
    expect(() => deserializeModel(lying, weights, 'm')).toThrow('m: model format version 1 cannot hold a model that generates bonds');
  });

  it('sample molecules with their generated bonds and charges, which the export writes as generated', async () => {
    const model = createModel(meta, createModel(meta).dynamics.layout.initialise(new Rng(3)));
    const { molecules, trajectory } = await sampleMolecules(model, { count: 3, seed: 5, steps: 6, trajectoryFrames: 4 });
    // Every frame carries the graph decoded at its step; the last frame's is the sample's.
    for (const [k, m] of trajectory!.molecules.entries()) {
      expect(m.frames).toHaveLength(4);
      for (const f of m.frames) {
        expect(f.formalCharges).toHaveLength(f.elements.length);
        for (const b of f.bonds!) expect(b.a < b.b && b.b < f.elements.length && [1, 2, 3].includes(b.order)).toBe(true);
      }
      const last = m.frames[3]!;
      expect({ bonds: last.bonds, formalCharges: last.formalCharges }).toEqual({ bonds: molecules[k]!.bonds, formalCharges: molecules[k]!.formalCharges });
    }
    // The noise frame's bonds are the argmax of pure noise: some pairs bonded.
    expect(trajectory!.molecules.some((m) => m.frames[0]!.bonds!.length > 0)).toBe(true);
    for (const mol of molecules) {
      expect(mol.bonds).toBeDefined();
      expect(mol.formalCharges).toHaveLength(mol.elements.length);
      const finished = finishGeneratedMolecule(mol);
      expect(finished.molecule.bonds).toEqual(mol.bonds);
      expect(finished.molecule.formalCharges).toEqual(mol.formalCharges);
      expect(finished.molecule.properties).toMatchObject({ bonds: 'generated', model: 'tiny-bonds' });
    }
  });

  it('exports a generated graph as it is, with hydrogens added to that graph, even where distances disagree', () => {
    // Acetamide's heavy atoms, stretched so that distance perception would find no bonds at all.
    const bonds: Bond[] = [{ a: 0, b: 1, order: 1 }, { a: 1, b: 2, order: 2 }, { a: 1, b: 3, order: 1 }];
    const generated: Molecule = {
      elements: ['C', 'C', 'O', 'N'],
      positions: Float64Array.from([0, 0, 0, 3, 0, 0, 4.5, 2.6, 0, 4.5, -2.6, 0]),
      bonds,
      formalCharges: [0, 0, 0, 0],
      properties: { model: 'tiny-bonds', seed: '0', index: '0' },
    };
    const f = finishGeneratedMolecule(generated, { addHydrogens: true });
    expect(f).toMatchObject({ valid: true, connected: true, smiles: 'CC(N)=O' });
    expect(f.molecule.properties).toMatchObject({ SMILES: 'CC(N)=O', valid: 'true', bonds: 'generated' });
    expect(f.molecule.properties!.edm_valid).toMatch(/^(true|false)$/); // EDM's distance verdict, kept beside
    expect(f.molecule.bonds!.slice(0, 3)).toEqual(bonds);
    expect(f.molecule.elements.filter((e) => e === 'H')).toHaveLength(5); // CH3 + NH2
    // Written and read back: the SDF's heavy-atom bonds are the generated ones.
    const back = parseSdf(writeSdf([f.molecule]))[0]!;
    expect(back.bonds!.filter((b) => b.a < 4 && b.b < 4)).toEqual(bonds);
    // An over-valent graph is kept, flagged, and gets no hydrogens.
    const bad = finishGeneratedMolecule({ ...generated, bonds: [...bonds.slice(0, 2), { a: 1, b: 3, order: 2 }] }, { addHydrogens: true });
    expect(bad.valid).toBe(false);
    expect(bad.issue).toMatch(/generated bonds: C2 has valence 5 \(max 4\)/);
    expect(bad.molecule.elements).toHaveLength(4);
  });

  it("are judged while training on their generated graph, as `sample` judges them, with EDM's rule beside it", () => {
    // Acetamide stretched so far that EDM's distance rule sees only separate atoms, and the same atoms
    // with an over-valent generated graph: the generated-graph judge tells them apart, EDM's cannot.
    const bonds: Bond[] = [{ a: 0, b: 1, order: 1 }, { a: 1, b: 2, order: 2 }, { a: 1, b: 3, order: 1 }];
    const good: Molecule = { elements: ['C', 'C', 'O', 'N'], positions: Float64Array.from([0, 0, 0, 3, 0, 0, 4.5, 2.6, 0, 4.5, -2.6, 0]), bonds, formalCharges: [0, 0, 0, 0] };
    const bad: Molecule = { ...good, bonds: [...bonds.slice(0, 2), { a: 1, b: 3, order: 2 }] };
    const diverged: Molecule = { ...good, positions: Float64Array.from(good.positions, () => NaN) };
    const edmValid = (m: Molecule): number => (finishGeneratedMolecule(m).molecule.properties!.edm_valid === 'true' ? 1 : 0);
    expect(generatedGraphQuality([good, bad, good, diverged])).toEqual({
      molecules: 4,
      rule: 'generated graph',
      validity: 2 / 4,
      connectivity: 3 / 4,
      validAndConnected: 2 / 4,
      uniqueness: 1 / 2,
      edmValidity: (2 * edmValid(good) + edmValid(bad)) / 4,
      moleculeStability: expect.any(Number),
    });
  });

  it('train atom-only models exactly as before bond models existed (weights pinned from main at 8805987)', async () => {
    const dataset = MoleculeDataset.fromMolecules(parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8')), qm9Encoding(true), { name: 'f', source: 'f', filters: [] });
    const egnn = edmEgnnConfig(6, 16, 2);
    const schedule = { ...EDM_QM9_SCHEDULE, timesteps: 100 };
    const trainer = new Trainer({ egnn, schedule }, dataset, defaultTrainingConfig({ seed: 3, batchSize: 3, microBatch: 3, validationFraction: 0 }), new LocalGradientEngine({ egnn, schedule, microBatch: 3 }));
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) losses.push((await trainer.step()).loss);
    expect(losses).toEqual([1.0819880962371826, 1.246310551961263, 1.094197432200114]);
    const params = trainer.current.params;
    expect(createHash('sha256').update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)).digest('hex')).toBe(
      'f8c2b0a7ecc95b8d512908a5b1ff3f26d37ea30df6f8ce0a878d2968ea60d19e',
    );
  });
});
