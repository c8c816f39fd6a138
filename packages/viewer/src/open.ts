// Turns the bytes of a file the user opened (drop, file picker, ?file= URL, standalone embed) into a
// Trajectory. Which reader a file needs is core's format table's answer, as for the CLI and Node.
import { formatAcceptList, isGzipName, moleculeFormatOf, trajectoryFromFile, type Trajectory } from '@equimol/core';

/** The file picker's `accept` list: every extension core's format table knows, and `.gz`. */
export const FILE_PICKER_ACCEPT = formatAcceptList();

/** A file the viewer can show: any format core reads (trajectory SDF or JSON; SDF, MOL, XYZ, npz, JSON lists). */
export interface OpenedFile {
  name: string;
  trajectory: Trajectory;
}

/**
 * Reads a file: gunzipped by the browser when its name ends in `.gz` (e.g. `run.sdf.gz`), then by the
 * reader its extension names. Records carrying the sampler's data fields (molecule, frame, …) become
 * frames; other molecules one-frame trajectories. A name no format claims fails before reading.
 */
export async function openBlob(name: string, body: Blob): Promise<OpenedFile> {
  moleculeFormatOf(name);
  const stream = isGzipName(name) ? body.stream().pipeThrough(new DecompressionStream('gzip')) : body.stream();
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return { name, trajectory: trajectoryFromFile(name, bytes) };
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
