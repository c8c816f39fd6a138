import type { TimestepSampling } from '../diffusion/noise.js';
import { EDM_ADAM, type AdamConfig } from './adam.js';

/** Everything that defines a training run (besides model architecture and data). */
export interface TrainingConfig {
  seed: number;
  /** Molecules per optimiser step (EDM: 64). */
  batchSize: number;
  /** Largest number of molecules per forward pass in one thread. */
  microBatch: number;
  /** Stop after this many optimiser steps (whichever of steps/epochs comes first). */
  maxSteps?: number;
  /** Stop after this many epochs. */
  maxEpochs?: number;
  optimizer: AdamConfig;
  /** EMA decay (EDM: 0.999); 0 disables EMA. */
  emaDecay: number;
  /**
   * Warm the EMA up: decay min(emaDecay, (1 + t)/(10 + t)) at step t, so early averages are not
   * dominated by the random initial weights (0.999^2500 ≈ 8 % of them still remain after 2,500
   * steps without it). EDM has no warm-up; runs configured without this field have none either.
   */
  emaWarmup?: boolean;
  /** EDM's adaptive gradient clipping. */
  clipGradients: boolean;
  /** 'l2': EDM's simple ε loss; 'vlb': the variational bound. */
  loss: 'l2' | 'vlb';
  /**
   * Non-uniform timestep draws for the training loss (absent: uniform, as EDM). The validation loss
   * always draws uniformly, so it stays comparable across runs. Only with loss 'l2'.
   */
  timestepSampling?: TimestepSampling;
  /** Fraction of the dataset held out for validation. */
  validationFraction: number;
  /** Validation molecules actually evaluated (a fixed subset keeps it cheap and comparable). */
  validationSize: number;
  /** Steps between validation losses. */
  validateEvery: number;
  /** Steps between log records. */
  logEvery: number;
  /** Steps between checkpoints. */
  checkpointEvery: number;
  /** Checkpoints kept besides the best and the latest. */
  keepCheckpoints: number;
  /** Steps between quick sampling evaluations (0 = never). */
  sampleEvery: number;
  /** Molecules sampled at each sampling evaluation. */
  sampleCount: number;
  /** Denoising steps used at each sampling evaluation. */
  sampleSteps: number;
  /** Worker threads (Node); 1 = in-process. */
  workers: number;
}

/** EDM's QM9 training settings at equimol's defaults for bookkeeping. */
export function defaultTrainingConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    seed: 0,
    batchSize: 64,
    microBatch: 64,
    optimizer: { ...EDM_ADAM },
    emaDecay: 0.999,
    emaWarmup: true,
    clipGradients: true,
    loss: 'l2',
    validationFraction: 0.02,
    validationSize: 512,
    validateEvery: 500,
    logEvery: 50,
    checkpointEvery: 500,
    keepCheckpoints: 2,
    sampleEvery: 0,
    sampleCount: 32,
    sampleSteps: 250,
    workers: 1,
    ...overrides,
  };
}
