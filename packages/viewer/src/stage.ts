// NGL side of the viewer: turns core Molecules (with the bonds core perceived) into NGL structures
// and shows them as ball-and-stick with element colours. One route into NGL: each frame is written as
// an SDF record by core's writer and parsed by NGL's SDF parser, so NGL never guesses bonds itself.
import { autoLoad, MouseActions, Stage, type RepresentationElement, type Structure, type StructureComponent } from 'ngl';
import type { Molecule } from '@equimol/core';
import { moleculeToSdf } from './chem.js';
import type { ScreenPoint } from './hold.js';

/** One molecule to draw, at an offset (grid overview) or at the origin. */
const BALL_AND_STICK = { colorScheme: 'element', radiusScale: 1.0, aspectRatio: 2.2, multipleBond: 'symmetric', sphereDetail: 2, radialSegments: 16 } as const;
/**
 * Held atoms (constrained generation) wear a translucent gold sphere about twice the ball's radius:
 * visible around the atom from every side, without hiding its element colour.
 */
const HALO = { color: '#ffc83d', radiusType: 'size', radiusSize: 0.6, opacity: 0.3, depthWrite: false, sphereDetail: 2 } as const;

export interface Placed {
  /** Cache key: identifies the molecule, frame and offset the structure was built for. */
  key: string;
  /** The frame's coordinates (before `offset`), for camera framing without building anything. */
  positions: Float64Array;
  /** Builds the molecule with its bonds; called once per key. */
  build: () => Molecule;
  offset?: [number, number, number];
  /** What a click on this molecule reports (its index in the batch). */
  tag?: number;
  /** Atoms (0-based) drawn as held, with a gold halo. */
  halo?: readonly number[];
}

/** NGL's selection of atoms by index (`@0,3,4`), or none. */
function atomSelection(atoms: readonly number[]): string {
  return atoms.length > 0 ? `@${atoms.join(',')}` : 'none';
}

/**
 * Components kept ready (hidden) for replay; beyond this the least recently shown are disposed. A
 * looping animation over more than this many molecule-frames rebuilds every frame (LRU's worst case),
 * so the bound is set above what in-page generation makes (16 molecules × 60 frames); each cached
 * component of a QM9-sized molecule costs ~150 kB of heap.
 */
const MAX_CACHED = 2000;

/** The NGL stage of the viewer. */
export class MoleculeStage {
  readonly stage: Stage;
  /**
   * One component per placed frame, built once and then only shown or hidden: replaying the animation
   * costs no parsing, and removing a component would dispose its structure anyway. Map order is
   * recency of use.
   */
  private readonly cache = new Map<string, Promise<StructureComponent>>();
  private shown: StructureComponent[] = [];
  private shownTags: (number | undefined)[] = [];
  /** The halo representation of each component, and the atoms it rings now. */
  private readonly halos = new WeakMap<StructureComponent, { repr: RepresentationElement; atoms: string }>();
  private generation = 0;
  /** Bumped by every `prefetch()` and `clear()`: only the latest background build goes on. */
  private prefetchTicket = 0;

  constructor(container: HTMLElement) {
    this.stage = new Stage(container, { backgroundColor: '#10141a', tooltip: true, cameraType: 'perspective', clipDist: 0 });
    new ResizeObserver(() => this.stage.handleResize()).observe(container);
  }

  /** The WebGL canvas (for screenshots and recording). */
  get canvas(): HTMLCanvasElement {
    return this.stage.viewer.renderer.domElement;
  }

