// A small window API for end-to-end tests (and curious users in the console): read what NGL shows and
// drive the viewer without synthesising mouse events. The UI reports into it (errors, generation
// updates with a copy of the drawn positions) but never reads from it.
import type { Trajectory } from '@equimol/core';
import type { ViewerApp } from './app.js';
import type { GenerateOptions } from './generate.js';

/**
 * One update of in-page generation, recorded once the viewer has drawn it: new frames of a chain
 * (all that arrived since the previous draw; the view shows the newest), or its finished molecule.
 */
export interface GenerationEvent {
  /** Live frames of a chain, or its finished molecule. */
  event: 'frame' | 'molecule';
  /** The molecule's index in the batch. */
  index: number;
  /** Frames the viewer then holds for that molecule. */
  frames: number;
  /** The side panel's step readout then (the frame shown). */
  step: string;
  /** Coordinates of that molecule's newest frame. */
  positions: number[];
}

/** `window.__equimol`. */
export interface ViewerTestHook {
  /** The page opened its file (or had none to open). */
  ready: boolean;
  /** The page found out whether in-browser generation is available (`generate` is set when it is). */
  generationChecked: boolean;
  /** Message of the last error shown to the user. */
  lastError: string | undefined;
  /** Molecule/frame counts and the current selection. */
  state(): { molecules: number; frames: number; molecule: number; frame: number; layout: string; playing: boolean };
  /** Text of the side panel's facts, by field (formula, smiles, valid, stable, atoms, bonds, step, t, snr, gamma). */
  panel(): Record<string, string>;
  /** Goes to a frame and resolves once NGL shows it. */
  setFrame(frame: number): Promise<void>;
  /** Selects a molecule and resolves once NGL shows it. */
  selectMolecule(index: number): Promise<void>;
  /** Coordinates of the atoms NGL shows, one flat array per shown molecule. */
  atomPositions(): number[][];
  /** Atom, bond and element lists of the structures NGL shows. */
  shown(): { atoms: number; bonds: number; elements: string[] }[];
  /** Atoms shown as held (0-based): picked to hold, or a generation's held part. */
  held(): number[];
  /** The atoms ringed as held in each molecule NGL shows. */
  halo(): number[][];
  /** Where each atom of the molecule shown is on the page (client coordinates), to point the mouse at it. */
  atomScreenPositions(): { x: number; y: number }[];
  /** In-browser generation, when available. */
  generate?: (options: GenerateOptions) => Promise<Trajectory>;
  /** What the last generation reported, in the order the viewer drew it. */
  generationLog: GenerationEvent[];
}

declare global {
  interface Window {
    __equimol?: ViewerTestHook;
  }
}

export function installTestHook(app: ViewerApp): ViewerTestHook {
  const hook: ViewerTestHook = {
    ready: false,
    generationChecked: false,
    lastError: undefined,
    generationLog: [],
    state() {
      const s = app.state;
      return {
        molecules: s.trajectory?.molecules.length ?? 0,
        frames: s.frameCount,
        molecule: s.molecule,
        frame: s.frame,
        layout: s.layout,
        playing: app.player.snapshot.playing,
      };
    },
    panel() {
      const ids = ['formula', 'smiles', 'valid', 'stable', 'atoms', 'bonds', 'step', 't', 'snr', 'gamma'];
      return Object.fromEntries(ids.map((id) => [id, document.getElementById(id)?.textContent ?? '']));
    },
    async setFrame(frame) {
      app.player.pause();
      app.player.seek(frame);
      await app.settled();
    },
    async selectMolecule(index) {
      await app.select(index);
      await app.settled();
    },
    atomPositions: () => app.stage.atomPositions(),
    shown: () => app.stage.shownSummary(),
    held: () => [...app.state.held],
    halo: () => app.stage.haloAtoms(),
    atomScreenPositions() {
      const r = app.stage.canvas.getBoundingClientRect();
      return app.stage.screenPositions().map((p) => ({ x: p.x + r.left, y: p.y + r.top }));
    },
  };
  window.__equimol = hook;
  return hook;
}
