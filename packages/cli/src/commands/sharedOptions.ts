// Options that several commands accept, declared once so that each reads the same in every command's
// help and means the same to every action; and the typing that derives a command's arguments from
// its builder, so that no hand-written interface can drift from the options actually declared.
import type { Argv, Options } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { DEFAULT_MODEL } from '../models.js';
import { BACKEND_NAMES } from '../options.js';

/** `-f/--force`: replace output files that exist. */
export const forceOption = { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite existing output files' } as const satisfies Options;

/** `--skip-invalid`: skip bad records (counted, the first one named) instead of stopping at the first. */
export const skipInvalidOption = {
  type: 'boolean',
  default: false,
  describe: 'Skip malformed records (and, for data build, molecules that do not fit the dataset) instead of stopping at the first; they are counted and the first is named',
} as const satisfies Options;

/** `--backend`: the tfjs backend to compute with. */
export const backendOption = { choices: BACKEND_NAMES, describe: 'tfjs backend (default: $EQUIMOL_BACKEND, else the fastest that loads)' } as const satisfies Options;

/** `--gpu N`: which GPU adapter the webgpu backend opens (`equimol info --backend webgpu` lists them). */
export const gpuOption = {
  type: 'number',
  describe: 'GPU adapter for the webgpu backend, numbered from 0 as `equimol info --backend webgpu` lists them (default: the one Dawn prefers)',
} as const satisfies Options;

/**
 * `-m/--model`: a model by name or directory. No yargs default, so that `view --export` can refuse an
 * explicit --model; the commands apply DEFAULT_MODEL themselves.
 */
export const modelOption = {
  alias: 'm',
  type: 'string',
  describe: `Model: a name under data/models (or $EQUIMOL_MODELS) or a model directory (default: ${DEFAULT_MODEL})`,
} as const satisfies Options;

/** `-j/--workers`: worker threads. What an omitted count means differs by command, so each says it. */
export function workersOption(whenOmitted: string) {
  return { alias: 'j', type: 'number', describe: `Worker threads (default: ${whenOmitted})` } as const satisfies Options;
}

/** `batch-size` → `batchSize`, as yargs names the parsed value. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The arguments yargs infers from a command's builder (what `CommandModule<GlobalArgs, …>` needs). */
export type BuilderArgs<Builder extends (y: Argv<GlobalArgs>) => unknown> = ReturnType<Builder> extends Argv<infer U> ? U : never;

/**
 * What a command's action receives: the builder's options under their camelCase names, with the
 * types yargs infers from them, and no catch-all index signature, so a misspelt option name does not compile.
 */
export type ArgsOf<Builder extends (y: Argv<GlobalArgs>) => unknown> = {
  [K in keyof BuilderArgs<Builder> as K extends string ? CamelCase<K> : K]: BuilderArgs<Builder>[K];
};
