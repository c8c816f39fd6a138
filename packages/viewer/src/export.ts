// Exports of what the stage shows: a PNG of the current frame, the animation as a WebM video, the
// molecules as SDF.
import { heldAtomsField, type Molecule } from '@equimol/core';
import { frameWithBonds, type ViewerApp } from './app.js';
import { exportGeneratedMolecule, moleculesToSdf } from './chem.js';

/** Saves a blob under `filename` through the browser's download. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name stem for the current view, e.g. `run-mol2-frame07`. */
export function exportStem(app: ViewerApp): string {
  const s = app.state;
  const base = (s.name || 'equimol').replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
  const what = s.layout === 'grid' ? 'grid' : `mol${s.molecule}`;
  return `${base}-${what}-frame${String(s.frame).padStart(String(Math.max(1, s.frameCount - 1)).length, '0')}`;
}

/** PNG of the current frame at twice the canvas resolution. */
export async function framePng(app: ViewerApp): Promise<Blob> {
  await app.settled();
  return app.stage.image(2);
}

const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether this browser can record the canvas as WebM. */
export function canRecordWebm(): boolean {
  return typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported('video/webm');
}

/**
 * Records the whole animation of the current view (first to last frame, at the player's speed, the
 * final frame held for a second) as WebM. MediaRecorder timestamps frames by wall-clock time, so the
 * recording plays the frames in real time rather than as fast as they render.
 */
export async function recordWebm(app: ViewerApp, onFrame?: (frame: number, total: number) => void): Promise<Blob> {
  const { fps, frameCount } = app.player.snapshot;
  app.player.pause();
  const stream = app.stage.canvas.captureStream(60);
  const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? 'video/webm';
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 4_000_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start();
  for (let f = 0; f < frameCount; f++) {
    const started = performance.now();
    app.player.seek(f);
    await app.settled();
    await nextPaint();
    onFrame?.(f, frameCount);
    const hold = f === frameCount - 1 ? 1000 : 1000 / fps;
    await sleep(Math.max(0, hold - (performance.now() - started)));
  }
  recorder.stop();
  await stopped;
  for (const track of stream.getTracks()) track.stop();
  return new Blob(chunks, { type: 'video/webm' });
}

/**
 * The last frame of every finished molecule (not one still being sampled, or whose sampling failed)
 * as SDF, with the bonds core perceives; a bond model's molecule with its generated graph, exported
 * as `equimol sample` exports it (core's `finishGeneratedMolecule`: data fields SMILES, valid,
 * `bonds: generated`). Atoms shown as held are named in the `held_atoms` data field,
 * as `equimol sample --fix` writes it (a generated molecule's held atoms come first: "1-6"). Atoms
 * are written as the view has them: a heavy-atom model's molecules without hydrogens.
 */
export function finalFramesSdf(app: ViewerApp): string {
  const s = app.state;
  const molecules: Molecule[] = (s.trajectory?.molecules ?? []).flatMap((m, i) => {
    const last = m.frames[m.frames.length - 1];
    if (!last || i === s.sampling || i === s.failed?.molecule) return [];
    const properties: Record<string, string> = s.held.length > 0 ? { held_atoms: heldAtomsField(s.held) } : {};
    const title = m.title ?? `${s.name} #${m.index}`;
    if (last.bonds) {
      const exported = exportGeneratedMolecule({ ...frameWithBonds(last), title });
      return [{ ...exported, properties: { ...exported.properties, ...properties } }];
    }
    return [{ ...frameWithBonds(last), title, properties }];
  });
  return moleculesToSdf(molecules);
}
