import type { Molecule } from '../chem/molecule.js';
import { FileFormatError, parseJsonText } from '../io/errors.js';
import { type AtomEncoding, elementIndex } from './atomEncoding.js';

/** The JSON header of a packed dataset (see `MoleculeDataset.toBytes`). */
interface DatasetHeader {
  format?: string;
  version?: number;
  count: number;
  atoms: number;
  properties: string[];
  encoding: AtomEncoding;
  card: DatasetCard;
}

/** Provenance and filters of a dataset, stored with it and copied into model cards. */
export interface DatasetCard {
  name: string;
  source: string;
  description?: string;
  filters: string[];
  createdAt?: string;
}

/**
 * Molecules packed for training: element indices and float32 coordinates in flat arrays, so 100k
 * molecules load in milliseconds instead of re-parsing SDF text at every start.
 */
export class MoleculeDataset {
  private constructor(
    readonly encoding: AtomEncoding,
    /** Start of molecule i in the atom arrays; length count + 1. */
    readonly atomOffsets: Uint32Array,
    /** Element index of every atom. */
    readonly elementIndices: Uint8Array,
    /** x, y, z of every atom (Å). */
    readonly positions: Float32Array,
    /** Named per-molecule properties (for conditioning). */
    readonly properties: Record<string, Float32Array>,
    readonly card: DatasetCard,
  ) {}

  /** Number of molecules. */
  get count(): number {
    return this.atomOffsets.length - 1;
  }

  /** Atom count of molecule i. */
  atomCount(i: number): number {
    return this.atomOffsets[i + 1]! - this.atomOffsets[i]!;
  }

  /** Largest atom count. */
  get maxAtoms(): number {
    let m = 0;
    for (let i = 0; i < this.count; i++) m = Math.max(m, this.atomCount(i));
    return m;
  }

  /** Histogram of atom counts: index n holds the number of molecules with n atoms. */
  atomCountHistogram(): number[] {
    const hist = new Array<number>(this.maxAtoms + 1).fill(0);
    for (let i = 0; i < this.count; i++) hist[this.atomCount(i)]!++;
    return hist;
  }

  /** Molecule i back as a `Molecule`. */
  molecule(i: number): Molecule {
    const start = this.atomOffsets[i]!;
    const end = this.atomOffsets[i + 1]!;
    const elements: string[] = [];
    for (let a = start; a < end; a++) elements.push(this.encoding.elements[this.elementIndices[a]!]!);
    return { elements, positions: Float64Array.from(this.positions.subarray(3 * start, 3 * end)) };
  }

  /** A dataset of the given molecules (in order). */
  subset(indices: number[], card?: Partial<DatasetCard>): MoleculeDataset {
    const offsets = new Uint32Array(indices.length + 1);
    let atoms = 0;
    indices.forEach((idx, k) => {
      atoms += this.atomCount(idx);
      offsets[k + 1] = atoms;
    });
    const elements = new Uint8Array(atoms);
    const positions = new Float32Array(3 * atoms);
    const properties: Record<string, Float32Array> = {};
    for (const key of Object.keys(this.properties)) properties[key] = new Float32Array(indices.length);
    indices.forEach((idx, k) => {
      const s = this.atomOffsets[idx]!;
      const e = this.atomOffsets[idx + 1]!;
      elements.set(this.elementIndices.subarray(s, e), offsets[k]!);
      positions.set(this.positions.subarray(3 * s, 3 * e), 3 * offsets[k]!);
      for (const key of Object.keys(this.properties)) properties[key]![k] = this.properties[key]![idx]!;
    });
    return new MoleculeDataset(this.encoding, offsets, elements, positions, properties, { ...this.card, ...card });
  }

