// Turns the bytes of a file the user opened (drop, file picker, ?file= URL, standalone embed) into a
// Trajectory. Parsing is core's: this only decides which reader a file needs.
import { parseSdf, parseXyz, trajectoryFromJson, trajectoryFromSdfRecords, type Trajectory } from '@equimol/core';

/** A file the viewer can show: trajectory SDF or JSON, plain SDF/MOL/XYZ. */
export interface OpenedFile {
  name: string;
  trajectory: Trajectory;
}

/** Thrown for a file the viewer has no reader for. */
export class UnsupportedFileError extends Error {
  constructor(name: string, reason: string) {
    super(`${name}: ${reason}`);
    this.name = 'UnsupportedFileError';
  }
}

function extensionOf(name: string): string {
  const base = name.split(/[?#]/)[0]!.split('/').pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * Reads a trajectory (or plain molecule file) from its text; the extension picks the reader. Records
 * carrying the sampler's data fields (molecule, frame, …) become frames; other records molecules.
 */
export function trajectoryFromText(name: string, text: string): Trajectory {
  const ext = extensionOf(name);
  const looksJson = text.trimStart().startsWith('{');
  if (ext === 'json' || (ext === '' && looksJson)) return trajectoryFromJson(text, name);
  if (ext === 'sdf' || ext === 'sd' || ext === 'mol' || ext === '') {
    return trajectoryFromSdfRecords(parseSdf(text, { source: name }), name);
  }
  // Each XYZ frame is a molecule of its own, as each record of a plain SDF is.
  if (ext === 'xyz') return trajectoryFromSdfRecords(parseXyz(text, { source: name }), name);
  throw new UnsupportedFileError(name, `the viewer reads .sdf, .mol, .xyz and equimol trajectory .json files, not .${ext}`);
}

/**
 * Reads a file: gunzipped by the browser when its name ends in `.gz` (e.g. `run.sdf.gz`), then by the
 * reader the remaining extension names.
 */
export async function openBlob(name: string, body: Blob): Promise<OpenedFile> {
  if (!/\.gz$/i.test(name)) return { name, trajectory: trajectoryFromText(name, await body.text()) };
  const text = await new Response(body.stream().pipeThrough(new DecompressionStream('gzip'))).text();
  return { name, trajectory: trajectoryFromText(name.replace(/\.gz$/i, ''), text) };
}

/** Fetches a served file (`?file=` URL) and reads it. */
export async function openUrl(url: string): Promise<OpenedFile> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: the server answered ${response.status} ${response.statusText}`);
  const served = decodeURIComponent(url.split(/[?#]/)[0]!.split('/').pop() || url);
  return openBlob(served, await response.blob());
}

/** Reads a local file (drag-and-drop or the file picker). */
export async function openLocalFile(file: File): Promise<OpenedFile> {
  return openBlob(file.name, file);
}
