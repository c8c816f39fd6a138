import type { Bond, Molecule } from './molecule.js';
import { maxPlaneDeviation } from '../geometry/planarity.js';
import { perceiveBonds } from './perceiveBonds.js';
import { typicalBondLength } from './bondLengths.js';
import { canonicalId, smilesOfCanonicalId, toOcl, valenceViolations } from './openchemlib.js';

// For export a molecule needs one consistent Lewis structure: EDM's distance rule alone gives bond
// orders that often contradict each other in conjugated systems (e.g. three "double" bonds at one
// benzene carbon). Here the connectivity comes from EDM's rule, and the bond orders are re-assigned
// so that every atom reaches a normal valence: a maximum matching of the atoms' free valences over
// the bonds (as in xyz2mol, Kim & Kim 2015), which yields a Kekulé form for aromatic rings.
// Valences that need charges get them (ammonium, oxonium, nitro, carboxylate); what cannot be
// resolved is kept as found and flagged.

/** Normal valences of neutral atoms, lowest first. */
const NEUTRAL_VALENCES: Readonly<Record<string, readonly number[]>> = {
  H: [1], B: [3], C: [4], N: [3], O: [2], F: [1], Si: [4], P: [3, 5], S: [2, 4, 6], Cl: [1], Se: [2, 4, 6], Br: [1], I: [1],
};

/** Options of `assignBondOrders`. */
export interface BondOrderOptions {
  /**
   * `explicit`: all hydrogens are atoms of the molecule, so each heavy atom's number of bonds fixes
   * its unsaturation; `implicit`: heavy atoms only, unsaturation is taken from EDM's bond orders and
   * the rest is implicit hydrogens; `auto` (default): implicit iff the molecule has no hydrogen atom.
   */
  hydrogens?: 'explicit' | 'implicit' | 'auto';
  /** Connectivity to use instead of perceiving it from coordinates (orders are used as hints). */
  bonds?: readonly Bond[];
}

/** Result of `assignBondOrders`. */
export interface BondOrderAssignment {
  /** The molecule with Kekulé bonds (orders 1–3), formal charges and `properties.SMILES` when valid. */
  molecule: Molecule;
  /** Whether the structure is chemically valid (no exceeded valence, no radical in explicit-H mode). */
  valid: boolean;
  /** Why not, for a chemist. */
  issue?: string;
}

interface Edge {
  a: number;
  b: number;
  hint: number;
  /** Distance over typical single-bond length: shorter bonds take multiple orders first. */
  stretch: number;
}

/**
 * Assigns bond orders and formal charges from 3D coordinates (connectivity by EDM's rule), giving a
 * Kekulé structure with charges where valences need them. Unresolvable molecules are returned too,
 * flagged `valid: false` with the issue; `properties.equimol_valid` records the verdict for SDF export.
 */
