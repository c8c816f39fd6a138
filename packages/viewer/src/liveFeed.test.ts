import type { TrajectoryFrame, TrajectoryMolecule } from '@equimol/core';
import { describe, expect, it } from 'vitest';
import { coalesceReports, LiveFeed, type LiveReport, type LiveUpdate } from './liveFeed.js';

/** A one-atom frame at denoising step `step` (only its identity matters here). */
const frame = (step: number): TrajectoryFrame => ({ elements: ['C'], positions: new Float64Array([step, 0, 0]), step });
const framed = (index: number, step: number): LiveReport => ({ kind: 'frame', index, frame: frame(step) });
const finished = (index: number, steps: number[]): LiveReport => ({ kind: 'molecule', molecule: { index, frames: steps.map(frame) } as TrajectoryMolecule });
const steps = (u: LiveUpdate) => (u.kind === 'frames' ? u.frames.map((f) => f.step) : u.molecule.frames.map((f) => f.step));

/** A view whose draws finish when the test says so. */
function slowView() {
  const applied: LiveUpdate[] = [];
  const finish: (() => void)[] = [];
  const apply = (u: LiveUpdate) =>
    new Promise<void>((resolve) => {
      applied.push(u);
      finish.push(resolve);
    });
  const drawNext = async () => {
    finish.shift()!();
    // Let the feed take its next round.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { applied, apply, drawNext };
}

describe('coalesceReports', () => {
  it('merges consecutive frames of one chain and keeps the order of chains and finished molecules', () => {
    const updates = coalesceReports([framed(0, 8), framed(0, 7), finished(0, [8, 7, 6]), framed(1, 8), framed(1, 7)]);
    expect(updates.map((u) => [u.kind, steps(u)])).toEqual([
      ['frames', [8, 7]],
      ['molecule', [8, 7, 6]],
      ['frames', [8, 7]],
    ]);
  });
});

describe('LiveFeed', () => {
  it('draws a report at once when the view is idle', async () => {
    const view = slowView();
    const feed = new LiveFeed(view.apply);
    feed.push(framed(0, 50));
    expect(view.applied.map(steps)).toEqual([[50]]);
    await view.drawNext();
    await feed.settled();
  });

  it('gives the frames that arrive during a draw to the next draw together, which ends on the newest', async () => {
    const view = slowView();
    const feed = new LiveFeed(view.apply);
    feed.push(framed(0, 50));
    for (let s = 49; s >= 40; s--) feed.push(framed(0, s));
    // Ten frames came in while the first was drawn: one more draw shows them all, not ten.
    expect(view.applied).toHaveLength(1);
    await view.drawNext();
    expect(view.applied.map(steps)).toEqual([[50], [49, 48, 47, 46, 45, 44, 43, 42, 41, 40]]);
    // The end of the chain and the next chain arrive while that draw runs.
    feed.push(framed(0, 0));
    feed.push(finished(0, [50, 0]));
    feed.push(framed(1, 50));
    await view.drawNext();
    expect(view.applied.slice(2).map((u) => u.kind)).toEqual(['frames']);
    await view.drawNext();
    await view.drawNext();
    expect(view.applied.slice(2).map((u) => [u.kind, steps(u)])).toEqual([
      ['frames', [0]],
      ['molecule', [50, 0]],
      ['frames', [50]],
    ]);
    await view.drawNext();
    await feed.settled();
  });

  it('applies what it took after close, takes nothing more, and settles once it is drawn', async () => {
    const view = slowView();
    const feed = new LiveFeed(view.apply);
    feed.push(framed(0, 2));
    feed.push(framed(0, 1));
    feed.close();
    feed.push(framed(0, 0));
    let settled = false;
    void feed.settled().then(() => (settled = true));
    await view.drawNext();
    expect(settled).toBe(false);
    await view.drawNext();
    await feed.settled();
    expect(view.applied.map(steps)).toEqual([[2], [1]]);
  });

  it('stops at the first update the view cannot draw, reports it once and rejects settled()', async () => {
    const errors: string[] = [];
    let calls = 0;
    const feed = new LiveFeed(
      async () => {
        calls++;
        throw new Error('atom 1 has a non-finite coordinate (NaN)');
      },
      (e) => errors.push(e.message),
    );
    feed.push(framed(0, 2));
    feed.push(framed(0, 1));
    await expect(feed.settled()).rejects.toThrow('non-finite');
    feed.push(framed(0, 0));
    await expect(feed.settled()).rejects.toThrow('non-finite');
    expect(calls).toBe(1);
    expect(errors).toEqual(['atom 1 has a non-finite coordinate (NaN)']);
  });
});
