import type { Bond, Molecule } from './molecule.js';
import { edmBondOrder, EDM_ALLOWED_VALENCES, maxBondDistance } from './bondLengths.js';

/**
 * Bonds from 3D coordinates exactly as EDM's QM9 analysis finds them: every atom pair closer than
 * its typical single-bond length + 10 pm is bonded, with order 2 or 3 when also closer than the
 * double + 5 pm or triple + 3 pm length (see `edmBondOrder`). Existing `mol.bonds` are ignored.
 * For heavy-atom-only molecules the same rule applies; their missing hydrogens are left implicit
 * (see `atomValenceState` with `implicitHydrogens`).
 */
export function perceiveBonds(mol: Pick<Molecule, 'elements' | 'positions'>): Bond[] {
  const { elements, positions: p } = mol;
  const n = elements.length;
  const bonds: Bond[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const reach = maxBondDistance(elements[i]!, elements[j]!);
      if (reach === 0) continue;
      const dx = p[3 * i]! - p[3 * j]!;
      const dy = p[3 * i + 1]! - p[3 * j + 1]!;
      const dz = p[3 * i + 2]! - p[3 * j + 2]!;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 >= reach * reach) continue;
      const order = edmBondOrder(elements[i]!, elements[j]!, Math.sqrt(d2));
      if (order > 0) bonds.push({ a: i, b: j, order: order as Bond['order'] });
    }
  }
  return bonds;
}

/** Sum of bond orders per atom (aromatic bonds, order 4, count 1.5). */
export function bondOrderSums(atomCount: number, bonds: readonly Bond[]): number[] {
  const sums = new Array<number>(atomCount).fill(0);
  for (const { a, b, order } of bonds) {
    const v = order === 4 ? 1.5 : order;
    sums[a]! += v;
    sums[b]! += v;
  }
  return sums;
}

/**
 * Whether an atom with the given sum of bond orders is stable in EDM's sense: the sum is one of the
 * element's allowed valences (`EDM_ALLOWED_VALENCES`). With `implicitHydrogens` (heavy-atom-only
 * molecules) a sum below the largest allowed valence is also stable, the rest being hydrogens.
 * Elements EDM has no valence for are never stable.
 */
export function isStableValence(element: string, valence: number, implicitHydrogens = false): boolean {
  const allowed = EDM_ALLOWED_VALENCES[element];
  if (!allowed) return false;
  if (implicitHydrogens) return valence <= Math.max(...allowed);
  return allowed.includes(valence);
}

/** The heavy-atom part of a molecule (hydrogens and their bonds removed), as EDM's QM9 without H. */
export function heavyAtomsOnly(mol: Molecule): Molecule {
  const keep: number[] = [];
  const newIndex = mol.elements.map((e, i) => (e === 'H' ? -1 : keep.push(i) - 1));
  const out: Molecule = {
    elements: keep.map((i) => mol.elements[i]!),
    positions: Float64Array.from(keep.flatMap((i) => [mol.positions[3 * i]!, mol.positions[3 * i + 1]!, mol.positions[3 * i + 2]!])),
  };
  if (mol.title !== undefined) out.title = mol.title;
  if (mol.bonds) out.bonds = mol.bonds.filter((b) => newIndex[b.a]! >= 0 && newIndex[b.b]! >= 0).map((b) => ({ a: newIndex[b.a]!, b: newIndex[b.b]!, order: b.order }));
  if (mol.formalCharges) out.formalCharges = keep.map((i) => mol.formalCharges![i]!);
  if (mol.properties) out.properties = { ...mol.properties };
  return out;
}
