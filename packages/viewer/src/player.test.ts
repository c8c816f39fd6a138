import { describe, expect, it } from 'vitest';
import { Player, type Scheduler } from './player.js';

/** A clock the test advances by hand. */
function fakeClock() {
  let pending: { at: number; fn: () => void } | undefined;
  let now = 0;
  const schedule: Scheduler = (fn, ms) => {
    const entry = { at: now + ms, fn };
    pending = entry;
    return () => {
      if (pending === entry) pending = undefined;
    };
  };
  const advance = (ms: number) => {
    const until = now + ms;
    while (pending && pending.at <= until) {
      const { at, fn } = pending;
      pending = undefined;
      now = at;
      fn();
    }
    now = until;
  };
  return { schedule, advance };
}

describe('Player', () => {
  it('clamps seeking and stepping to the trajectory', () => {
    const p = new Player();
    p.reset(10);
    p.seek(42);
    expect(p.snapshot.frame).toBe(9);
    p.step(-3);
    expect(p.snapshot.frame).toBe(6);
    p.first();
    expect(p.snapshot.frame).toBe(0);
    p.last();
    expect(p.snapshot.frame).toBe(9);
  });

  it('plays at its speed, holds the final frame, then loops back to the noise', () => {
    const clock = fakeClock();
    const p = new Player(clock.schedule, 1000);
    p.reset(3);
    p.setFps(10);
    p.play();
    clock.advance(100);
    expect(p.snapshot.frame).toBe(1);
    clock.advance(100);
    expect(p.snapshot.frame).toBe(2);
    clock.advance(900);
    expect(p.snapshot.frame).toBe(2); // still holding the finished molecule
    clock.advance(100);
    expect(p.snapshot.frame).toBe(0);
    expect(p.snapshot.playing).toBe(true);
  });

  it('stops at the end without loop, and restarts from the first frame on play', () => {
    const clock = fakeClock();
    const p = new Player(clock.schedule);
    p.reset(3);
    p.setLoop(false);
    p.play();
    clock.advance(5000);
    expect(p.snapshot).toMatchObject({ frame: 2, playing: false });
    p.play();
    expect(p.snapshot.frame).toBe(0);
  });

  it('grows while playing: new frames of a live chain neither stop nor move playback', () => {
    const clock = fakeClock();
    const p = new Player(clock.schedule);
    p.reset(3);
    p.setFps(10);
    p.play();
    clock.advance(100);
    p.setFrameCount(5);
    expect(p.snapshot).toMatchObject({ frame: 1, frameCount: 5, playing: true });
    clock.advance(300);
    expect(p.snapshot.frame).toBe(4);
  });

  it('stepping pauses; a single frame never plays', () => {
    const clock = fakeClock();
    const p = new Player(clock.schedule);
    p.reset(5);
    p.play();
    p.step(1);
    expect(p.snapshot.playing).toBe(false);
    p.reset(1);
    p.play();
    expect(p.snapshot.playing).toBe(false);
  });
});