export function assignBondOrders(mol: Molecule, options: BondOrderOptions = {}): BondOrderAssignment {
  const n = mol.elements.length;
  const mode = options.hydrogens ?? 'auto';
  const implicit = mode === 'implicit' || (mode === 'auto' && !mol.elements.includes('H'));
  const perceived = options.bonds ?? perceiveBonds(mol);
  const hints = implicit && !options.bonds ? withThiocarbonyls(mol, perceived) : perceived;
  const degree = new Array<number>(n).fill(0);
  const hintSum = new Array<number>(n).fill(0);
  const neighbours: number[][] = mol.elements.map(() => []);
  for (const { a, b, order } of hints) {
    degree[a]!++;
    degree[b]!++;
    hintSum[a]! += order === 4 ? 1.5 : order;
    hintSum[b]! += order === 4 ? 1.5 : order;
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const charges = new Array<number>(n).fill(0);
  const free = new Array<number>(n).fill(0);
  const issues: string[] = [];
  mol.elements.forEach((element, i) => {
    const valences = NEUTRAL_VALENCES[element];
    if (!valences) return; // unknown valence model: leave as single bonds
    const d = degree[i]!;
    const terminalOxygens = neighbours[i]!.filter((j) => mol.elements[j] === 'O' && degree[j] === 1).length;
    let target = valences.find((v) => v >= d);
    if (element === 'N' && d === 3 && terminalOxygens >= 2) {
      target = 4; // nitro: R-[N+](=O)[O-]
      charges[i] = 1;
    } else if (target === undefined && element === 'N' && d === 4) {
      target = 4; // ammonium
      charges[i] = 1;
    } else if (target === undefined && element === 'O' && d === 3) {
      target = 3; // oxonium
      charges[i] = 1;
    }
    if (target === undefined) {
      issues.push(`${element}${i + 1} has ${d} bonded neighbours (more than valence ${valences[valences.length - 1]})`);
      return;
    }
    if (implicit && d === 1 && (element === 'O' || element === 'S') && ['S', 'P'].includes(mol.elements[neighbours[i]![0]!]!)) {
      free[i] = 1; // the other end of S=O, P=O, P=S (see below); left over, it is an OH or SH
      return;
    }
    if (implicit && (element === 'S' || element === 'P')) {
      // EDM's tables have no S=O or P=S double bond, so the hints read sulfonyl, sulfoxide and
      // phosphoryl groups as S(O)(O) / P(O): each terminal O or S on S or P is a double bond instead
      // (the hypervalent Kekulé form RDKit and the SDF files use), up to the highest valence.
      const terminalChalcogens = neighbours[i]!.filter((j) => (mol.elements[j] === 'O' || mol.elements[j] === 'S') && degree[j] === 1).length;
      // Phosphorus takes one P=O or P=S (phosphates, phosphonates, [PH](=O)O); sulfur up to two.
      const doubles = element === 'P' ? Math.min(1, terminalChalcogens) : terminalChalcogens;
      const wanted = valences.find((v) => v >= d + doubles) ?? valences[valences.length - 1]!;
      free[i] = Math.max(0, Math.min(wanted - d, Math.max(doubles, Math.round(hintSum[i]!) - d)));
      return;
    }
    free[i] = implicit ? Math.max(0, Math.min(target - d, Math.round(hintSum[i]!) - d + charges[i]!)) : target - d;
  });
  // Atoms that should keep a leftover free valence (an implicit H) when a ring cannot take one more
  // double bond: the pyrrole-type N of five-membered heteroaromatics ([nH] in indole, imidazole,
  // pyrazole), not a ring carbon, which would break the aromatic sextet.
  const pyrroleNitrogens = new Set<number>();
  // Bonds that join two aromatic-looking rings without being in one (biaryls) stay single: a double
  // bond there makes both rings quinoid, which ties with the aromatic form in the matching.
  const biarylBonds = new Set<string>();
  if (implicit) {
    const rings = aromaticLookingRings(mol, hints);
    const ringAtoms = new Set(rings.flatMap((r) => r.atoms));
    const ringBonds = new Set(rings.flatMap((r) => r.atoms.map((i, k) => bondKey(i, r.atoms[(k + 1) % r.size]!))));
    for (const { a, b } of hints) if (ringAtoms.has(a) && ringAtoms.has(b) && !ringBonds.has(bondKey(a, b))) biarylBonds.add(bondKey(a, b));
    // Heavy atoms only: EDM's orders under-count unsaturation in aromatic rings (their bonds sit
    // between single and double lengths), so atoms of flat rings with short bonds get exactly one
    // free valence (no more: two would allow cumulenes such as N=C=N inside the ring).
    for (const { atoms, size } of rings) {
      for (const i of atoms) {
        const valences = NEUTRAL_VALENCES[mol.elements[i]!];
        const target = valences?.find((v) => v >= degree[i]!);
        if (target !== undefined && target - degree[i]! >= 1 && mol.elements[i] !== 'S') free[i] = 1;
        if (size === 5 && mol.elements[i] === 'N' && degree[i] === 2) pyrroleNitrogens.add(i);
      }
    }
  }
  const edges: Edge[] = hints
    .filter(({ a, b }) => free[a]! > 0 && free[b]! > 0 && !biarylBonds.has(bondKey(a, b)))
    .map(({ a, b, order }) => {
      const p = mol.positions;
      const dist = Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
      const single = typicalBondLength(mol.elements[a]!, mol.elements[b]!, 1) ?? 100 * dist;
      return { a, b, hint: order === 4 ? 2 : order, stretch: (100 * dist) / single };
    })
    .sort((x, y) => x.stretch - y.stretch);
  const extra = matchFreeValences(edges, free, pyrroleNitrogens);
  const orderOf = new Map<string, number>();
  edges.forEach((e, k) => orderOf.set(`${e.a}-${e.b}`, 1 + extra[k]!));
  const bonds: Bond[] = hints.map(({ a, b }) => ({ a, b, order: (orderOf.get(`${a}-${b}`) ?? 1) as Bond['order'] }));
  // What the matching left over: terminal O/S and N become anions (carboxylate, nitro O), other
  // leftovers are radicals in explicit-H molecules (implicit hydrogens in heavy-atom ones).
  const used = new Array<number>(n).fill(0);
  edges.forEach((e, k) => {
    used[e.a]! += extra[k]!;
    used[e.b]! += extra[k]!;
  });
  mol.elements.forEach((element, i) => {
    const left = free[i]! - used[i]!;
    if (left <= 0) return;
    if (element === 'O' || element === 'S' || (element === 'N' && charges[i] === 0 && !implicit)) {
      if (!implicit || degree[i] === 1 && neighbours[i]!.some((j) => charges[j] === 1)) charges[i] = charges[i]! - 1;
      if (!implicit && left > 1) issues.push(`${element}${i + 1} has ${left - 1} unpaired electron(s)`);
    } else if (!implicit) {
      issues.push(`${element}${i + 1} has ${left} unpaired electron(s)`);
    }
  });
  const molecule: Molecule = { ...mol, bonds, formalCharges: charges, properties: { ...mol.properties } };
  const { ocl } = toOcl(molecule, { coordinates: false });
  for (const v of valenceViolations(ocl)) issues.push(`${v.element} has valence ${v.occupied} (max ${v.max})`);
  const valid = issues.length === 0;
  molecule.properties!.equimol_valid = String(valid);
  if (valid) molecule.properties!.SMILES = smilesOfCanonicalId(canonicalId(ocl));
  else molecule.properties!.equimol_issue = issues.join('; ');
  return valid ? { molecule, valid } : { molecule, valid, issue: issues.join('; ') };
}

function bondKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

/**
 * Longest C–S distance (Å) of a thiocarbonyl. EDM's C=S length (1.60 Å, + 0.05 margin) is CS2's;
 * thioamides and thioureas have 1.66–1.70 Å, while a C–S single bond is 1.81 Å.
 */
const THIOCARBONYL_MAX = 1.74;

/** EDM's bonds with terminal S on C shorter than `THIOCARBONYL_MAX` read as C=S. */
function withThiocarbonyls(mol: Molecule, bonds: readonly Bond[]): Bond[] {
  const degree = new Array<number>(mol.elements.length).fill(0);
  for (const { a, b } of bonds) {
    degree[a]!++;
    degree[b]!++;
  }
  const p = mol.positions;
  return bonds.map((bond) => {
    const { a, b } = bond;
    const pair = [mol.elements[a], mol.elements[b]].sort().join('');
    const terminalS = (mol.elements[a] === 'S' && degree[a] === 1) || (mol.elements[b] === 'S' && degree[b] === 1);
    if (pair !== 'CS' || !terminalS || bond.order !== 1) return bond;
    const d = Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
    return d < THIOCARBONYL_MAX ? { a, b, order: 2 } : bond;
  });
}

/** Longest bond, relative to the typical single-bond length, that still counts as aromatic-short. */
const AROMATIC_STRETCH = 0.96;
/** Largest distance (Å) of a ring atom from the ring's mean plane for the ring to count as flat. */
const FLAT_RING_TOLERANCE = 0.15;

/**
 * Flat 5- and 6-membered C/N/O/S rings whose C–C, C–N and N–N bonds are all shorter than single
 * bonds. Bonds to ring O and S are exempt: they are single in the Kekulé form of furans, thiophenes,
 * isoxazoles and oxadiazoles, and an aromatic N–O (1.41 Å) is as long as EDM's N–O single bond.
 */
function aromaticLookingRings(mol: Molecule, bonds: readonly Bond[]): { atoms: number[]; size: number }[] {
  const found: { atoms: number[]; size: number }[] = [];
  if (bonds.length === 0) return found;
  const { ocl, oclIndex } = toOcl(mol, { bonds, charges: false, coordinates: false });
  const ours = new Map(oclIndex.map((o, i) => [o, i]));
  const rings = ocl.getRingSet();
  const p = mol.positions;
  for (let r = 0; r < rings.getSize(); r++) {
    const size = rings.getRingSize(r);
    if (size !== 5 && size !== 6) continue;
    const ring = rings.getRingAtoms(r).map((o) => ours.get(o)!);
    if (!ring.every((i) => ['C', 'N', 'O', 'S'].includes(mol.elements[i]!))) continue;
    const short = ring.every((i, k) => {
      const j = ring[(k + 1) % size]!;
      if (['O', 'S'].includes(mol.elements[i]!) || ['O', 'S'].includes(mol.elements[j]!)) return true;
      const single = typicalBondLength(mol.elements[i]!, mol.elements[j]!, 1);
      const d = Math.hypot(p[3 * i]! - p[3 * j]!, p[3 * i + 1]! - p[3 * j + 1]!, p[3 * i + 2]! - p[3 * j + 2]!);
      return single !== undefined && (100 * d) / single < AROMATIC_STRETCH;
    });
    if (short && maxPlaneDeviation(p, ring) < FLAT_RING_TOLERANCE) found.push({ atoms: ring, size });
  }
  return found;
}

/**
 * Distributes extra bond orders (0–2 per bond) over the edges so that as many free valences as
 * possible are used; among those, leftovers on `preferLeftover` atoms (pyrrole-type N) win; ties go
 * to the assignment closest to EDM's hints. Each connected piece of the edge graph is its own
 * problem: solved apart, a drug-sized molecule's rings stay well inside the search's step cap.
 */
function matchFreeValences(edges: readonly Edge[], free: readonly number[], preferLeftover: ReadonlySet<number>): number[] {
  const parent = free.map((_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  for (const { a, b } of edges) parent[find(a)] = find(b);
  const pieces = new Map<number, number[]>();
  edges.forEach((e, k) => {
    const root = find(e.a);
    const list = pieces.get(root);
    if (list) list.push(k);
    else pieces.set(root, [k]);
  });
  const extra = new Array<number>(edges.length).fill(0);
  for (const [root, indices] of pieces) {
    const local = free.map((f, i) => (find(i) === root ? f : 0));
    const solved = matchPiece(indices.map((k) => edges[k]!), local, preferLeftover);
    indices.forEach((k, j) => (extra[k] = solved[j]!));
  }
  return extra;
}

/** `matchFreeValences` on one connected piece: depth-first search with a bound, edges shortest first; capped so that pathological inputs stay fast (best found is kept). */
function matchPiece(edges: readonly Edge[], free: readonly number[], preferLeftover: ReadonlySet<number>): number[] {
  const remaining = [...free];
  const current = new Array<number>(edges.length).fill(0);
  let best = current.slice();
  let bestScore = -1;
  const totalFree = free.reduce((s, f) => s + f, 0);
  const perfect = Math.floor(totalFree / 2);
  const preferred = [...preferLeftover].filter((i) => free[i]! > 0);
  // Preferred atoms still holding a free valence: the assignment "all further edges single" keeps them.
  const preferredLeft = () => preferred.reduce((s, i) => s + (remaining[i]! > 0 ? 1 : 0), 0);
  const bestPreferred = Math.min(preferred.length, totalFree - 2 * perfect);
  let steps = 0;
  const search = (k: number, used: number, agreement: number): boolean => {
    if (++steps > 200_000) return true;
    const kept = preferredLeft();
    const score = used * 100_000 + kept * 1000 + agreement;
    if (score > bestScore) {
      bestScore = score;
      best = current.slice();
    }
    if (k === edges.length) return used === perfect && kept >= bestPreferred && agreement === edges.length;
    const freeLeft = remaining.reduce((s, f) => s + f, 0);
    if ((used + Math.floor(freeLeft / 2)) * 100_000 + kept * 1000 + agreement + (edges.length - k) <= bestScore) return false;
    const { a, b, hint } = edges[k]!;
    const cap = Math.min(2, remaining[a]!, remaining[b]!);
    const options = [...Array(cap + 1).keys()].sort((x, y) => Math.abs(x + 1 - hint) - Math.abs(y + 1 - hint) || y - x);
    for (const x of options) {
      remaining[a]! -= x;
      remaining[b]! -= x;
      current[k] = x;
      const done = search(k + 1, used + x, agreement + (x + 1 === hint ? 1 : 0));
      remaining[a]! += x;
      remaining[b]! += x;
      current[k] = 0;
      if (done) return true;
    }
    return false;
  };
  search(0, 0, 0);
  return best;
}
