import type { Bond, Molecule } from '../chem/molecule.js';
import { perceiveBonds } from '../chem/perceiveBonds.js';
import { toOcl } from '../chem/openchemlib.js';
import { bondAngle } from '../geometry/internalCoordinates.js';

// Distances between the geometry/composition statistics of generated and reference molecules, a
// finer check than EDM's stability: do bond lengths, bond angles, atom types and ring sizes look
// like the training data? Bonds are perceived with EDM's rule on both sides, so they compare alike.

/** Statistics of a set of molecules, to be compared with `distributionDistances`. */
export interface MoleculeDistributions {
  molecules: number;
  /** Atom count per element. */
  atomTypes: Map<string, number>;
  /** Bond lengths (Å) per bond type, e.g. `C-O 1`, `C-C 2` (elements sorted alphabetically). */
  bondLengths: Map<string, number[]>;
  /** Bond angles (degrees) per angle type `A-Center-B` (outer elements sorted). */
  bondAngles: Map<string, number[]>;
  /** Ring count per ring size (rings of up to 7 atoms, openchemlib's small-ring set). */
  ringSizes: Map<number, number>;
}

const BOND_SYMBOL = ['', '-', '=', '#', ':'] as const;

/** Name of a bond type, e.g. `C=O` (elements sorted alphabetically). */
export function bondTypeName(a: string, b: string, order: Bond['order']): string {
  const [x, y] = a <= b ? [a, b] : [b, a];
  return `${x}${BOND_SYMBOL[order]}${y}`;
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Collects atom-type, bond-length, bond-angle and ring-size statistics (bonds perceived, EDM rule). */
export function collectDistributions(molecules: Iterable<Molecule>): MoleculeDistributions {
  const stats: MoleculeDistributions = { molecules: 0, atomTypes: new Map(), bondLengths: new Map(), bondAngles: new Map(), ringSizes: new Map() };
  for (const mol of molecules) {
    stats.molecules++;
    for (const e of mol.elements) bump(stats.atomTypes, e);
    const bonds = perceiveBonds(mol);
    const p = mol.positions;
    const neighbours: number[][] = mol.elements.map(() => []);
    for (const { a, b, order } of bonds) {
      const d = Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
      push(stats.bondLengths, bondTypeName(mol.elements[a]!, mol.elements[b]!, order), d);
      neighbours[a]!.push(b);
      neighbours[b]!.push(a);
    }
    neighbours.forEach((list, c) => {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          const [x, y] = mol.elements[a]! <= mol.elements[b]! ? [mol.elements[a]!, mol.elements[b]!] : [mol.elements[b]!, mol.elements[a]!];
          push(stats.bondAngles, `${x}-${mol.elements[c]}-${y}`, bondAngle(p, a, c, b));
        }
      }
    });
    if (bonds.length > 0) {
      const rings = toOcl(mol, { bonds, charges: false, coordinates: false }).ocl.getRingSet();
      for (let r = 0; r < rings.getSize(); r++) bump(stats.ringSizes, rings.getRingSize(r));
    }
  }
  return stats;
}

/** Total variation distance ½ Σ |p − q| between two count histograms (normalised here); 0..1. */
export function totalVariation<K>(p: ReadonlyMap<K, number>, q: ReadonlyMap<K, number>): number {
  const sp = [...p.values()].reduce((a, b) => a + b, 0);
  const sq = [...q.values()].reduce((a, b) => a + b, 0);
  if (sp === 0 || sq === 0) return sp === sq ? 0 : 1;
  let sum = 0;
  for (const k of new Set([...p.keys(), ...q.keys()])) sum += Math.abs((p.get(k) ?? 0) / sp - (q.get(k) ?? 0) / sq);
  return sum / 2;
}

/**
 * 1-Wasserstein (earth mover's) distance between two 1-D samples: ∫ |F(x) − G(x)| dx over their
 * empirical distribution functions. Same unit as the samples.
 */
export function wasserstein1(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) return NaN;
  const a = Float64Array.from(x).sort();
  const b = Float64Array.from(y).sort();
  let i = 0;
  let j = 0;
  let prev = Math.min(a[0]!, b[0]!);
  let sum = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    sum += Math.abs(i / a.length - j / b.length) * (next - prev);
    prev = next;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) i++;
    else j++;
  }
  return sum;
}

/** How far generated statistics are from reference ones. */
export interface DistributionDistances {
  /** Total variation between atom-type frequencies (0..1). */
  atomTypesTV: number;
  /** Total variation between bond-type frequencies (0..1). */
  bondTypesTV: number;
  /** Mean W1 of bond lengths (Å) over bond types in both sets, weighted by reference frequency. */
  bondLengthsW1: number;
  /** W1 of bond lengths (Å) per bond type present in both sets. */
  bondLengthsW1ByType: Record<string, number>;
  /** Mean W1 of bond angles (degrees) over angle types in both sets, weighted by reference frequency. */
  bondAnglesW1: number;
  bondAnglesW1ByType: Record<string, number>;
  /** Total variation between ring-size frequencies, per molecule's rings (0..1). */
  ringSizesTV: number;
  /** Bond and angle types of the reference that never occur in the generated set. */
  missingTypes: string[];
}

function weightedW1(gen: Map<string, number[]>, ref: Map<string, number[]>, missing: string[]): { mean: number; byType: Record<string, number> } {
  const byType: Record<string, number> = {};
  let weighted = 0;
  let weight = 0;
  for (const [type, refValues] of [...ref].sort((x, y) => y[1].length - x[1].length)) {
    const genValues = gen.get(type);
    if (!genValues) {
      missing.push(type);
      continue;
    }
    const w = wasserstein1(genValues, refValues);
    byType[type] = w;
    weighted += w * refValues.length;
    weight += refValues.length;
  }
  return { mean: weight === 0 ? NaN : weighted / weight, byType };
}

/** Distances between generated and reference statistics (see `collectDistributions`). */
export function distributionDistances(generated: MoleculeDistributions, reference: MoleculeDistributions): DistributionDistances {
  const missingTypes: string[] = [];
  const counts = (m: Map<string, number[]>) => new Map([...m].map(([k, v]) => [k, v.length]));
  const lengths = weightedW1(generated.bondLengths, reference.bondLengths, missingTypes);
  const angles = weightedW1(generated.bondAngles, reference.bondAngles, missingTypes);
  return {
    atomTypesTV: totalVariation(generated.atomTypes, reference.atomTypes),
    bondTypesTV: totalVariation(counts(generated.bondLengths), counts(reference.bondLengths)),
    bondLengthsW1: lengths.mean,
    bondLengthsW1ByType: lengths.byType,
    bondAnglesW1: angles.mean,
    bondAnglesW1ByType: angles.byType,
    ringSizesTV: totalVariation(generated.ringSizes, reference.ringSizes),
    missingTypes,
  };
}
