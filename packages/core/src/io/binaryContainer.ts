import { FileFormatError, parseJsonText } from './errors.js';

// equimol's binary files (packed datasets, trainer checkpoints) share one layout: a 4-byte magic,
// the JSON header's byte length (uint32), the JSON header, then raw typed arrays, each padded to
// 4 bytes so that the next one can be viewed in place. Little-endian throughout (every platform
// tfjs runs on). The header says what the arrays are; this module only packs and unpacks them.

/** Typed arrays a container can hold. */
export type ContainerArray = Float32Array | Uint32Array | Uint8Array | Int8Array;

type ArrayConstructor<T extends ContainerArray> = {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Describes one container format, for packing and for error messages. */
export interface ContainerKind {
  /** Four ASCII characters at the start of the file, e.g. "EQMD". */
  magic: string;
  /** The JSON header's `format` field, e.g. "equimol-dataset". */
  format: string;
  version: number;
  /** Older versions a reader also accepts (the header's `version` says which it got). */
  alsoReads?: number[];
  /** What a reader calls the file in messages, e.g. "dataset". */
  what: string;
}

/** An unpacked container: its JSON header and a cursor over its arrays, in the order they were packed. */
export interface ContainerReader<H> {
  header: H;
  /** The next array, viewed in a private copy of the bytes; throws a `FileFormatError` if the file ends early. */
  next<T extends ContainerArray>(ctor: ArrayConstructor<T>, length: number, name?: string): T;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Packs a header (with `format` and `version` added) and arrays into one container. */
export function packContainer(kind: ContainerKind, header: Record<string, unknown>, arrays: readonly ContainerArray[]): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify({ format: kind.format, version: kind.version, ...header }));
  let size = 8 + pad4(headerBytes.length);
  for (const a of arrays) size += pad4(a.byteLength);
  const out = new Uint8Array(size);
  for (let i = 0; i < 4; i++) out[i] = kind.magic.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let offset = 8 + pad4(headerBytes.length);
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += pad4(a.byteLength);
  }
  return out;
}

/**
 * Unpacks a container of the given kind. Wrong magic, another format or version, a header that is
 * not JSON and a file that ends early are `FileFormatError`s naming `source`.
 */
export function unpackContainer<H>(bytes: Uint8Array, kind: ContainerKind, source: string): ContainerReader<H> {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 8 || magic !== kind.magic) throw new FileFormatError(source, `not an equimol ${kind.what} (bad magic bytes)`);
  // A fresh copy, so typed-array views are aligned whatever the input's offset (not .slice(): on a
  // Node Buffer that is a view into a shared pool).
  const aligned = new Uint8Array(bytes);
  const headerLength = new DataView(aligned.buffer).getUint32(4, true);
  if (8 + headerLength > aligned.length) throw new FileFormatError(source, `truncated ${kind.what} (header)`);
  const header = parseJsonText<H & { format?: unknown; version?: unknown }>(
    new TextDecoder().decode(aligned.subarray(8, 8 + headerLength)),
    source,
    `the ${kind.what} header`,
  );
  const versions = [...(kind.alsoReads ?? []), kind.version];
  if (header.format !== kind.format || !versions.includes(header.version as number)) {
    throw new FileFormatError(source, `unsupported ${kind.what} format ${String(header.format)} v${String(header.version)} (this equimol reads ${kind.format} v${versions.join(', v')})`);
  }
  let offset = 8 + pad4(headerLength);
  return {
    header,
    next<T extends ContainerArray>(ctor: ArrayConstructor<T>, length: number, name?: string): T {
      const bytesNeeded = length * ctor.BYTES_PER_ELEMENT;
      if (offset + bytesNeeded > aligned.length) throw new FileFormatError(source, `truncated ${kind.what}${name ? ` (array ${name})` : ''}`);
      const array = new ctor(aligned.buffer, offset, length);
      offset += pad4(bytesNeeded);
      return array;
    },
  };
}
