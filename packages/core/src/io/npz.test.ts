import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MoleculeParseError, newReadStats } from './errors.js';
import { formatEdmNpz, moleculesFromEdmNpz, NpyFormatError, parseNpy, parseNpz } from './npz.js';

const sample = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../../data/fixtures/chem/edm-qm9-test-sample.npz', import.meta.url))));

/** A version-1 .npy of little-endian values (`<i8` or `<f4`). */
function npy(dtype: '<i8' | '<f4', shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + '\n';
  const size = dtype === '<i8' ? 8 : 4;
  const bytes = new Uint8Array(10 + header.length + values.length * size);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  values.forEach((v, i) => {
    const at = 10 + header.length + i * size;
    if (dtype === '<i8') view.setBigInt64(at, BigInt(v), true);
    else view.setFloat32(at, v, true);
  });
  return bytes;
}

describe('EDM npz', () => {
  it('reads arrays of a numpy-written (deflated) npz', () => {
    const arrays = parseNpz(sample);
    expect(arrays.positions!.shape).toEqual([5, 12, 3]);
    expect(arrays.positions!.dtype).toBe('<f4');
    expect(Array.from(arrays.index!.values)).toEqual([11, 14, 22, 31, 44]);
  });

  it('turns the padded arrays into molecules with their QM9 properties', () => {
    const mols = moleculesFromEdmNpz(sample, { source: 'sample.npz' });
    expect(mols).toHaveLength(5);
    expect(mols[0]!.elements).toEqual(['C', 'C', 'O', 'H', 'H', 'H', 'H']);
    expect(mols[0]!.positions).toHaveLength(21);
    expect(mols[0]!.properties).toMatchObject({ index: '11' });
    expect(Number(mols[0]!.properties!.mu)).toBeCloseTo(2.5682, 4);
    expect(mols[3]!.elements).toEqual(['C', 'C', 'C', 'N', 'H', 'H', 'H', 'H', 'H']);
  });

  const tiny = (charges: number[], positions: number[]) =>
    zipSync({
      'num_atoms.npy': npy('<i8', [1], [2]),
      'charges.npy': npy('<i8', [1, 3], charges),
      'positions.npy': npy('<f4', [1, 3, 3], positions),
    });

  it('rejects padding inside a molecule and non-finite positions, naming the molecule', () => {
    expect(() => moleculesFromEdmNpz(tiny([6, 0, 0], Array(9).fill(0)), { source: 'x.npz' })).toThrow(/x\.npz, record 1: atom 2 of 2 is padding/);
    expect(() => moleculesFromEdmNpz(tiny([6, 8, 0], [0, 0, NaN, 0, 0, 1, 0, 0, 0]))).toThrow(MoleculeParseError);
    const stats = newReadStats();
    expect(moleculesFromEdmNpz(tiny([6, 0, 0], Array(9).fill(0)), { skipInvalid: true, stats })).toEqual([]);
    expect(stats.skipped).toBe(1);
  });

  it('rejects files that are not npy/npz', () => {
    expect(() => parseNpy(new Uint8Array(20))).toThrow(NpyFormatError);
    expect(() => parseNpz(new TextEncoder().encode('plain text'), 'a.npz')).toThrow(/a\.npz: not a zip archive/);
  });
});

describe('formatEdmNpz', () => {
  it('round-trips molecules and numeric properties through the EDM layout', () => {
    const mols = [
      { elements: ['C', 'O'], positions: Float64Array.from([0, 0, 0, 1.25, 0, 0]), properties: { index: '7', mu: '1.5', name: 'x' } },
      { elements: ['N', 'H', 'H', 'H'], positions: Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), properties: { index: '8', mu: '-0.25', name: 'y' } },
    ];
    const bytes = formatEdmNpz(mols);
    const arrays = parseNpz(bytes);
    expect(arrays.num_atoms!.dtype).toBe('<i8');
    expect(arrays.charges!.shape).toEqual([2, 4]);
    expect(Array.from(arrays.charges!.values)).toEqual([6, 8, 0, 0, 7, 1, 1, 1]);
    expect(arrays.name).toBeUndefined();
    const back = moleculesFromEdmNpz(bytes);
    expect(back.map((m) => m.elements)).toEqual([['C', 'O'], ['N', 'H', 'H', 'H']]);
    expect(Array.from(back[0]!.positions)).toEqual([0, 0, 0, 1.25, 0, 0]);
    expect(back[1]!.properties).toMatchObject({ index: '8', mu: '-0.25' });
    expect(back[1]!.title).toBe('QM9 8');
  });
});
