import { parseJsonText } from '../io/errors.js';
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

const MAGIC = [0x45, 0x51, 0x4d, 0x54]; // "EQMT"

/** Serialises trainer state: magic, JSON header, then float32 arrays (4-byte aligned). */
export function trainerStateToBytes(state: TrainerState, extra: Record<string, unknown> = {}): Uint8Array {
  const arrays: [string, Float32Array][] = [
    ['params', state.params],
    ['ema', state.ema],
    ['adam.m', state.adam.m],
    ['adam.v', state.adam.v],
    ['adam.vMax', state.adam.vMax],
  ];
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: 'equimol-trainer-state',
      version: 1,
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
    }),
  );
  const headerPadded = (header.length + 3) & ~3;
  const total = 8 + headerPadded + arrays.reduce((s, [, a]) => s + a.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  let offset = 8 + headerPadded;
  for (const [, a] of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return out;
}

/** Reads trainer state written by `trainerStateToBytes`; `extra` holds the header's other fields. */
export function trainerStateFromBytes(bytes: Uint8Array, source = 'checkpoint'): { state: TrainerState; extra: Record<string, unknown> } {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error(`${source}: not an equimol trainer checkpoint`);
  const aligned = new Uint8Array(bytes); // a real copy, even for Node Buffers
  const view = new DataView(aligned.buffer);
  const headerLength = view.getUint32(4, true);
  const header = parseJsonText<CheckpointHeader>(
    new TextDecoder().decode(aligned.subarray(8, 8 + headerLength)),
    source,
    'the checkpoint header',
  );
  if (header.format !== 'equimol-trainer-state' || header.version !== 1) throw new Error(`${source}: unsupported checkpoint version`);
  let offset = 8 + ((headerLength + 3) & ~3);
  const arrays: Record<string, Float32Array> = {};
  for (const { name, length } of header.arrays) {
    if (offset + 4 * length > aligned.length) throw new Error(`${source}: truncated checkpoint (array ${name})`);
    arrays[name] = new Float32Array(aligned.buffer, offset, length);
    offset += 4 * length;
  }
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