  /** The (hidden until shown) NGL component of a placed molecule, built once and cached. */
  component(item: Placed): Promise<StructureComponent> {
    let c = this.cache.get(item.key);
    if (c) {
      this.cache.delete(item.key);
      this.cache.set(item.key, c);
      return c;
    }
    const mol = item.build();
    const off = item.offset;
    const shifted = off ? { ...mol, positions: mol.positions.map((x, i) => x + off[i % 3]!) } : mol;
    const blob = new Blob([moleculeToSdf(shifted)], { type: 'text/plain' });
    c = (autoLoad(blob, { ext: 'sdf', name: item.key }) as Promise<Structure>).then((structure) => {
      const component = this.stage.addComponentFromObject(structure, { visible: false }) as StructureComponent;
      component.addRepresentation('ball+stick', BALL_AND_STICK);
      const atoms = atomSelection(item.halo ?? []);
      this.halos.set(component, { repr: component.addRepresentation('spacefill', { ...HALO, sele: atoms, visible: atoms !== 'none' }), atoms });
      return component;
    });
    this.cache.set(item.key, c);
    this.evict();
    return c;
  }

  private evict(): void {
    for (const [key, c] of this.cache) {
      if (this.cache.size <= MAX_CACHED) break;
      this.cache.delete(key);
      void c.then((component) => {
        if (!this.shown.includes(component)) this.stage.removeComponent(component);
      });
    }
  }

  /** Disposes every component (a new file or a new generation). */
  clear(): void {
    this.generation++;
    this.prefetchTicket++;
    this.cache.clear();
    this.stage.removeAllComponents();
    this.shown = [];
    this.shownTags = [];
  }

  /**
   * Replaces what is shown by `items`. The new components are made visible and the old ones hidden in
   * the same task, so the canvas never shows an empty frame between two frames of the animation. A
   * call superseded by a later one (fast scrubbing) gives up without touching the stage.
   */
  async show(items: Placed[]): Promise<boolean> {
    const ticket = ++this.generation;
    const next = await Promise.all(items.map((i) => this.component(i)));
    if (ticket !== this.generation) return false;
    // The halo follows the held atoms, which change by the click on the same frame's component.
    next.forEach((c, i) => {
      const halo = this.halos.get(c);
      const atoms = atomSelection(items[i]!.halo ?? []);
      if (!halo || halo.atoms === atoms) return;
      halo.repr.setSelection(atoms);
      halo.repr.setVisibility(atoms !== 'none');
      halo.atoms = atoms;
    });
    for (const c of next) c.setVisibility(true);
    for (const c of this.shown) if (!next.includes(c)) c.setVisibility(false);
    this.shown = next;
    this.shownTags = items.map((i) => i.tag);
    return true;
  }

  /**
   * Points the camera at everything the items cover (all frames of a molecule), without animation:
   * NGL's autoView would jump at every frame as the noise cloud contracts. The box comes from the raw
   * coordinates, so no frame needs to be built for it. With `orientBy`, the view is turned to that
   * molecule's principal axes (its widest face to the camera); with `'keep'`, not turned at all (a
   * chain growing live); without, to NGL's default orientation (the grid is laid out in that plane).
   */
  async frame(items: Placed[], orientBy?: Placed | 'keep'): Promise<void> {
    const reference = orientBy === undefined || orientBy === 'keep' ? items[0] : orientBy;
    if (!reference) return;
    // three.js's Box3/Vector3 reached through NGL's own objects (three is NGL's dependency, not ours).
    const structure = (await this.component(reference)).structure;
    const box = structure.boundingBox.clone().makeEmpty();
    const point = structure.center.clone();
    for (const item of items) {
      const p = item.positions;
      const [dx, dy, dz] = item.offset ?? [0, 0, 0];
      for (let i = 0; i < p.length; i += 3) box.expandByPoint(point.set(p[i]! + dx, p[i + 1]! + dy, p[i + 2]! + dz));
    }
    box.getCenter(point);
    if (orientBy !== 'keep') this.stage.animationControls.rotate(orientBy ? structure.getPrincipalAxes().getRotationQuaternion() : [0, 0, 0, 1], 0);
    this.stage.animationControls.zoomMove(point, this.stage.getZoomForBox(box), 0);
  }

