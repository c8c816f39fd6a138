import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Bond, Molecule } from '../chem/molecule.js';
import { drawTrainingNoise } from '../diffusion/noise.js';
import { parseSdf } from '../io/sdf.js';
import { Rng } from '../random/rng.js';
import { fixturePath, useTestBackend } from '../testing/fixtures.js';
import { decodeAtoms, featureCount } from './atomEncoding.js';
import { collateBatch } from './batch.js';
import {
  BondEncodingError,
  bondClassCount,
  checkBondsEncodable,
  decodeBondBlock,
  encodeBondBlock,
  kekuleBondEncoding,
  symmetrizeBondState,
  symmetrizeBondTensor,
  upperPairMask,
} from './bondEncoding.js';
import { buildDataset } from './buildDataset.js';
import { MoleculeDataset } from './dataset.js';

const ZINC = fixturePath('chem/zinc-drug-sample.sdf');
const VOCABULARY = ['C', 'N', 'O', 'F', 'S', 'Cl', 'Br', 'I', 'P'];
const encoding = kekuleBondEncoding();
const sortBonds = (bonds: Bond[]): Bond[] => bonds.map(({ a, b, order }) => (a < b ? { a, b, order } : { a: b, b: a, order })).sort((x, y) => x.a - y.a || x.b - y.b);

async function zincDataset(bonds: boolean, molecules: Molecule[] = parseSdf(readFileSync(ZINC, 'utf8'))): Promise<MoleculeDataset> {
  const dataset = await buildDataset(molecules, { name: 'zinc', source: 'zinc-drug-sample.sdf', elements: VOCABULARY, bonds });
  // A fixed card date, so that bytes can be compared across builds.
  return MoleculeDataset.fromBytes(MoleculeDataset.fromBytes(dataset.toBytes()).subset([...Array(dataset.count).keys()], { createdAt: 'fixed' }).toBytes());
}

describe('bond encoding', () => {
  it('encodes a molecule’s bonds and charges and decodes them back (symmetric, diagonal and padding zero)', async () => {
    const dataset = await zincDataset(true);
    const batch = collateBatch(dataset, [0, 3, 5]);
    const N = batch.maxAtoms;
    const K = bondClassCount(dataset.encoding.bonds);
    expect(K).toBe(4);
    const e = batch.bonds!;
    for (let b = 0; b < 3; b++) {
      const n = batch.atomCounts[b]!;
      expect(sortBonds(decodeBondBlock(encoding, e, b, n, N))).toEqual(sortBonds(dataset.bonds([0, 3, 5][b]!)));
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const row = Array.from(e.subarray(((b * N + i) * N + j) * K, ((b * N + i) * N + j + 1) * K));
          expect(row).toEqual(Array.from(e.subarray(((b * N + j) * N + i) * K, ((b * N + j) * N + i + 1) * K)));
          const sum = row.reduce((s, v) => s + v, 0);
          expect(sum).toBe(i === j || i >= n || j >= n ? 0 : 0.5); // one-hot ÷ 2 on real pairs
        }
      }
    }
    // Charges: one-hot ÷ 4 after the element one-hot and atomic number; decoded by argmax.
    const F = featureCount(dataset.encoding);
    expect(F).toBe(9 + 1 + 3);
    const features = Float32Array.from(batch.features);
    features[0 * F + 10] = 0.25; // atom 0 of molecule 0 charged −1
    features[0 * F + 11] = 0;
    const decoded = decodeAtoms(dataset.encoding, batch.positions, features, batch.nodeMask);
    expect(decoded.formalCharges[0]).toBe(-1);
    expect(decoded.formalCharges[1]).toBe(0);
  });

  it('symmetrises a state from its upper triangle and zeroes the diagonal and padding', () => {
    const N = 3;
    const K = 4;
    const state = Float32Array.from({ length: N * N * K }, (_, i) => i + 1);
    symmetrizeBondState(state, [1, 1, 0], 1, N, K);
    const at = (i: number, j: number): number[] => Array.from(state.subarray((i * N + j) * K, (i * N + j + 1) * K));
    expect(at(1, 0)).toEqual(at(0, 1));
    expect(at(0, 1)).toEqual([5, 6, 7, 8]);
    for (const [i, j] of [[0, 0], [1, 1], [0, 2], [2, 0], [1, 2], [2, 2]] as const) expect(at(i, j)).toEqual([0, 0, 0, 0]);
  });

  it('symmetrises on tensors exactly as on arrays (the chain keeps its state on the device)', async () => {
    await useTestBackend();
    const B = 2;
    const N = 4;
    const K = 3;
    const rng = new Rng(9);
    const state = Float32Array.from({ length: B * N * N * K }, () => rng.normal());
    const mask = [1, 1, 1, 0, 1, 1, 0, 0];
    const onTensors = tf.tidy(() => symmetrizeBondTensor(tf.tensor4d(state, [B, N, N, K]), tf.tensor4d(upperPairMask(mask, B, N), [B, N, N, 1])).dataSync());
    symmetrizeBondState(state, mask, B, N, K);
    // + 0 turns the −0 of masked negative entries into 0: the same value.
    expect(Array.from(onTensors, (v) => v + 0)).toEqual(Array.from(state));
  });

  it('refuses aromatic bonds, unknown orders and charges outside −1…+1, naming the molecule', () => {
    const bonds: Bond[] = [{ a: 0, b: 1, order: 4 }];
    expect(() => checkBondsEncodable(encoding, 2, bonds, [0, 0], 'zinc.sdf, record 7')).toThrow(BondEncodingError);
    expect(() => checkBondsEncodable(encoding, 2, bonds, [0, 0], 'zinc.sdf, record 7')).toThrow(
      'zinc.sdf, record 7: bond 1-2 is aromatic (type 4); bond models take Kekulé bonds (orders 1–3) as given: kekulise the file first',
    );
    expect(() => checkBondsEncodable(encoding, 2, [{ a: 0, b: 1, order: 1 }], [2, 0], 'm')).toThrow('m: atom 1 has formal charge 2; the encoding has -1, 0, +1');
    expect(() => checkBondsEncodable(encoding, 2, [{ a: 0, b: 1, order: 1 }, { a: 1, b: 0, order: 2 }], [0, 0])).toThrow('atoms 2 and 1 are bonded twice');
  });

  it('writes bond noise symmetric and masked, after the atom noise an atom-only model draws', () => {
    const B = 2;
    const N = 4;
    const nodeMask = Float32Array.from([1, 1, 1, 0, 1, 1, 1, 1]);
    const atomOnly = drawTrainingNoise(new Rng(9), B, N, 5, nodeMask, 100);
    const withBonds = drawTrainingNoise(new Rng(9), B, N, 5, nodeMask, 100, 0, undefined, 4);
    expect(withBonds.steps).toEqual(atomOnly.steps);
    expect(withBonds.epsX).toEqual(atomOnly.epsX);
    expect(withBonds.epsH).toEqual(atomOnly.epsH);
    const e = withBonds.epsE!;
    const K = 4;
    let nonZero = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          for (let k = 0; k < K; k++) {
            const v = e[((b * N + i) * N + j) * K + k]!;
            expect(v).toBe(e[((b * N + j) * N + i) * K + k]!);
            const real = i !== j && nodeMask[b * N + i] === 1 && nodeMask[b * N + j] === 1;
            if (!real) expect(v).toBe(0);
            else if (v !== 0) nonZero++;
          }
        }
      }
    }
    expect(nonZero).toBe(2 * K * (3 + 6)); // 3 pairs in molecule 0, 6 in molecule 1, both triangles
  });
});

