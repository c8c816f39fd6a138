/**
 * EDM's adaptive gradient clipping: the threshold is 1.5·mean + 2·std of recent gradient norms, so
 * that rare huge gradients (from near-zero-noise timesteps) cannot derail training. A clipped step
 * enters the history at the threshold, not at its own norm.
 */
export class AdaptiveGradientClipper {
  private history: number[];

  constructor(readonly capacity = 50, initialNorm = 3000, history?: number[]) {
    this.history = history ? [...history] : [initialNorm];
  }

  /** Recent norms, to store in a checkpoint. */
  get recentNorms(): number[] {
    return [...this.history];
  }

  /** Current clipping threshold. */
  threshold(): number {
    const n = this.history.length;
    const mean = this.history.reduce((a, b) => a + b, 0) / n;
    // torch.std is the unbiased estimate; a single entry has no spread.
    const variance = n > 1 ? this.history.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
    return 1.5 * mean + 2 * Math.sqrt(variance);
  }

  /** Scales `grads` in place if their norm exceeds the threshold; returns the norm before clipping. */
  clip(grads: Float32Array): { norm: number; threshold: number; clipped: boolean } {
    const threshold = this.threshold();
    let sq = 0;
    for (let i = 0; i < grads.length; i++) sq += grads[i]! * grads[i]!;
    const norm = Math.sqrt(sq);
    const clipped = norm > threshold;
    if (clipped) {
      const scale = threshold / (norm + 1e-6);
      for (let i = 0; i < grads.length; i++) grads[i]! *= scale;
    }
    this.history.push(clipped ? threshold : norm);
    if (this.history.length > this.capacity) this.history.shift();
    return { norm, threshold, clipped };
  }
}
