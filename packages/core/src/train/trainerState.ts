import { type ContainerKind, packContainer, unpackContainer } from '../io/binaryContainer.js';
import type { RngState } from '../random/rng.js';
import type { AdamState } from './adam.js';

/** The JSON header of a trainer checkpoint (see `trainerStateToBytes`), plus any extra fields. */
interface CheckpointHeader {
  format?: string;
  version?: number;
  step: number;
  epoch: number;
  batchInEpoch: number;
  adamStep: number;
  rng: RngState;
  clipHistory: number[];
  bestValidationLoss: number | null;
  elapsedSeconds: number;
  arrays: { name: string; length: number }[];
  [extra: string]: unknown;
}

/** Everything needed to continue training exactly where it stopped. */
export interface TrainerState {
  step: number;
  epoch: number;
  /** Index of the next batch within the epoch's batch plan. */
  batchInEpoch: number;
  params: Float32Array;
  ema: Float32Array;
  adam: AdamState;
  rng: RngState;
  clipHistory: number[];
  bestValidationLoss: number | null;
  /** Seconds of training so far (across resumes). */
  elapsedSeconds: number;
}

const TRAINER_STATE_CONTAINER: ContainerKind = { magic: 'EQMT', format: 'equimol-trainer-state', version: 1, what: 'trainer checkpoint' };

/** Serialises trainer state (an "EQMT" container, see `io/binaryContainer.ts`): scalars in the header, float32 arrays after it. */
export function trainerStateToBytes(state: TrainerState, extra: Record<string, unknown> = {}): Uint8Array {
  const arrays: [string, Float32Array][] = [
    ['params', state.params],
    ['ema', state.ema],
    ['adam.m', state.adam.m],
    ['adam.v', state.adam.v],
    ['adam.vMax', state.adam.vMax],
  ];
  const header = {
    step: state.step,
    epoch: state.epoch,
    batchInEpoch: state.batchInEpoch,
    adamStep: state.adam.step,
    rng: state.rng,
    clipHistory: state.clipHistory,
    bestValidationLoss: state.bestValidationLoss,
    elapsedSeconds: state.elapsedSeconds,
    arrays: arrays.map(([name, a]) => ({ name, length: a.length })),
    ...extra,
  };
  return packContainer(TRAINER_STATE_CONTAINER, header, arrays.map(([, a]) => a));
}

/** Reads trainer state written by `trainerStateToBytes`; `extra` holds the header's other fields. */
export function trainerStateFromBytes(bytes: Uint8Array, source = 'checkpoint'): { state: TrainerState; extra: Record<string, unknown> } {
  const { header, next } = unpackContainer<CheckpointHeader>(bytes, TRAINER_STATE_CONTAINER, source);
  const arrays: Record<string, Float32Array> = {};
  for (const { name, length } of header.arrays) arrays[name] = next(Float32Array, length, name);
  const { step, epoch, batchInEpoch, adamStep, rng, clipHistory, bestValidationLoss, elapsedSeconds, arrays: _a, format: _f, version: _v, ...extra } = header;
  const state: TrainerState = {
    step,
    epoch,
    batchInEpoch,
    params: arrays['params']!,
    ema: arrays['ema']!,
    adam: { step: adamStep, m: arrays['adam.m']!, v: arrays['adam.v']!, vMax: arrays['adam.vMax']! },
    rng,
    clipHistory,
    bestValidationLoss,
    elapsedSeconds,
  };
  return { state, extra };
}
