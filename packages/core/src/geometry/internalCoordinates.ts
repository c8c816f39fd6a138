// Distances and angles between atoms of flat [x0, y0, z0, x1, …] coordinates (Å, degrees).

/** Distance (Å) between atoms `a` and `b`. */
export function atomDistance(p: ArrayLike<number>, a: number, b: number): number {
  return Math.hypot(p[3 * a]! - p[3 * b]!, p[3 * a + 1]! - p[3 * b + 1]!, p[3 * a + 2]! - p[3 * b + 2]!);
}

/** Angle a–c–b in degrees at centre `c`. */
export function bondAngle(p: ArrayLike<number>, a: number, c: number, b: number): number {
  const u = [p[3 * a]! - p[3 * c]!, p[3 * a + 1]! - p[3 * c + 1]!, p[3 * a + 2]! - p[3 * c + 2]!];
  const v = [p[3 * b]! - p[3 * c]!, p[3 * b + 1]! - p[3 * c + 1]!, p[3 * b + 2]! - p[3 * c + 2]!];
  const dot = u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!;
  const cos = dot / (Math.hypot(u[0]!, u[1]!, u[2]!) * Math.hypot(v[0]!, v[1]!, v[2]!));
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}
