// In-browser generation: the page runs @equimol/core's sampler with the shipped model on tfjs's wasm
// backend and streams the reverse chain into the viewer. This module is the UI's only view of it.
import type { Trajectory } from '@equimol/core';

/** What the Generate form asks for. */
export interface GenerateOptions {
  /** Molecules to sample. */
  count: number;
  /** Reverse diffusion steps T (fewer is faster and noisier). */
  steps: number;
  seed: number;
  /** Atoms per molecule; drawn from the model's atom-count histogram when omitted. */
  atomCount?: number;
  /** Save a frame every this many steps (plus the first and the last). */
  trajectoryEvery: number;
}

/** Reported while sampling: the trajectory so far (frames grow) and how far the chain is. */
export interface GenerateProgress {
  trajectory: Trajectory;
  /** Reverse steps done, of `total`. */
  done: number;
  total: number;
}

/** A loaded model that can sample in this page. */
export interface MoleculeGenerator {
  /** Human-readable description of the model (name, parameters), for the UI. */
  readonly description: string;
  generate(options: GenerateOptions, onProgress: (p: GenerateProgress) => void): Promise<Trajectory>;
}

/** Why generation cannot run here (shown on the disabled Generate button). */
export class GenerationUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'GenerationUnavailableError';
  }
}

/**
 * Loads the model served at `modelUrl` (a tfjs weight manifest `model.json` next to its `weights.bin`)
 * into a generator. Throws `GenerationUnavailableError` when this build of core has no sampler.
 */
export async function loadGenerator(modelUrl: string): Promise<MoleculeGenerator> {
  throw new GenerationUnavailableError(
    `in-browser generation is not wired yet: @equimol/core does not export loadCheckpoint/sampleMolecules (model: ${modelUrl})`,
  );
}