  /** Packs molecules; an element outside the vocabulary is an error naming the molecule. */
  static fromMolecules(
    molecules: Iterable<Molecule>,
    encoding: AtomEncoding,
    card: DatasetCard,
    propertyNames: string[] = [],
  ): MoleculeDataset {
    const offsets: number[] = [0];
    const elements: number[] = [];
    const positions: number[] = [];
    const properties: Record<string, number[]> = Object.fromEntries(propertyNames.map((p) => [p, []]));
    let k = 0;
    for (const mol of molecules) {
      const where = `molecule ${k + 1}${mol.title ? ` (${mol.title})` : ''}`;
      mol.elements.forEach((el) => elements.push(elementIndex(encoding, el, where)));
      for (let i = 0; i < mol.positions.length; i++) positions.push(mol.positions[i]!);
      offsets.push(elements.length);
      for (const p of propertyNames) {
        const v = Number(mol.properties?.[p]);
        if (!Number.isFinite(v)) throw new Error(`${where}: property ${p} missing or not a number`);
        properties[p]!.push(v);
      }
      k++;
    }
    return new MoleculeDataset(
      encoding,
      Uint32Array.from(offsets),
      Uint8Array.from(elements),
      Float32Array.from(positions),
      Object.fromEntries(Object.entries(properties).map(([p, v]) => [p, Float32Array.from(v)])),
      card,
    );
  }

  /**
   * Serialises to bytes: "EQMD" magic, a JSON header, then the arrays, each 4-byte aligned.
   * Little-endian throughout (every platform tfjs runs on).
   */
  toBytes(): Uint8Array {
    const propertyNames = Object.keys(this.properties);
    const header = JSON.stringify({
      format: 'equimol-dataset',
      version: 1,
      encoding: this.encoding,
      card: this.card,
      count: this.count,
      atoms: this.elementIndices.length,
      properties: propertyNames,
    });
    const headerBytes = new TextEncoder().encode(header);
    const pad = (n: number): number => (n + 3) & ~3;
    const parts: Uint8Array[] = [
      new Uint8Array(this.atomOffsets.buffer, this.atomOffsets.byteOffset, this.atomOffsets.byteLength),
      new Uint8Array(this.positions.buffer, this.positions.byteOffset, this.positions.byteLength),
      ...propertyNames.map((p) => new Uint8Array(this.properties[p]!.buffer, this.properties[p]!.byteOffset, this.properties[p]!.byteLength)),
      this.elementIndices,
    ];
    let size = 8 + pad(headerBytes.length);
    for (const p of parts) size += pad(p.byteLength);
    const out = new Uint8Array(size);
    out.set([0x45, 0x51, 0x4d, 0x44]); // "EQMD"
    new DataView(out.buffer).setUint32(4, headerBytes.length, true);
    out.set(headerBytes, 8);
    let offset = 8 + pad(headerBytes.length);
    for (const p of parts) {
      out.set(p, offset);
      offset += pad(p.byteLength);
    }
    return out;
  }

  /** Reads bytes written by `toBytes`. */
  static fromBytes(bytes: Uint8Array, source = 'dataset'): MoleculeDataset {
    const magic = String.fromCharCode(...bytes.subarray(0, 4));
    if (magic !== 'EQMD') throw new Error(`${source}: not an equimol dataset (bad magic bytes)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(4, true);
    const header = parseJsonText<DatasetHeader>(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)), source, 'the dataset header');
    if (header.format !== 'equimol-dataset' || header.version !== 1) {
      throw new Error(`${source}: unsupported dataset format ${header.format} v${header.version}`);
    }
    const pad = (n: number): number => (n + 3) & ~3;
    // Copy into a fresh aligned buffer so typed-array views are valid whatever the input offset
    // (not .slice(): on a Node Buffer that is a view into a shared pool).
    const aligned = new Uint8Array(bytes);
    let offset = 8 + pad(headerLength);
    const take = <T>(ctor: new (b: ArrayBuffer, o: number, n: number) => T, n: number, width: number): T => {
      if (offset + n * width > aligned.length) throw new FileFormatError(source, 'truncated dataset');
      const arr = new ctor(aligned.buffer, offset, n);
      offset += pad(n * width);
      return arr;
    };
    const atomOffsets = take(Uint32Array, header.count + 1, 4);
    const positions = take(Float32Array, 3 * header.atoms, 4);
    const properties: Record<string, Float32Array> = {};
    for (const p of header.properties) properties[p] = take(Float32Array, header.count, 4);
    const elementIndices = take(Uint8Array, header.atoms, 1);
    return new MoleculeDataset(header.encoding, atomOffsets, elementIndices, positions, properties, header.card);
  }
}
