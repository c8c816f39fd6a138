// Playback state of a trajectory: which frame, playing or not, how fast, looping. No DOM and no NGL,
// so the rules (what "next" does at the end, how loop holds the final frame) are easy to test.

/** Something that calls back after a delay and can be cancelled (setTimeout in the page, fake in tests). */
export type Scheduler = (callback: () => void, ms: number) => () => void;

const timeoutScheduler: Scheduler = (callback, ms) => {
  const id = setTimeout(callback, ms);
  return () => clearTimeout(id);
};

/** A snapshot of the player, handed to listeners after every change. */
export interface PlayerState {
  frame: number;
  frameCount: number;
  playing: boolean;
  /** Frames per second while playing. */
  fps: number;
  loop: boolean;
}

/** Frame clock for the denoising animation. */
export class Player {
  private state: PlayerState = { frame: 0, frameCount: 0, playing: false, fps: 10, loop: true };
  private cancel: (() => void) | undefined;
  private readonly listeners = new Set<(s: PlayerState) => void>();

  /**
   * @param schedule timer used while playing.
   * @param holdEndMs how long a looping animation rests on the final frame (the finished molecule)
   *   before it starts again from noise.
   */
  constructor(
    private readonly schedule: Scheduler = timeoutScheduler,
    private readonly holdEndMs = 1200,
  ) {}

  get snapshot(): PlayerState {
    return { ...this.state };
  }

  /** Calls `listener` after every change; returns a function that unsubscribes. */
  subscribe(listener: (s: PlayerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new trajectory (or molecule) with `frameCount` frames; keeps speed and loop, stops playback. */
  reset(frameCount: number, frame = 0): void {
    this.stopTimer();
    this.state.frameCount = frameCount;
    this.state.playing = false;
    this.state.frame = this.clamp(frame);
    this.emit();
  }

  /** More frames arrived (a chain sampled live): keeps the frame, speed, loop and playback. */
  setFrameCount(frameCount: number): void {
    this.state.frameCount = frameCount;
    this.state.frame = this.clamp(this.state.frame);
    this.emit();
  }

  seek(frame: number): void {
    this.state.frame = this.clamp(frame);
    this.emit();
  }

  step(delta: number): void {
    this.pause();
    this.seek(this.state.frame + delta);
  }

  first(): void {
    this.step(-Infinity);
  }

  last(): void {
    this.step(Infinity);
  }

  play(): void {
    if (this.state.frameCount < 2 || this.state.playing) return;
    // Play from the start when sitting on the last frame, as media players do.
    if (this.state.frame >= this.state.frameCount - 1) this.state.frame = 0;
    this.state.playing = true;
    this.emit();
    this.arm(1000 / this.state.fps);
  }

  pause(): void {
    if (!this.state.playing) return;
    this.stopTimer();
    this.state.playing = false;
    this.emit();
  }

  toggle(): void {
    if (this.state.playing) this.pause();
    else this.play();
  }

  setFps(fps: number): void {
    this.state.fps = Math.min(60, Math.max(0.5, fps));
    if (this.state.playing) {
      this.stopTimer();
      this.arm(1000 / this.state.fps);
    }
    this.emit();
  }

  setLoop(loop: boolean): void {
    this.state.loop = loop;
    this.emit();
  }

  private tick(): void {
    this.cancel = undefined;
    const s = this.state;
    if (!s.playing) return;
    if (s.frame < s.frameCount - 1) {
      s.frame++;
      this.emit();
      this.arm(s.frame === s.frameCount - 1 && s.loop ? this.holdEndMs : 1000 / s.fps);
    } else if (s.loop) {
      s.frame = 0;
      this.emit();
      this.arm(1000 / s.fps);
    } else {
      s.playing = false;
      this.emit();
    }
  }

  private arm(ms: number): void {
    this.cancel = this.schedule(() => this.tick(), ms);
  }

  private stopTimer(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private clamp(frame: number): number {
    return Math.max(0, Math.min(this.state.frameCount - 1, Number.isFinite(frame) ? Math.round(frame) : frame > 0 ? Infinity : 0));
  }

  private emit(): void {
    const s = this.snapshot;
    for (const l of this.listeners) l(s);
  }
}
