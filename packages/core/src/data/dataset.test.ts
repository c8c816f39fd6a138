import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSdf } from '../io/sdf.js';
import { Rng } from '../random/rng.js';
import { fixturePath } from '../testing/fixtures.js';
import { ElementNotInVocabularyError, qm9Encoding } from './atomEncoding.js';
import { collateBatch, sizeGroupedBatches, splitIndices } from './batch.js';
import { buildDataset } from './buildDataset.js';
import { MoleculeDataset } from './dataset.js';

const molecules = parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8'));

describe('datasets and batches', () => {
  it('round-trips through bytes and keeps card, encoding and coordinates', async () => {
    const ds = await buildDataset(molecules, { name: 'fixture', source: 'qm9-train-sample.sdf', removeHydrogens: true, elements: ['C', 'N', 'O', 'F'] });
    const again = MoleculeDataset.fromBytes(ds.toBytes());
    expect(again.count).toBe(molecules.length);
    expect(again.card).toEqual(ds.card);
    expect(again.card.filters).toEqual(['hydrogens removed']);
    expect(again.molecule(2)).toEqual(ds.molecule(2));
    const heavy = molecules[2]!.elements.filter((e) => e !== 'H');
    expect(again.molecule(2).elements).toEqual(heavy);
    expect(again.atomCountHistogram().reduce((a, b) => a + b)).toBe(molecules.length);
    // A Node Buffer at an odd offset inside a larger pool (what readFileSync can return).
    const pooled = Buffer.concat([Buffer.alloc(3), Buffer.from(ds.toBytes())]).subarray(3);
    expect(MoleculeDataset.fromBytes(pooled).molecule(4)).toEqual(ds.molecule(4));
    expect(() => MoleculeDataset.fromBytes(new TextEncoder().encode('not a dataset'), 'x.eqd')).toThrow(/x.eqd: not an equimol dataset/);
    const bytes = ds.toBytes();
    expect(() => MoleculeDataset.fromBytes(bytes.subarray(0, bytes.length - 5), 'cut.eqd')).toThrow('cut.eqd: truncated dataset');
    const badHeader = new Uint8Array(bytes);
    badHeader[8] = 0x7b + 1; // '{' → '|': the JSON header no longer parses
    expect(() => MoleculeDataset.fromBytes(badHeader, 'bad.eqd')).toThrow(/^bad.eqd: the dataset header is not valid JSON/);
  });

  it('builds the same bytes from the same input, so a run can check its dataset by hash after a rebuild', async () => {
    const options = { name: 'fixture', source: 'qm9-train-sample.sdf', removeHydrogens: true, elements: ['C', 'N', 'O', 'F'] };
    const first = (await buildDataset(molecules, options)).toBytes();
    await new Promise((resolve) => setTimeout(resolve, 5)); // a build time in the header would now differ
    const second = (await buildDataset(molecules, options)).toBytes();
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(MoleculeDataset.fromBytes(first).card.createdAt).toBeUndefined();
  });

  it('names the molecule whose element is outside the vocabulary', async () => {
    await expect(buildDataset(molecules, { name: 'x', source: 'x', elements: ['C', 'N', 'O'] })).rejects.toThrow(ElementNotInVocabularyError);
    await expect(buildDataset(molecules, { name: 'x', source: 'x', elements: ['C', 'N', 'O'] })).rejects.toThrow(/molecule 1 .*element H is not in the vocabulary \[C, N, O\]/);
  });

  it('streams molecules into packed arrays: vocabulary by atomic number when none is given, properties kept', async () => {
    async function* stream() {
      yield { elements: ['Cl', 'C'], positions: Float64Array.from([0, 0, 0, 1.8, 0, 0]), properties: { pic50: '6.5' } };
      yield { elements: ['C', 'P', 'I'], positions: Float64Array.from([0, 0, 0, 1.8, 0, 0, 0, 2.1, 0]), properties: { pic50: '7' } };
    }
    const ds = await buildDataset(stream(), { name: 's', source: 's', properties: ['pic50'] });
    expect(ds.encoding.elements).toEqual(['C', 'P', 'Cl', 'I']);
    expect(ds.molecule(0).elements).toEqual(['Cl', 'C']);
    expect(ds.molecule(1).elements).toEqual(['C', 'P', 'I']);
    expect(ds.molecule(1).positions[7]).toBeCloseTo(2.1, 6);
    expect(Array.from(ds.properties.pic50!)).toEqual([6.5, 7]);
    await expect(buildDataset(stream(), { name: 's', source: 's', properties: ['ic50'] })).rejects.toThrow('molecule 1: property ic50 missing or not a number');
  });

  it('collates normalised, centred, masked batches', () => {
    const ds = MoleculeDataset.fromMolecules(molecules, qm9Encoding(true), { name: 'f', source: 'f', filters: [] });
    const batch = collateBatch(ds, [0, 1]);
    const N = batch.maxAtoms;
    expect(N).toBe(Math.max(ds.atomCount(0), ds.atomCount(1)));
    const F = 6;
    for (let b = 0; b < 2; b++) {
      const n = batch.atomCounts[b]!;
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let a = 0; a < n; a++) s += batch.positions[(b * N + a) * 3 + k]!;
        expect(Math.abs(s)).toBeLessThan(1e-4);
      }
      for (let a = 0; a < N; a++) {
        const row = b * N + a;
        const oneHot = Array.from(batch.features.subarray(row * F, row * F + 5));
        if (a < n) {
          expect(oneHot.filter((v) => v === 0.25)).toHaveLength(1);
          expect([0.1, 0.6, 0.7, 0.8, 0.9].map((v) => Math.fround(v))).toContain(batch.features[row * F + 5]);
        } else {
          expect(batch.nodeMask[row]).toBe(0);
          expect(oneHot).toEqual([0, 0, 0, 0, 0]);
        }
      }
    }
  });

  it('groups batches by atom count and covers every molecule once per epoch', () => {
    const counts = [9, 9, 9, 8, 9, 8, 7, 9, 9, 8, 9, 9];
    const fake = { count: counts.length, atomCount: (i: number) => counts[i]! } as unknown as MoleculeDataset;
    const batches = sizeGroupedBatches(fake, 3, new Rng(1));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(counts.map((_, i) => i));
    const uniform = batches.filter((b) => b.length === 3 && new Set(b.map((i) => counts[i])).size === 1);
    expect(uniform.length).toBeGreaterThanOrEqual(3); // 8 nines → 2 full batches, 3 eights → 1
    const split = splitIndices(100, 0.1, new Rng(2));
    expect(split.validation).toHaveLength(10);
    expect(new Set([...split.train, ...split.validation]).size).toBe(100);
  });
});
