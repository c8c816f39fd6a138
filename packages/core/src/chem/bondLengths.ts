// Typical bond lengths and allowed valences that EDM (Hoogeboom et al. 2022) uses to turn QM9
// coordinates into bonds, so that equimol's stability numbers are comparable with the paper's.
// EDM took the lengths from wiredchemist.com's and chemistry-reference.com's bond-length tables and
// tuned the margins to maximise the stability of true QM9 samples. Values are in picometres.

/** Bond orders EDM distinguishes from distances alone. */
export type PerceivedBondOrder = 1 | 2 | 3;

/** Typical single-bond lengths (pm), each unordered element pair once. */
const SINGLE: ReadonlyArray<readonly [string, string, number]> = [
  ['H', 'H', 74], ['H', 'C', 109], ['H', 'N', 101], ['H', 'O', 96], ['H', 'F', 92], ['H', 'B', 119],
  ['H', 'Si', 148], ['H', 'P', 144], ['H', 'As', 152], ['H', 'S', 134], ['H', 'Cl', 127], ['H', 'Br', 141],
  ['H', 'I', 161],
  ['C', 'C', 154], ['C', 'N', 147], ['C', 'O', 143], ['C', 'F', 135], ['C', 'Si', 185], ['C', 'P', 184],
  ['C', 'S', 182], ['C', 'Cl', 177], ['C', 'Br', 194], ['C', 'I', 214],
  ['N', 'N', 145], ['N', 'O', 140], ['N', 'F', 136], ['N', 'Cl', 175], ['N', 'Br', 214], ['N', 'S', 168],
  ['N', 'I', 222], ['N', 'P', 177],
  ['O', 'O', 148], ['O', 'F', 142], ['O', 'Br', 172], ['O', 'S', 151], ['O', 'P', 163], ['O', 'Si', 163],
  ['O', 'Cl', 164], ['O', 'I', 194],
  ['F', 'F', 142], ['F', 'S', 158], ['F', 'Si', 160], ['F', 'Cl', 166], ['F', 'Br', 178], ['F', 'P', 156],
  ['F', 'I', 187],
  ['B', 'Cl', 175],
  ['Si', 'Si', 233], ['Si', 'S', 200], ['Si', 'Cl', 202], ['Si', 'Br', 215], ['Si', 'I', 243],
  ['Cl', 'Cl', 199], ['Cl', 'P', 203], ['Cl', 'S', 207], ['Cl', 'Br', 214],
  ['S', 'S', 204], ['S', 'Br', 225], ['S', 'P', 210], ['S', 'I', 234],
  ['Br', 'Br', 228], ['Br', 'P', 222],
  ['P', 'P', 221],
  ['I', 'I', 266],
];

/**
 * Typical double-bond lengths (pm). EDM's table lists C=S only under carbon, so its lookup finds it
 * for (C, S) but not (S, C); here every pair is symmetric. QM9 has no sulfur, so QM9 numbers agree.
 */
const DOUBLE: ReadonlyArray<readonly [string, string, number]> = [
  ['C', 'C', 134], ['C', 'N', 129], ['C', 'O', 120], ['C', 'S', 160],
  ['N', 'N', 125], ['N', 'O', 121],
  ['O', 'O', 121], ['O', 'P', 150],
  ['P', 'S', 186],
];

/** Typical triple-bond lengths (pm). */
const TRIPLE: ReadonlyArray<readonly [string, string, number]> = [
  ['C', 'C', 120], ['C', 'N', 116], ['C', 'O', 113],
  ['N', 'N', 110],
];

/**
 * Tolerances (pm) added to the typical lengths: a pair closer than `single + 10` is bonded, closer
 * than `double + 5` doubly, closer than `triple + 3` triply (EDM's margin1..3).
 */
export const EDM_BOND_MARGINS = { single: 10, double: 5, triple: 3 } as const;

/**
 * Valences an atom must have to count as stable in EDM's metric; several for P (3, 5) and Hg, Bi.
 * Formal charges are not considered, as in EDM.
 */
export const EDM_ALLOWED_VALENCES: Readonly<Record<string, readonly number[]>> = {
  H: [1], C: [4], N: [3], O: [2], F: [1], B: [3], Al: [3], Si: [4], P: [3, 5], S: [4], Cl: [1], As: [3],
  Br: [1], I: [1], Hg: [1, 2], Bi: [3, 5],
};

function table(entries: ReadonlyArray<readonly [string, string, number]>): Map<string, number> {
  const map = new Map<string, number>();
  for (const [a, b, pm] of entries) {
    map.set(`${a}-${b}`, pm);
    map.set(`${b}-${a}`, pm);
  }
  return map;
}

const SINGLE_PM = table(SINGLE);
const DOUBLE_PM = table(DOUBLE);
const TRIPLE_PM = table(TRIPLE);

/** Typical length in pm of a bond of the given order between two elements, if EDM's tables have one. */
export function typicalBondLength(a: string, b: string, order: PerceivedBondOrder): number | undefined {
  const map = order === 1 ? SINGLE_PM : order === 2 ? DOUBLE_PM : TRIPLE_PM;
  return map.get(`${a}-${b}`);
}

/**
 * Longest distance (Å) at which two elements can be bonded under EDM's rule, or 0 if they never are
 * (no typical single-bond length). Used to prune pair searches.
 */
export function maxBondDistance(a: string, b: string): number {
  const single = SINGLE_PM.get(`${a}-${b}`);
  return single === undefined ? 0 : (single + EDM_BOND_MARGINS.single) / 100;
}

/**
 * EDM's bond order for two atoms at `distance` Å (its `get_bond_order`): 0 (no bond), 1, 2 or 3.
 * Element pairs missing from the tables are never bonded.
 */
export function edmBondOrder(a: string, b: string, distance: number): 0 | PerceivedBondOrder {
  const pm = 100 * distance;
  const single = SINGLE_PM.get(`${a}-${b}`);
  if (single === undefined || !(pm < single + EDM_BOND_MARGINS.single)) return 0;
  const double = DOUBLE_PM.get(`${a}-${b}`);
  if (double === undefined || !(pm < double + EDM_BOND_MARGINS.double)) return 1;
  const triple = TRIPLE_PM.get(`${a}-${b}`);
  if (triple === undefined || !(pm < triple + EDM_BOND_MARGINS.triple)) return 2;
  return 3;
}
