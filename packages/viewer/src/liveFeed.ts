// Pacing of live generation. The sampler can make frames faster than NGL draws them (few steps, a
// small model, software WebGL); drawing each in turn would leave the animation further and further
// behind the chain. Instead every report is kept as it arrives, and each draw takes everything that
// came in since the previous one: the view shows the newest frame, the frames in between are kept
// (for replay) but never drawn live.
import type { TrajectoryFrame, TrajectoryMolecule } from '@equimol/core';

/** A report of the sampler, in the order it was made. */
export type LiveReport = { kind: 'frame'; index: number; frame: TrajectoryFrame } | { kind: 'molecule'; molecule: TrajectoryMolecule };

/** What the view applies (and then draws) in one go: new frames of one chain, or its finished molecule. */
export type LiveUpdate = { kind: 'frames'; index: number; frames: TrajectoryFrame[] } | { kind: 'molecule'; molecule: TrajectoryMolecule };

/** Reports in order, consecutive frames of the same chain merged into one update. */
export function coalesceReports(reports: readonly LiveReport[]): LiveUpdate[] {
  const updates: LiveUpdate[] = [];
  for (const r of reports) {
    const last = updates[updates.length - 1];
    if (r.kind === 'molecule') updates.push(r);
    else if (last?.kind === 'frames' && last.index === r.index) last.frames.push(r.frame);
    else updates.push({ kind: 'frames', index: r.index, frames: [r.frame] });
  }
  return updates;
}

/**
 * Feeds the sampler's reports to the view at the pace the view draws: one update runs at a time, and
 * the reports that arrive meanwhile are applied together, coalesced, by the next round.
 */
export class LiveFeed {
  private pending: LiveReport[] = [];
  private draining = false;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private failure: Error | undefined;

  /**
   * @param apply applies one update to the view and resolves once it is drawn.
   * @param onError called once if `apply` fails; the feed then drops what it holds and takes no more.
   */
  constructor(
    private readonly apply: (update: LiveUpdate) => Promise<void>,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Takes a report; it reaches the view with the next round of drawing. */
  push(report: LiveReport): void {
    if (this.closed || this.failure) return;
    this.pending.push(report);
    if (!this.draining) this.running = this.drain();
  }

  /** Takes no more reports (the generation is over); those already taken are still applied. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once every report taken is applied; rejects with the error of a failed update. */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.running;
      await seen;
    } while (seen !== this.running);
    if (this.failure) throw this.failure;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        for (const update of coalesceReports(this.pending.splice(0))) await this.apply(update);
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.pending = [];
      this.onError(this.failure);
    } finally {
      this.draining = false;
    }
  }
}
