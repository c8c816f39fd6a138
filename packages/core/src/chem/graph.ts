// The molecular graph as plain atom pairs, for questions libraries do not answer directly.

/** Number of connected pieces of a graph of `atoms` atoms (isolated atoms count as pieces). */
export function pieceCount(atoms: number, bonds: Iterable<readonly [number, number]>): number {
  const parent = Array.from({ length: atoms }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  let pieces = atoms;
  for (const [a, b] of bonds) {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) {
      parent[ra] = rb;
      pieces--;
    }
  }
  return pieces;
}
