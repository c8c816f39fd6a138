// How far ring atoms lie from their mean plane: used to read aromatic-looking rings from coordinates
// (bond-order export) and to check that exported aromatic rings are flat (geometry checks).

/** Largest distance (Å) of the given atoms from their mean plane; Infinity if no plane is defined. */
export function maxPlaneDeviation(p: ArrayLike<number>, atoms: readonly number[]): number {
  const c = [0, 1, 2].map((d) => atoms.reduce((s, i) => s + p[3 * i + d]!, 0) / atoms.length);
  // Newell's method: a robust normal for a (nearly) planar polygon, atoms taken in ring order.
  const nrm = [0, 0, 0];
  atoms.forEach((i, k) => {
    const j = atoms[(k + 1) % atoms.length]!;
    const [xi, yi, zi] = [p[3 * i]! - c[0]!, p[3 * i + 1]! - c[1]!, p[3 * i + 2]! - c[2]!];
    const [xj, yj, zj] = [p[3 * j]! - c[0]!, p[3 * j + 1]! - c[1]!, p[3 * j + 2]! - c[2]!];
    nrm[0]! += (yi - yj) * (zi + zj);
    nrm[1]! += (zi - zj) * (xi + xj);
    nrm[2]! += (xi - xj) * (yi + yj);
  });
  const len = Math.hypot(nrm[0]!, nrm[1]!, nrm[2]!);
  if (len === 0) return Infinity;
  return Math.max(...atoms.map((i) => Math.abs([0, 1, 2].reduce((s, d) => s + (p[3 * i + d]! - c[d]!) * nrm[d]!, 0)) / len));
}