  /**
   * Builds the components of `items` in the background, one per idle period, so that the first
   * playback is as smooth as the next. A later call (another molecule, a new file) replaces this one.
   */
  async prefetch(items: Placed[]): Promise<void> {
    const ticket = ++this.prefetchTicket;
    for (const item of items) {
      await new Promise<void>((resolve) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => resolve()) : setTimeout(resolve, 0)));
      if (ticket !== this.prefetchTicket) return;
      if (!this.cache.has(item.key)) await this.component(item);
    }
  }

  /** Calls `callback` with the tag of the molecule the user clicks. */
  onPick(callback: (tag: number) => void): void {
    this.stage.signals.clicked.add((proxy: { component?: unknown } | undefined) => {
      const tag = proxy?.component ? this.shownTags[this.shown.indexOf(proxy.component as StructureComponent)] : undefined;
      if (tag !== undefined) callback(tag);
    });
  }

  /**
   * Holding atoms: a click (and a double-click) on an atom reports it, without NGL's default of
   * moving the view to it, and shift-drag is left to the box selection instead of zooming. Off, NGL's
   * defaults come back.
   */
  setHoldControls(on: boolean): void {
    const controls = this.stage.mouseControls;
    controls.remove('clickPick-left');
    controls.remove('drag-shift-left');
    if (!on) {
      controls.add('clickPick-left', MouseActions.movePick);
      controls.add('drag-shift-left', MouseActions.zoomDrag);
    }
  }

  /**
   * Calls `callback` with the atom (0-based, in the first molecule shown) that the user clicks, or
   * double-clicks. NGL reports a double-click just before the click that completes it.
   */
  onAtomPick(callback: (atom: number, double: boolean) => void): void {
    type Picked = { component?: unknown; atom?: { index: number }; closestBondAtom?: { index: number } } | undefined;
    const atomOf = (proxy: Picked) => (proxy?.component !== undefined && proxy.component === this.shown[0] ? (proxy.atom ?? proxy.closestBondAtom)?.index : undefined);
    this.stage.signals.clicked.add((proxy: Picked) => {
      const atom = atomOf(proxy);
      if (atom !== undefined) callback(atom, false);
    });
    this.stage.mouseObserver.signals.doubleClicked.add((x: number, y: number) => {
      const atom = atomOf(this.stage.pickingControls.pick(x, y) as Picked);
      if (atom !== undefined) callback(atom, true);
    });
  }

  /** Where each atom of the first molecule shown is on the canvas (CSS pixels from its top left corner). */
  screenPositions(): ScreenPoint[] {
    const component = this.shown[0];
    if (!component) return [];
    const point = component.structure.center.clone();
    const canvas = this.stage.viewerControls;
    const height = this.stage.viewer.height;
    const out: ScreenPoint[] = [];
    component.structure.eachAtom((a) => {
      // NGL counts canvas y from the bottom.
      const p = canvas.getPositionOnCanvas(point.set(a.x, a.y, a.z).applyMatrix4(component.matrix));
      out.push({ x: p.x, y: height - p.y });
    });
    return out;
  }

  /** The atoms ringed as held in each molecule shown (for tests). */
  haloAtoms(): number[][] {
    return this.shown.map((c) => {
      const atoms = this.halos.get(c)?.atoms ?? 'none';
      return atoms === 'none' ? [] : atoms.slice(1).split(',').map(Number);
    });
  }

  /** Coordinates of every atom shown, component by component, as NGL holds them (for tests). */
  atomPositions(): number[][] {
    return this.shown.map((c) => {
      const out: number[] = [];
      c.structure.eachAtom((a) => out.push(a.x, a.y, a.z));
      return out;
    });
  }

  /** Element symbols and bond count of what is shown, as NGL holds them (for tests). */
  shownSummary(): { atoms: number; bonds: number; elements: string[] }[] {
    return this.shown.map((c) => {
      const elements: string[] = [];
      c.structure.eachAtom((a) => elements.push(a.element));
      return { atoms: c.structure.atomCount, bonds: c.structure.bondCount, elements };
    });
  }

  /** A PNG of the current view at `factor` times the canvas size. */
  image(factor = 2): Promise<Blob> {
    return this.stage.makeImage({ factor, antialias: true, trim: false, transparent: false });
  }
}
