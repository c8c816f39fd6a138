// The viewer application: holds the open trajectory, the selected molecule and the layout, and keeps
// the NGL stage, the player and the side panel in step. DOM wiring lives in ui.ts.
import { frameMolecule, trajectoryFrameCount, type Molecule, type Trajectory, type TrajectoryFrame, type TrajectoryMolecule } from '@equimol/core';
import { describeMolecule, perceiveFrameBonds, type MoleculeReport } from './chem.js';
import { Player } from './player.js';
import { MoleculeStage, type Placed } from './stage.js';

/** Single molecule, or the molecules of the batch side by side (the first `GRID_LIMIT`). */
export type Layout = 'single' | 'grid';

/**
 * Molecules in the grid overview: a 6 × 6 page stays legible and playable (each shown molecule is one
 * NGL component per frame); larger batches are browsed one by one from the list.
 */
export const GRID_LIMIT = 36;

/** What the UI needs to draw after a change. */
export interface ViewState {
  name: string;
  trajectory: Trajectory | undefined;
  molecule: number;
  frame: number;
  frameCount: number;
  layout: Layout;
  /** The frame of the selected molecule shown now (its last frame when it has fewer). */
  current: TrajectoryFrame | undefined;
  /** Position in the batch of the molecule whose chain is still being sampled (live generation). */
  sampling: number | undefined;
  /** The molecule whose chain stopped with an error (live generation), and why, in one line. */
  failed: { molecule: number; reason: string } | undefined;
  report: MoleculeReport | undefined;
  /** Atoms (0-based) shown as held in every frame: the atoms picked to hold, or a constrained generation's held part. */
  held: readonly number[];
}

// Frames are immutable once read, so perception and metrics are computed once per frame.
const bonded = new WeakMap<TrajectoryFrame, Molecule>();
const reports = new WeakMap<TrajectoryFrame, MoleculeReport>();

/**
 * The frame's molecule with its bonds: a bond model's frame carries the bonds the model generated at
 * that step, drawn as they are; any other frame gets the bonds core perceives at its coordinates.
 */
export function frameWithBonds(frame: TrajectoryFrame): Molecule {
  let mol = bonded.get(frame);
  if (!mol) {
    const plain = frameMolecule(frame);
    mol = frame.bonds ? plain : { ...plain, bonds: perceiveFrameBonds(plain) };
    bonded.set(frame, mol);
  }
  return mol;
}

/** Formula, SMILES, validity and stability of a frame's molecule (a bond model's judged on its generated graph). */
export function frameReport(frame: TrajectoryFrame): MoleculeReport {
  let report = reports.get(frame);
  if (!report) {
    report = describeMolecule(frameWithBonds(frame), { generated: frame.bonds !== undefined });
    reports.set(frame, report);
  }
  return report;
}

/** Spacing of the grid overview: wide enough for the widest molecule of the batch at any frame. */
function gridCell(trajectory: Trajectory): number {
  let radius = 1;
  for (const m of trajectory.molecules) {
    for (const f of [m.frames[0], m.frames[m.frames.length - 1]]) {
      if (!f) continue;
      const n = f.elements.length;
      const c = [0, 0, 0];
      for (let i = 0; i < 3 * n; i++) c[i % 3]! += f.positions[i]! / n;
      for (let i = 0; i < n; i++) {
        radius = Math.max(radius, Math.hypot(f.positions[3 * i]! - c[0]!, f.positions[3 * i + 1]! - c[1]!, f.positions[3 * i + 2]! - c[2]!));
      }
    }
  }
  return 2 * radius + 2.5;
}

export class ViewerApp {
  readonly player = new Player();
  readonly stage: MoleculeStage;
  private trajectory: Trajectory | undefined;
  private name = '';
  private molecule = 0;
  private layout: Layout = 'single';
  private sampling: number | undefined;
  private failed: ViewState['failed'];
  private held: readonly number[] = [];
  /** Bumped for every new trajectory so that cached NGL structures of the old one are never reused. */
  private epoch = 0;
  private lastRender: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(s: ViewState) => void>();

