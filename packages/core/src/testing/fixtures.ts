// Shared helpers for core's unit tests (not exported from the package).
import * as tf from '@tensorflow/tfjs-core';
import { portableBackends, selectBackend } from '../backend/select.js';
import { type EgnnConfig, edmEgnnConfig } from '../model/config.js';
import type { NoisePredictor } from '../diffusion/reverseChain.js';
import { Rng } from '../random/rng.js';

/** Activates tfjs-wasm (what users get without native TensorFlow). */
export async function useTestBackend(): Promise<void> {
  if (tf.getBackend() !== 'wasm') await selectBackend(portableBackends, { preferred: 'wasm', notice: () => {} });
}

/** A small EGNN with every EDM feature switched on. */
export function tinyEgnnConfig(nodeFeatures: number, overrides: Partial<EgnnConfig> = {}): EgnnConfig {
  return { ...edmEgnnConfig(nodeFeatures, 16, 2), ...overrides };
}

/** Parameters drawn wide (±0.5) so that every layer visibly shapes the output, unlike EDM's calm init. */
export function wideParameters(size: number, seed = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => rng.uniform() - 0.5);
}

/** A random orthogonal 3×3 matrix (rotation, or rotation + reflection when `reflect`). */
export function randomOrthogonal(rng: Rng, reflect: boolean): number[][] {
  // Gram–Schmidt on a random Gaussian matrix.
  const v = [0, 1, 2].map(() => [rng.normal(), rng.normal(), rng.normal()]);
  const q: number[][] = [];
  for (const row of v) {
    const u = [...row];
    for (const p of q) {
      const d = u[0]! * p[0]! + u[1]! * p[1]! + u[2]! * p[2]!;
      for (let k = 0; k < 3; k++) u[k]! -= d * p[k]!;
    }
    const n = Math.hypot(u[0]!, u[1]!, u[2]!);
    q.push(u.map((x) => x / n));
  }
  const det =
    q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) -
    q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) +
    q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
  if ((det < 0) !== reflect) q[2] = q[2]!.map((x) => -x);
  return q;
}

/** Applies x ↦ R·x + shift to flat [.., 3] coordinates. */
export function transformPoints(x: Float32Array, r: number[][], shift: number[] = [0, 0, 0]): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += 3) {
    for (let a = 0; a < 3; a++) {
      out[i + a] = r[a]![0]! * x[i]! + r[a]![1]! * x[i + 1]! + r[a]![2]! * x[i + 2]! + shift[a]!;
    }
  }
  return out;
}

/** Largest absolute difference between two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Norm-wise relative error ‖a − b‖ / ‖b‖ over whole arrays. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** Largest absolute value. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** A file under the repository's data/fixtures folder. */
export function fixturePath(relative: string): string {
  return new URL(`../../../../data/fixtures/${relative}`, import.meta.url).pathname;
}

/** A flat-array noise function (a test's oracle) as the chain's tensor predictor; reads synchronously, as wasm and cpu allow. */
export function arrayPredictor(f: (zx: Float32Array, zh: Float32Array, step: number) => { epsX: Float32Array; epsH: Float32Array }): NoisePredictor {
  return (zx, zh, step) => {
    const eps = f(zx.dataSync() as Float32Array, zh.dataSync() as Float32Array, step);
    return { epsX: tf.tensor3d(eps.epsX, zx.shape), epsH: tf.tensor3d(eps.epsH, zh.shape) };
  };
}
