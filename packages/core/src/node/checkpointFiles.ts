import { readFile } from 'node:fs/promises';
import { type TrainerState, trainerStateFromBytes } from '../train/trainerState.js';

/** Reads a trainer checkpoint (`.eqt`) from disk; a file that is not one names itself in the error. */
export async function readTrainerStateFile(path: string): Promise<{ state: TrainerState; extra: Record<string, unknown> }> {
  return trainerStateFromBytes(new Uint8Array(await readFile(path)), path);
}
