// Holding atoms in the page (constrained generation): the "Hold atoms" panel and the mouse on the
// stage. A plain molecule file (one frame per molecule) is the source: click an atom to hold or
// release it, shift-drag a box to hold every atom in it, double-click an atom to hold its whole
// fragment. Generate then samples around the held atoms (core's inpainting, in the worker). The
// selection logic and the checks are in hold.ts; this file is DOM and NGL wiring only.
import type { Trajectory } from '@equimol/core';
import { frameWithBonds, type ViewerApp } from './app.js';
import { atomsInBox, fragmentOf, HeldSelection, holdRequest, type HoldModel, type HoldRequest, type ScreenPoint } from './hold.js';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer page lacks #${id}`);
  return el as T;
}

/** The served model's name, vocabulary and size histogram, from its model.json. */
export async function loadHoldModel(modelUrl: string): Promise<HoldModel> {
  const base = modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`;
  const response = await fetch(`${base}model.json`);
  if (!response.ok) throw new Error(`no model to hold atoms for: ${base}model.json answered HTTP ${response.status}`);
  const meta = (await response.json()) as HoldModel;
  return { name: meta.name, encoding: meta.encoding, atomCountHistogram: meta.atomCountHistogram };
}

/** A drag shorter than this (px) both ways is a click, not a box. */
const MIN_BOX = 4;

export class HoldPanel {
  /** The plain molecule file atoms are held from, and the molecule of it. */
  private source: { name: string; trajectory: Trajectory; molecule: number } | undefined;
  private selection: HeldSelection | undefined;
  private controlsOn = false;
  /** NGL reports a double-click just before the click that completes it; that click is not a toggle. */
  private swallowClick = false;
  private model: Promise<HoldModel> | undefined;
  /** The source is being opened again: the molecule it shows on the way is not a new choice. */
  private restoring = false;

  constructor(
    private readonly app: ViewerApp,
    private readonly modelUrl: () => string,
    /** Shows the source file again (through the page's file opening, which stops a generation). */
    private readonly reopen: (name: string, trajectory: Trajectory) => Promise<void>,
  ) {
    app.subscribe(() => this.sync());
    app.stage.onAtomPick((atom, double) => this.pick(atom, double));
    this.bindBox();
    $('hold-all').addEventListener('click', () => this.change((s) => s.all()));
    $('hold-clear').addEventListener('click', () => this.change((s) => s.clear()));
    $('hold-source').addEventListener('click', () => {
      if (!this.source) return;
      this.restoring = true;
      void this.reopen(this.source.name, this.source.trajectory)
        .catch(() => undefined)
        .finally(() => {
          this.restoring = false;
          this.sync();
        });
    });
    this.sync();
  }

  /** The view is the source molecule, where clicks hold atoms. */
  get editing(): boolean {
    const s = this.app.state;
    return this.source !== undefined && s.trajectory === this.source.trajectory && s.layout === 'single';
  }

  /**
   * A file was opened. A plain molecule file becomes the source (its first molecule, nothing held);
   * the source opened again keeps its molecule and held atoms. Anything else (a trajectory) ends holding.
   */
  async opened(name: string, trajectory: Trajectory): Promise<void> {
    if (this.source && trajectory === this.source.trajectory) {
      this.restoring = true;
      try {
        if (this.source.molecule !== 0) await this.app.select(this.source.molecule);
        await this.app.setHeld(this.selection?.atoms ?? []);
      } finally {
        this.restoring = false;
      }
      return;
    }
    const plain = trajectory.molecules.length > 0 && trajectory.molecules.every((m) => m.frames.length === 1);
    this.source = plain ? { name, trajectory, molecule: 0 } : undefined;
    this.selection = plain ? new HeldSelection(trajectory.molecules[0]!.frames[0]!.elements.length) : undefined;
    $<HTMLInputElement>('hold-on').checked = false;
    this.sync();
  }

  /**
   * What Generate holds: undefined when not generating around held atoms, else core's `fixed`
   * request for the held atoms of the source molecule. Throws a `HeldSelectionError` (one line) for
   * a selection that cannot be held with the served model.
   */
  async request(): Promise<HoldRequest | undefined> {
    if (!this.source || !this.selection || !$<HTMLInputElement>('hold-on').checked) return undefined;
    this.model ??= loadHoldModel(this.modelUrl());
    this.model.catch(() => (this.model = undefined));
    const field = (id: string) => $<HTMLInputElement>(id).value.trim();
    const add = field('hold-add') === '' ? undefined : Number(field('hold-add'));
    const resample = field('hold-resample') === '' ? 1 : Number(field('hold-resample'));
    const frame = this.source.trajectory.molecules[this.source.molecule]!.frames[0]!;
    const request = holdRequest(frameWithBonds(frame), this.selection.atoms, await this.model, { add, resample });
    $('hold-note').textContent = request.notice ?? '';
    return request;
  }

  private pick(atom: number, double: boolean): void {
    if (!this.editing || !this.selection) return;
    if (double) {
      this.swallowClick = true;
      const frame = this.source!.trajectory.molecules[this.source!.molecule]!.frames[0]!;
      const mol = frameWithBonds(frame);
      this.change((s) => s.add(fragmentOf(mol.elements.length, mol.bonds ?? [], atom)));
    } else if (this.swallowClick) this.swallowClick = false;
    else this.change((s) => s.toggle(atom));
  }

  /** Changes the selection, turns holding on, and rings the held atoms. */
  private change(edit: (s: HeldSelection) => void): void {
    if (!this.editing || !this.selection) return;
    edit(this.selection);
    $<HTMLInputElement>('hold-on').checked = true;
    $('hold-note').textContent = '';
    void this.app.setHeld(this.selection.atoms);
  }

  /** Shift-drag on the stage draws a box; on release, every atom inside it is held. */
  private bindBox(): void {
    const stage = $('stage');
    const box = document.createElement('div');
    box.className = 'hold-box';
    box.hidden = true;
    stage.parentElement!.append(box);
    let start: ScreenPoint | undefined;
    const local = (e: PointerEvent): ScreenPoint => {
      const r = this.app.stage.canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const draw = (a: ScreenPoint, b: ScreenPoint) => {
      const r = this.app.stage.canvas.getBoundingClientRect();
      const host = stage.parentElement!.getBoundingClientRect();
      Object.assign(box.style, {
        left: `${Math.min(a.x, b.x) + r.left - host.left}px`,
        top: `${Math.min(a.y, b.y) + r.top - host.top}px`,
        width: `${Math.abs(a.x - b.x)}px`,
        height: `${Math.abs(a.y - b.y)}px`,
      });
    };
    stage.addEventListener(
      'pointerdown',
      (e) => {
        if (!e.shiftKey || e.button !== 0 || !this.editing) return;
        start = local(e);
        draw(start, start);
        box.hidden = false;
      },
      true,
    );
    window.addEventListener('pointermove', (e) => {
      if (start) draw(start, local(e));
    });
    window.addEventListener('pointerup', (e) => {
      if (!start) return;
      const from = start;
      const to = local(e);
      start = undefined;
      box.hidden = true;
      if (Math.abs(to.x - from.x) < MIN_BOX && Math.abs(to.y - from.y) < MIN_BOX) return;
      this.change((s) => s.add(atomsInBox(this.app.stage.screenPositions(), from, to)));
    });
  }

  /** Follows the view: another molecule of the source starts a new selection; panel and mouse controls match. */
  private sync(): void {
    const s = this.app.state;
    const editing = this.editing;
    if (editing && !this.restoring && this.source && s.molecule !== this.source.molecule) {
      this.source.molecule = s.molecule;
      this.selection = new HeldSelection(this.source.trajectory.molecules[s.molecule]!.frames[0]!.elements.length);
      void this.app.setHeld([]);
    }
    if (editing !== this.controlsOn) {
      this.controlsOn = editing;
      this.app.stage.setHoldControls(editing);
    }
    const held = this.selection?.size ?? 0;
    $('hold-count').textContent = !this.source
      ? 'open a molecule file (SDF, MOL, XYZ) to hold atoms of it'
      : `${held} of ${this.selection!.atomCount} atoms of ${this.source.name}${this.source.trajectory.molecules.length > 1 ? ` #${this.source.molecule}` : ''} held`;
    for (const id of ['hold-all', 'hold-clear']) $<HTMLButtonElement>(id).disabled = !editing;
    $<HTMLInputElement>('hold-on').disabled = !this.source;
    $('hold-source').hidden = !this.source || editing;
  }
}