  constructor(container: HTMLElement) {
    this.stage = new MoleculeStage(container);
    this.player.subscribe(() => {
      this.emit();
      this.lastRender = this.render();
    });
    this.stage.onPick((index) => {
      if (this.layout === 'grid') {
        this.layout = 'single';
        this.select(index);
      }
    });
  }

  /** Calls `listener` after every change of what is shown. */
  subscribe(listener: (s: ViewState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get state(): ViewState {
    const t = this.trajectory;
    const frame = this.player.snapshot.frame;
    const m = t?.molecules[this.molecule];
    const current = m ? m.frames[Math.min(frame, m.frames.length - 1)] : undefined;
    return {
      name: this.name,
      trajectory: t,
      molecule: this.molecule,
      frame,
      frameCount: this.player.snapshot.frameCount,
      layout: this.layout,
      current,
      sampling: this.sampling,
      failed: this.failed,
      report: current ? frameReport(current) : undefined,
      held: this.held,
    };
  }

  /**
   * Shows a new trajectory from its first frame (noise), molecule 0; `held` atoms (a constrained
   * generation's held part, or atoms picked to hold) are ringed in every frame.
   */
  async open(name: string, trajectory: Trajectory, options: { frame?: 'first' | 'last'; held?: readonly number[] } = {}): Promise<void> {
    this.epoch++;
    this.held = options.held ?? [];
    this.stage.clear();
    this.trajectory = trajectory;
    this.name = name;
    this.molecule = 0;
    this.sampling = undefined;
    this.failed = undefined;
    if (trajectory.molecules.length === 0) this.layout = 'single';
    const frames = trajectoryFrameCount(trajectory);
    await this.frameCamera();
    this.player.reset(frames, options.frame === 'last' ? frames - 1 : 0);
    await this.lastRender;
  }

  /**
   * Adds frames of molecule `index`'s chain as the sampler makes them (a new molecule at its first
   * frame), and draws once: several frames at a time when the sampler is ahead of the drawing. A view
   * on the live edge — the newest molecule at its newest frame, paused — moves on to the newest of
   * them, so the chain grows from noise to molecule on screen; a user who scrubbed, played or picked
   * another molecule is left where they are.
   */
  async addLiveFrames(index: number, added: readonly TrajectoryFrame[]): Promise<void> {
    if (added.length === 0) return;
    const molecules = [...(this.trajectory?.molecules ?? [])];
    const newest = molecules[molecules.length - 1];
    const { frame: at, playing } = this.player.snapshot;
    const following = !newest || (!playing && this.molecule === molecules.length - 1 && at === newest.frames.length - 1);
    let k = molecules.findIndex((m) => m.index === index);
    const started = k < 0;
    if (started) k = molecules.push({ index, frames: [] }) - 1;
    const frames = [...molecules[k]!.frames, ...added];
    molecules[k] = { ...molecules[k]!, frames };
    this.trajectory = { molecules };
    this.sampling = k;
    if (following) this.molecule = k;
    if (this.layout === 'grid' && started) await this.frameCamera();
    // Following, zoom out as the chain spreads but keep the rotation (re-orienting at every frame would
    // spin); a user looking at an earlier frame keeps their view until the chain is finished.
    if (this.layout === 'single' && following) await this.stage.frame(frames.map((_, f) => this.placed(f)).flat(), 'keep');
    const count = trajectoryFrameCount(this.trajectory);
    if (following) this.player.reset(count, frames.length - 1);
    else this.player.setFrameCount(count);
    await this.lastRender;
  }

  /**
   * Replaces the live molecule by the finished one the sampler returns (same frames); playback and
   * selection stay. A view that followed the chain to its end is framed on the whole chain, turned to
   * face the final structure (the grid overview always re-frames).
   */
  async finishMolecule(molecule: TrajectoryMolecule): Promise<void> {
    const molecules = [...(this.trajectory?.molecules ?? [])];
    let k = molecules.findIndex((m) => m.index === molecule.index);
    if (k < 0) k = molecules.push(molecule) - 1;
    const { frame: at, playing } = this.player.snapshot;
    const following = !playing && this.molecule === k && at === molecules[k]!.frames.length - 1;
    molecules[k] = molecule;
    this.trajectory = { molecules };
    this.sampling = undefined;
    this.player.setFrameCount(trajectoryFrameCount(this.trajectory));
    if (this.layout === 'grid' || following) await this.frameCamera();
    await this.lastRender;
  }

  /**
   * The chain being sampled stopped with an error: its molecule keeps the frames it has (they can be
   * replayed) and is marked failed with `reason` instead of still sampling.
   */
  failSampling(reason: string): void {
    if (this.sampling === undefined) return;
    this.failed = { molecule: this.sampling, reason };
    this.sampling = undefined;
    this.emit();
  }

  /** Rings these atoms (0-based) as held in every frame shown. */
  async setHeld(atoms: readonly number[]): Promise<void> {
    this.held = [...atoms];
    this.emit();
    this.lastRender = this.render();
    await this.lastRender;
  }

  /** Selects molecule `index` of the batch (keeps the frame). */
  async select(index: number): Promise<void> {
    const count = this.trajectory?.molecules.length ?? 0;
    if (count === 0) return;
    this.molecule = ((index % count) + count) % count;
    if (this.layout === 'single') await this.frameCamera();
    this.emit();
    this.lastRender = this.render();
    await this.lastRender;
  }

  async setLayout(layout: Layout): Promise<void> {
    if (layout === this.layout) return;
    this.layout = layout;
    await this.frameCamera();
    this.emit();
    this.lastRender = this.render();
    await this.lastRender;
  }

  /** Resolves once the stage shows the current state (for exports and tests). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.lastRender;
      await seen;
    } while (seen !== this.lastRender);
  }

  private placed(frame: number): Placed[] {
    const t = this.trajectory;
    if (!t) return [];
    // The offset is part of the key: the grid's spacing changes when molecules are added.
    const key = (m: number, f: number, offset?: number[]) => `${this.epoch}:${this.layout}:${m}:${f}${offset ? `@${offset.join(',')}` : ''}`;
    const item = (m: number, f: number, offset?: [number, number, number]): Placed | undefined => {
      const mol = t.molecules[m];
      if (!mol || mol.frames.length === 0) return undefined;
      const fi = Math.min(f, mol.frames.length - 1);
      const fr = mol.frames[fi]!;
      const p: Placed = { key: key(m, fi, offset), tag: m, positions: fr.positions, build: () => frameWithBonds(fr), halo: this.held };
      if (offset) p.offset = offset;
      return p;
    };
    if (this.layout === 'single') {
      const one = item(this.molecule, frame);
      return one ? [one] : [];
    }
    const shown = t.molecules.slice(0, GRID_LIMIT);
    // A growing chain's newest frame would change the spacing, and so rebuild every molecule, per frame.
    const cell = gridCell({ molecules: shown.map((m, i) => (i === this.sampling ? { ...m, frames: m.frames.slice(0, 1) } : m)) });
    const cols = Math.ceil(Math.sqrt(shown.length));
    // NGL's default camera looks down −z with +x to the left: columns run along −x to read left to right.
    return shown.flatMap((_, m) => item(m, frame, [-(m % cols) * cell, -Math.floor(m / cols) * cell, 0]) ?? []);
  }

  /**
   * Frames the camera on every frame of what the layout shows, so the view holds still while playing,
   * then builds the frames in the background (from the current frame on) for smooth playback.
   */
  private async frameCamera(): Promise<void> {
    const t = this.trajectory;
    if (!t) return;
    const count = trajectoryFrameCount(t);
    const all = [...Array(count).keys()].map((f) => this.placed(f));
    const orientBy = this.layout === 'single' ? all[count - 1]?.[0] : undefined;
    await this.stage.frame(all.flat(), orientBy);
    const start = this.player.snapshot.frame;
    void this.stage.prefetch([...all.slice(start), ...all.slice(0, start)].flat());
  }

  /** Called when a frame cannot be drawn (e.g. core refuses to write non-finite coordinates). */
  onError: (error: Error) => void = (e) => console.error(e);

  private async render(): Promise<void> {
    try {
      await this.stage.show(this.placed(this.player.snapshot.frame));
    } catch (e) {
      this.onError(e as Error);
    }
  }

  private emit(): void {
    const s = this.state;
    for (const l of this.listeners) l(s);
  }
}
