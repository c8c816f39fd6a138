// NGL side of the viewer: turns core Molecules (with the bonds core perceived) into NGL structures
// and shows them as ball-and-stick with element colours. One route into NGL: each frame is written as
// an SDF record by core's writer and parsed by NGL's SDF parser, so NGL never guesses bonds itself.
import { autoLoad, Stage, type Structure, type StructureComponent } from 'ngl';
import type { Molecule } from '@equimol/core';
import { moleculeToSdf } from './chem.js';

/** One molecule to draw, at an offset (grid overview) or at the origin. */
const BALL_AND_STICK = { colorScheme: 'element', radiusScale: 1.0, aspectRatio: 2.2, multipleBond: 'symmetric', sphereDetail: 2, radialSegments: 16 } as const;

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
