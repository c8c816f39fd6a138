import type { Molecule } from '../chem/molecule.js';
import { type ContainerKind, packContainer, unpackContainer } from '../io/binaryContainer.js';
import type { AtomEncoding } from './atomEncoding.js';
import { MoleculePacker, type PackedMolecules } from './moleculePacker.js';

const DATASET_CONTAINER: ContainerKind = { magic: 'EQMD', format: 'equimol-dataset', version: 1, what: 'dataset' };

/** The JSON header of a packed dataset (see `MoleculeDataset.toBytes`). */
interface DatasetHeader {
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
    const packer = new MoleculePacker(propertyNames, encoding.elements);
    for (const mol of molecules) packer.add(mol, `molecule ${packer.count + 1}${mol.title ? ` (${mol.title})` : ''}`);
    return MoleculeDataset.fromPacked(packer.finish(encoding), encoding, card);
  }

  /** A dataset of arrays packed by a `MoleculePacker`. */
  static fromPacked(packed: PackedMolecules, encoding: AtomEncoding, card: DatasetCard): MoleculeDataset {
    return new MoleculeDataset(encoding, packed.atomOffsets, packed.elementIndices, packed.positions, packed.properties, card);
  }

  /** Serialises to bytes (an "EQMD" container, see `io/binaryContainer.ts`). */
  toBytes(): Uint8Array {
    const propertyNames = Object.keys(this.properties);
    const header = { encoding: this.encoding, card: this.card, count: this.count, atoms: this.elementIndices.length, properties: propertyNames };
    return packContainer(DATASET_CONTAINER, header, [this.atomOffsets, this.positions, ...propertyNames.map((p) => this.properties[p]!), this.elementIndices]);
  }

  /** Reads bytes written by `toBytes`. */
  static fromBytes(bytes: Uint8Array, source = 'dataset'): MoleculeDataset {
    const { header, next } = unpackContainer<DatasetHeader>(bytes, DATASET_CONTAINER, source);
    const atomOffsets = next(Uint32Array, header.count + 1);
    const positions = next(Float32Array, 3 * header.atoms);
    const properties: Record<string, Float32Array> = {};
    for (const p of header.properties) properties[p] = next(Float32Array, header.count);
    const elementIndices = next(Uint8Array, header.atoms);
    return new MoleculeDataset(header.encoding, atomOffsets, elementIndices, positions, properties, header.card);
  }
}
