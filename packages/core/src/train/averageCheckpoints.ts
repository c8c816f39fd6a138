import { createModel, type Model } from '../modelFormat/modelFormat.js';
import { EquimolError } from '../errors.js';
import type { TrainerState } from './trainerState.js';

// Post-hoc weight averaging: a model whose weights are the plain mean of the EMA weights of several
// trainer checkpoints of one run. EMA 0.999 averages over ~1,000 steps; the mean of checkpoints
// spread over the last few thousand steps is a longer average, which smooths what the optimiser's
// noise leaves in the weights (cf. checkpoint averaging; Karras et al. 2024, post-hoc EMA).

/** One checkpoint to average: where it came from (for messages and provenance) and its trainer state. */
export interface CheckpointToAverage {
  source: string;
  state: Pick<TrainerState, 'step' | 'ema'>;
}

/** Options of `averageCheckpoints`. */
export interface AverageCheckpointsOptions {
  /** Where the base model came from, for messages (default: its name). */
  modelSource?: string;
  /** The command that made the average, recorded in the model's `training` provenance. */
  command?: string;
}

/**
 * The model whose weights are the mean of the checkpoints' EMA weights. Its model.json is the base
 * model's: the model the run exported with the latest of the checkpoints, whose step, epoch and time
 * stay true; its `training` record names the checkpoints averaged. Throws an input error when the
 * base model is from another step or a checkpoint has another architecture.
 */
export function averageCheckpoints(base: Model, checkpoints: readonly CheckpointToAverage[], options: AverageCheckpointsOptions = {}): Model {
  const modelSource = options.modelSource ?? base.meta.name;
  if (checkpoints.length === 0) throw new EquimolError('no checkpoints to average', { kind: 'usage' });
  const sum = new Float64Array(base.params.length);
  for (const { source, state } of checkpoints) {
    if (state.ema.length !== sum.length) {
      throw new EquimolError(`${source}: ${state.ema.length} weights, but ${modelSource} has ${sum.length}: not the same architecture`, { file: source });
    }
    for (let i = 0; i < sum.length; i++) sum[i]! += state.ema[i]!;
  }
  const steps = checkpoints.map((c) => c.state.step).sort((a, b) => a - b);
  const lastStep = steps[steps.length - 1]!;
  const modelStep = base.meta.training?.step;
  if (modelStep !== lastStep) {
    throw new EquimolError(
      `${modelSource} is the model of step ${modelStep}, the latest checkpoint is step ${lastStep}: pass the model exported with that checkpoint (its epoch and time are kept)`,
    );
  }
  const mean = Float32Array.from(sum, (s) => s / checkpoints.length);
  const { weightsManifest: _manifest, format: _format, formatVersion: _version, ...meta } = base.meta;
  const training: Record<string, unknown> = {
    ...meta.training,
    weights: `mean of the EMA weights of ${checkpoints.length} checkpoints, steps ${steps.join(', ')}`,
    averagedCheckpoints: checkpoints.map((c) => c.source.split(/[\\/]/).pop()),
  };
  if (options.command !== undefined) training.averageCommand = options.command;
  return createModel({ ...meta, training }, mean);
}
