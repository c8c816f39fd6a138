import type { Molecule } from '../chem/molecule.js';
import { type ContainerKind, packContainer, unpackContainer } from '../io/binaryContainer.js';
import type { Bond } from '../chem/molecule.js';
import type { AtomEncoding } from './atomEncoding.js';
import { MoleculePacker, type PackedGraph, type PackedMolecules } from './moleculePacker.js';

// Version 1 holds atoms only. Version 2 adds each molecule's bonds and formal charges as read from
// its file (`data build --bonds`); datasets without them are still written as version 1, byte for
// byte as before, and both versions load.
const DATASET_CONTAINER_V1: ContainerKind = { magic: 'EQMD', format: 'equimol-dataset', version: 1, what: 'dataset' };
const DATASET_CONTAINER: ContainerKind = { ...DATASET_CONTAINER_V1, version: 2, alsoReads: [1] };

/** The JSON header of a packed dataset (see `MoleculeDataset.toBytes`). */
interface DatasetHeader {
  count: number;
  atoms: number;
  properties: string[];
  encoding: AtomEncoding;
  card: DatasetCard;
  /** Version 2: bonds in the file, how many. */
  bonds?: number;
}

/** Provenance and filters of a dataset, stored with it and copied into model cards. */
export interface DatasetCard {
  name: string;
  source: string;
  description?: string;
  filters: string[];
  /** Only in datasets built before builds became deterministic. */
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
    /** Bonds and formal charges as given in the source files (datasets built with bonds). */
    readonly graph?: PackedGraph,
  ) {}

  /** Whether the dataset carries its molecules' bonds and formal charges. */
  get hasBonds(): boolean {
    return this.graph !== undefined;
  }

  /** Bonds of molecule i (0-based atoms within it); empty when the dataset has none. */
  bonds(i: number): Bond[] {
    const g = this.graph;
    if (!g) return [];
    const out: Bond[] = [];
    for (let k = g.bondOffsets[i]!; k < g.bondOffsets[i + 1]!; k++) {
      out.push({ a: g.bondAtoms[2 * k]!, b: g.bondAtoms[2 * k + 1]!, order: g.bondOrders[k]! as Bond['order'] });
    }
    return out;
  }

  /** Formal charges of molecule i's atoms (zeros when the dataset has none). */
  formalCharges(i: number): number[] {
    const start = this.atomOffsets[i]!;
    const end = this.atomOffsets[i + 1]!;
    return this.graph ? Array.from(this.graph.formalCharges.subarray(start, end)) : new Array<number>(end - start).fill(0);
  }

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
    const mol: Molecule = { elements, positions: Float64Array.from(this.positions.subarray(3 * start, 3 * end)) };
    if (this.graph) {
      mol.bonds = this.bonds(i);
      mol.formalCharges = this.formalCharges(i);
    }
    return mol;
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
    const graph = this.graph ? subsetGraph(this.graph, this.atomOffsets, indices, offsets) : undefined;
    return new MoleculeDataset(this.encoding, offsets, elements, positions, properties, { ...this.card, ...card }, graph);
  }

  /** Packs molecules; an element outside the vocabulary is an error naming the molecule. */
  static fromMolecules(
    molecules: Iterable<Molecule>,
    encoding: AtomEncoding,
    card: DatasetCard,
    propertyNames: string[] = [],
  ): MoleculeDataset {
    const packer = new MoleculePacker(propertyNames, encoding.elements, encoding.bonds);
    for (const mol of molecules) packer.add(mol, `molecule ${packer.count + 1}${mol.title ? ` (${mol.title})` : ''}`);
    return MoleculeDataset.fromPacked(packer.finish(encoding), encoding, card);
  }

  /** A dataset of arrays packed by a `MoleculePacker`. */
  static fromPacked(packed: PackedMolecules, encoding: AtomEncoding, card: DatasetCard): MoleculeDataset {
    if (encoding.bonds && !packed.graph) throw new Error('an encoding with bonds needs molecules packed with their bonds');
    return new MoleculeDataset(encoding, packed.atomOffsets, packed.elementIndices, packed.positions, packed.properties, card, packed.graph);
  }

  /** Serialises to bytes (an "EQMD" container, see `io/binaryContainer.ts`). */
  toBytes(): Uint8Array {
    const propertyNames = Object.keys(this.properties);
    const header = { encoding: this.encoding, card: this.card, count: this.count, atoms: this.elementIndices.length, properties: propertyNames };
    const arrays = [this.atomOffsets, this.positions, ...propertyNames.map((p) => this.properties[p]!), this.elementIndices];
    const g = this.graph;
    if (!g) return packContainer(DATASET_CONTAINER_V1, header, arrays);
    return packContainer(DATASET_CONTAINER, { ...header, bonds: g.bondOrders.length }, [...arrays, g.bondOffsets, g.bondAtoms, g.bondOrders, g.formalCharges]);
  }

  /** Reads bytes written by `toBytes`. */
  static fromBytes(bytes: Uint8Array, source = 'dataset'): MoleculeDataset {
    const { header, next } = unpackContainer<DatasetHeader>(bytes, DATASET_CONTAINER, source);
    const atomOffsets = next(Uint32Array, header.count + 1);
    const positions = next(Float32Array, 3 * header.atoms);
    const properties: Record<string, Float32Array> = {};
    for (const p of header.properties) properties[p] = next(Float32Array, header.count);
    const elementIndices = next(Uint8Array, header.atoms);
    let graph: PackedGraph | undefined;
    if ((header as { version?: number }).version === 2) {
      const bonds = header.bonds ?? 0;
      graph = {
        bondOffsets: next(Uint32Array, header.count + 1, 'bond offsets'),
        bondAtoms: next(Uint32Array, 2 * bonds, 'bond atoms'),
        bondOrders: next(Uint8Array, bonds, 'bond orders'),
        formalCharges: next(Int8Array, header.atoms, 'formal charges'),
      };
    }
    return new MoleculeDataset(header.encoding, atomOffsets, elementIndices, positions, properties, header.card, graph);
  }
}

/** The bonds and charges of the molecules `indices`, renumbered as a subset's (atom offsets `offsets`). */
function subsetGraph(g: PackedGraph, atomOffsets: Uint32Array, indices: number[], offsets: Uint32Array): PackedGraph {
  const bondOffsets = new Uint32Array(indices.length + 1);
  indices.forEach((idx, k) => (bondOffsets[k + 1] = bondOffsets[k]! + g.bondOffsets[idx + 1]! - g.bondOffsets[idx]!));
  const total = bondOffsets[indices.length]!;
  const bondAtoms = new Uint32Array(2 * total);
  const bondOrders = new Uint8Array(total);
  const formalCharges = new Int8Array(offsets[indices.length]!);
  indices.forEach((idx, k) => {
    const s = g.bondOffsets[idx]!;
    const e = g.bondOffsets[idx + 1]!;
    bondAtoms.set(g.bondAtoms.subarray(2 * s, 2 * e), 2 * bondOffsets[k]!);
    bondOrders.set(g.bondOrders.subarray(s, e), bondOffsets[k]!);
    formalCharges.set(g.formalCharges.subarray(atomOffsets[idx]!, atomOffsets[idx + 1]!), offsets[k]!);
  });
  return { bondOffsets, bondAtoms, bondOrders, formalCharges };
}