describe('dataset with bonds (EQMD v2)', () => {
  it('keeps the SDF bonds and charges as given through bytes and subsets', async () => {
    const molecules = parseSdf(readFileSync(ZINC, 'utf8'));
    const dataset = await zincDataset(true, molecules);
    expect(dataset.hasBonds).toBe(true);
    expect(dataset.card.filters[0]).toMatch(/bonds and formal charges as given in the file, never perceived \(0 atoms with a non-zero formal charge\)/);
    const back = MoleculeDataset.fromBytes(dataset.toBytes());
    molecules.forEach((mol, i) => {
      expect(sortBonds(back.bonds(i))).toEqual(sortBonds(mol.bonds!));
      expect(back.formalCharges(i)).toEqual(mol.formalCharges ?? mol.elements.map(() => 0));
    });
    const sub = back.subset([4, 1]);
    expect(sub.molecule(0).bonds).toEqual(back.bonds(4));
    expect(sub.molecule(1).bonds).toEqual(back.bonds(1));
    expect(sub.formalCharges(0)).toEqual(back.formalCharges(4));
    // A charged atom survives the round trip.
    const charged = molecules.map((m, i) => (i === 2 ? { ...m, formalCharges: m.elements.map((_, a) => (a === 0 ? 1 : 0)) } : m));
    expect(MoleculeDataset.fromBytes((await zincDataset(true, charged)).toBytes()).formalCharges(2)[0]).toBe(1);
  });

  it('still writes datasets without bonds as version 1, and reads both versions', async () => {
    const v1 = (await zincDataset(false)).toBytes();
    const header = new TextDecoder().decode(v1.subarray(8, 8 + new DataView(v1.buffer, v1.byteOffset).getUint32(4, true)));
    expect(JSON.parse(header)).toMatchObject({ format: 'equimol-dataset', version: 1 });
    expect(header).not.toMatch(/bonds/);
    expect(MoleculeDataset.fromBytes(v1).hasBonds).toBe(false);
    // The same bytes as before bond datasets existed (SHA-256 computed with main at 8805987).
    expect(createHash('sha256').update(v1).digest('hex')).toBe('e5358b3382774b9247a3062d95c1c36ed984449316a8b22c7325358d6b7708b7');
    const v2 = (await zincDataset(true)).toBytes();
    expect(JSON.parse(new TextDecoder().decode(v2.subarray(8, 8 + new DataView(v2.buffer, v2.byteOffset).getUint32(4, true))))).toMatchObject({ version: 2, bonds: 124 });
  });

  it('refuses molecules without a bond block and aromatic bonds when building with bonds', async () => {
    const [first] = parseSdf(readFileSync(ZINC, 'utf8'));
    const bare = { ...first!, bonds: undefined };
    await expect(buildDataset([bare], { name: 'x', source: 'x', elements: VOCABULARY, bonds: true })).rejects.toThrow('molecule 1 (' + first!.title + '): has no bond block');
    const aromatic = { ...first!, bonds: first!.bonds!.map((b, k) => (k === 0 ? { ...b, order: 4 as const } : b)) };
    await expect(buildDataset([aromatic], { name: 'x', source: 'x', elements: VOCABULARY, bonds: true })).rejects.toThrow(/is aromatic \(type 4\)/);
  });
});
