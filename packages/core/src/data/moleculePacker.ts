import { atomicNumber, elementSymbol } from '../chem/elements.js';
import type { Molecule } from '../chem/molecule.js';
import { EquimolError } from '../errors.js';
import { type AtomEncoding, ElementNotInVocabularyError } from './atomEncoding.js';
import { type BondEncoding, checkBondsEncodable } from './bondEncoding.js';

/** A typed array that doubles its capacity as values are appended. */
class GrowingArray<T extends Uint8Array | Uint32Array | Float32Array | Int8Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  private reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = this.make(capacity);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  push(value: number): void {
    this.reserve(1);
    this.data[this.length++] = value;
  }
  pushAll(values: ArrayLike<number>): void {
    this.reserve(values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }
  /** The values, trimmed to length (a copy, so that the spare capacity is freed). */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/** Flat arrays of packed molecules, the parts of a `MoleculeDataset`. */
export interface PackedMolecules {
  atomOffsets: Uint32Array;
  elementIndices: Uint8Array;
  positions: Float32Array;
  properties: Record<string, Float32Array>;
  /** The molecules' bonds and formal charges as given (datasets built with bonds only). */
  graph?: PackedGraph;
}

/** Bonds and formal charges of packed molecules, as read from their files (never perceived). */
export interface PackedGraph {
  /** Start of molecule i's bonds in `bondAtoms`/`bondOrders`; length count + 1. */
  bondOffsets: Uint32Array;
  /** The two atoms of every bond, 0-based within its molecule: [a0, b0, a1, b1, …]. */
  bondAtoms: Uint32Array;
  /** Kekulé order (1–3) of every bond. */
  bondOrders: Uint8Array;
  /** Formal charge of every atom. */
  formalCharges: Int8Array;
}

/**
 * Packs molecules one at a time into typed arrays, so that building a dataset holds a few bytes per
 * atom instead of every parsed `Molecule` (a 95k-molecule drug set took ~1 GB as objects). Atomic
 * numbers are stored until `finish`, because the vocabulary may only be known once all are seen.
 */
export class MoleculePacker {
  private readonly offsets = new GrowingArray((n) => new Uint32Array(n));
  private readonly atomicNumbers = new GrowingArray((n) => new Uint8Array(n));
  private readonly positions = new GrowingArray((n) => new Float32Array(n));
  private readonly properties: Map<string, GrowingArray<Float32Array>>;
  private readonly seen = new Set<number>();
  private readonly graph?: { offsets: GrowingArray<Uint32Array>; atoms: GrowingArray<Uint32Array>; orders: GrowingArray<Uint8Array>; charges: GrowingArray<Int8Array> };

  /**
   * `vocabulary`: when given, an atom outside it is an `ElementNotInVocabularyError` at `add`.
   * `bonds`: keep every molecule's bonds and formal charges as given, checked against that encoding
   * (a molecule without a bond block is an error: bonds are never perceived here).
   */
  constructor(
    private readonly propertyNames: string[] = [],
    private readonly vocabulary?: string[],
    private readonly bonds?: BondEncoding,
  ) {
    this.offsets.push(0);
    if (bonds) {
      this.graph = {
        offsets: new GrowingArray((n) => new Uint32Array(n)),
        atoms: new GrowingArray((n) => new Uint32Array(n)),
        orders: new GrowingArray((n) => new Uint8Array(n)),
        charges: new GrowingArray((n) => new Int8Array(n)),
      };
      this.graph.offsets.push(0);
    }
    this.properties = new Map(propertyNames.map((p) => [p, new GrowingArray((n) => new Float32Array(n))]));
  }

  /** Molecules packed so far. */
  get count(): number {
    return this.offsets.length - 1;
  }

  /** Appends a molecule; `where` names it in errors (e.g. "molecule 12 (ZINC0001)"). */
  add(mol: Molecule, where: string): void {
    for (const el of mol.elements) {
      if (this.vocabulary && !this.vocabulary.includes(el)) throw new ElementNotInVocabularyError(el, this.vocabulary, where);
    }
    const values = this.propertyNames.map((p) => Number(mol.properties?.[p]));
    const missing = this.propertyNames.find((_, k) => !Number.isFinite(values[k]));
    if (missing !== undefined) throw new Error(`${where}: property ${missing} missing or not a number`);
    if (this.graph) {
      if (!mol.bonds) throw new BondsMissingError(where);
      checkBondsEncodable(this.bonds!, mol.elements.length, mol.bonds, mol.formalCharges, where);
    }
    for (const el of mol.elements) {
      const z = atomicNumber(el);
      this.seen.add(z);
      this.atomicNumbers.push(z);
    }
    this.positions.pushAll(mol.positions);
    this.offsets.push(this.atomicNumbers.length);
    this.propertyNames.forEach((p, k) => this.properties.get(p)!.push(values[k]!));
    if (this.graph) {
      for (const { a, b, order } of mol.bonds!) {
        this.graph.atoms.push(a);
        this.graph.atoms.push(b);
        this.graph.orders.push(order);
      }
      this.graph.offsets.push(this.graph.orders.length);
      for (let i = 0; i < mol.elements.length; i++) this.graph.charges.push(mol.formalCharges?.[i] ?? 0);
    }
  }

  /** Elements seen so far, ordered by atomic number. */
  elementsSeen(): string[] {
    return [...this.seen].sort((a, b) => a - b).map(elementSymbol);
  }

  /** The packed arrays, with element indices in `encoding`'s vocabulary. */
  finish(encoding: AtomEncoding): PackedMolecules {
    const indexOf = new Map(encoding.elements.map((e, i) => [atomicNumber(e), i]));
    const numbers = this.atomicNumbers.toArray();
    const elementIndices = new Uint8Array(numbers.length);
    for (let a = 0; a < numbers.length; a++) {
      const i = indexOf.get(numbers[a]!);
      if (i === undefined) throw new ElementNotInVocabularyError(elementSymbol(numbers[a]!), encoding.elements);
      elementIndices[a] = i;
    }
    return {
      atomOffsets: this.offsets.toArray(),
      elementIndices,
      positions: this.positions.toArray(),
      properties: Object.fromEntries([...this.properties].map(([p, v]) => [p, v.toArray()])),
      ...(this.graph
        ? { graph: { bondOffsets: this.graph.offsets.toArray(), bondAtoms: this.graph.atoms.toArray(), bondOrders: this.graph.orders.toArray(), formalCharges: this.graph.charges.toArray() } }
        : {}),
    };
  }
}

/** Thrown when a dataset with bonds is built from a molecule that has none (e.g. an XYZ file). */
export class BondsMissingError extends EquimolError {
  constructor(where: string) {
    super(`${where}: has no bond block; a dataset with bonds takes them from the file, never from coordinates`);
    this.name = 'BondsMissingError';
  }
}
