import type { Model } from '../modelFormat/modelFormat.js';
import { collateBatch, sizeGroupedBatches } from '../data/batch.js';
import type { MoleculeDataset } from '../data/dataset.js';
import { estimateNll, refuseBondModels } from '../diffusion/likelihood.js';
import { disposeParameters } from '../model/parameters.js';
import { Rng } from '../random/rng.js';
import { EquimolError } from '../errors.js';

/** Mean negative log-likelihood of a dataset under a model, as EDM reports it (nats per molecule). */
export interface DatasetNll {
  molecules: number;
  /** Mean −log p(x, h) over molecules. */
  nll: number;
  /** Standard error of the mean (the estimator samples one t per molecule). */
  standardError: number;
  /** Mean of each term: prior KL, diffusion (T·L_t), L_0, normalising constants. */
  terms: { klPrior: number; diffusion: number; l0: number; constants: number };
}

/**
 * EDM's test-set NLL: the variational bound estimated with one random t per molecule plus the exact
 * t = 0 term, averaged over the dataset. The dataset must use the model's atom encoding.
 */
export async function datasetNll(
  model: Model,
  dataset: MoleculeDataset,
  options: { seed?: number; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<DatasetNll> {
  refuseBondModels(model.dynamics.config.bondClasses);
  const want = JSON.stringify(model.meta.encoding);
  if (JSON.stringify(dataset.encoding) !== want) {
    throw new EquimolError(`dataset encoding ${JSON.stringify(dataset.encoding)} differs from the model's ${want}`);
  }
  const rng = Rng.stream(options.seed ?? 0, 'nll-noise');
  const params = model.dynamics.layout.toTensors(model.params);
  const values: number[] = [];
  const sums = { klPrior: 0, diffusion: 0, l0: 0, constants: 0 };
  try {
    for (const indices of sizeGroupedBatches(dataset, options.batchSize ?? 64, Rng.stream(options.seed ?? 0, 'nll-batches'))) {
      const terms = await estimateNll(model.dynamics, params, model.schedule, model.meta.encoding, collateBatch(dataset, indices), rng);
      for (let b = 0; b < indices.length; b++) {
        values.push(terms.nll[b]!);
        sums.klPrior += terms.klPrior[b]!;
        sums.diffusion += terms.diffusion[b]!;
        sums.l0 += terms.l0[b]!;
        sums.constants += terms.constants[b]!;
      }
      options.onProgress?.(values.length, dataset.count);
    }
  } finally {
    disposeParameters(params);
  }
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1);
  return {
    molecules: n,
    nll: mean,
    standardError: Math.sqrt(variance / n),
    terms: { klPrior: sums.klPrior / n, diffusion: sums.diffusion / n, l0: sums.l0 / n, constants: sums.constants / n },
  };
}
