import { describe, expect, it } from 'vitest';
import { type ContainerKind, packContainer, unpackContainer } from './binaryContainer.js';

const KIND: ContainerKind = { magic: 'EQXX', format: 'equimol-test', version: 2, what: 'test file' };

describe('binary container', () => {
  it('round-trips a header and arrays of mixed widths and odd lengths, read from an unaligned offset', () => {
    const bytes = packContainer(KIND, { note: 'é', n: 3 }, [Uint8Array.of(1, 2, 3), Float32Array.of(0.5, -2), Uint32Array.of(7)]);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('EQXX');
    expect(bytes.length % 4).toBe(0);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1); // a view starting at an odd offset, like a slice of a Node Buffer pool
    const { header, next } = unpackContainer<{ note: string; n: number }>(shifted.subarray(1), KIND, 'f.bin');
    expect(header).toMatchObject({ format: 'equimol-test', version: 2, note: 'é', n: 3 });
    expect([...next(Uint8Array, 3)]).toEqual([1, 2, 3]);
    expect([...next(Float32Array, 2)]).toEqual([0.5, -2]);
    expect([...next(Uint32Array, 1)]).toEqual([7]);
    expect(() => next(Uint8Array, 1, 'extra')).toThrow('f.bin: truncated test file (array extra)');
  });

  it('names the file and the problem for a wrong magic, format, version, header or a cut file', () => {
    const bytes = packContainer(KIND, {}, [Float32Array.of(1, 2)]);
    expect(() => unpackContainer(new TextEncoder().encode('hello world'), KIND, 'a.bin')).toThrow('a.bin: not an equimol test file (bad magic bytes)');
    expect(() => unpackContainer(bytes, { ...KIND, version: 3 }, 'b.bin')).toThrow('b.bin: unsupported test file format equimol-test v2 (this equimol reads equimol-test v3)');
    expect(() => unpackContainer(bytes, { ...KIND, format: 'other' }, 'c.bin')).toThrow(/c.bin: unsupported test file format equimol-test/);
    expect(() => unpackContainer(bytes.subarray(0, 12), KIND, 'd.bin')).toThrow('d.bin: truncated test file (header)');
    const broken = bytes.slice();
    broken[8] = 0x7b + 1; // the header's "{" becomes "|"
    expect(() => unpackContainer(broken, KIND, 'e.bin')).toThrow(/e.bin/);
    const { next } = unpackContainer(bytes.subarray(0, bytes.length - 1), KIND, 'f.bin');
    expect(() => next(Float32Array, 2)).toThrow('f.bin: truncated test file');
  });
});
