import { SSSearcher } from 'openchemlib';
import { assignBondOrders } from './bondOrders.js';
import type { Molecule } from './molecule.js';
import { toOcl } from './openchemlib.js';

/** The molecule's own bonds, or bond orders assigned from its coordinates when it has none. */
function withBonds(mol: Molecule): Molecule {
  return mol.bonds && mol.bonds.length > 0 ? mol : assignBondOrders(mol).molecule;
}

/**
 * Every way `fragment` occurs in `molecule` (openchemlib's substructure search, on structures whose
 * aromaticity OCL perceives, so that different Kekulé forms of a ring match). A match lists, for each
 * fragment atom in order, the molecule atom it sits on (0-based, equimol numbering). Fragment
 * hydrogens are ignored; a fragment of several pieces matches them on distinct atoms.
 */
export function substructureMatches(molecule: Molecule, fragment: Molecule): number[][] {
  const heavy = fragment.elements.map((_, i) => i).filter((i) => fragment.elements[i] !== 'H');
  const frag = toOcl(withBonds(fragment), { coordinates: false, charges: false });
  const mol = toOcl(withBonds(molecule), { coordinates: false, charges: false });
  frag.ocl.setFragment(true);
  const searcher = new SSSearcher();
  searcher.setFragment(frag.ocl);
  searcher.setMolecule(mol.ocl);
  if (searcher.findFragmentInMolecule({ countMode: 'rigorous' }) === 0) return [];
  const equimolAtom = new Map(mol.oclIndex.map((o, i) => [o, i]));
  return searcher.getMatchList().map((m: number[]) => heavy.map((i) => equimolAtom.get(m[frag.oclIndex[i]!]!)!));
}

/** Connected pieces of a molecule by its bonds (hydrogens left out), as lists of atom indices. */
export function heavyAtomPieces(mol: Molecule): number[][] {
  const bonded = withBonds(mol);
  const { ocl, oclIndex } = toOcl(bonded, { coordinates: false, charges: false });
  const pieceOf = new Array<number>(ocl.getAllAtoms()).fill(-1);
  const count = ocl.getFragmentNumbers(pieceOf, false, false);
  const pieces: number[][] = Array.from({ length: count }, () => []);
  mol.elements.forEach((el, i) => {
    if (el !== 'H') pieces[pieceOf[oclIndex[i]!]!]!.push(i);
  });
  return pieces.filter((p) => p.length > 0);
}

/** Fewest bonds between any atom of `from` and any atom of `to` (BFS over the bonds); Infinity when unconnected. */
export function bondDistance(mol: Molecule, from: readonly number[], to: readonly number[]): number {
  const bonded = withBonds(mol);
  const neighbours: number[][] = mol.elements.map(() => []);
  for (const { a, b } of bonded.bonds ?? []) {
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const target = new Set(to);
  const distance = new Map(from.map((i) => [i, 0]));
  const queue = [...from];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    if (target.has(i)) return distance.get(i)!;
    for (const j of neighbours[i]!) {
      if (!distance.has(j)) {
        distance.set(j, distance.get(i)! + 1);
        queue.push(j);
      }
    }
  }
  return Infinity;
}
