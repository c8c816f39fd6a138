import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../modelFormat/modelFormat.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { MoleculeDataset } from '../data/dataset.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { parseSdf } from '../io/sdf.js';
import { Rng } from '../random/rng.js';
import { fixturePath, tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { datasetNll } from './datasetNll.js';

describe('dataset NLL', () => {
  beforeAll(useTestBackend);
  const dataset = MoleculeDataset.fromMolecules(parseSdf(readFileSync(fixturePath('chem/qm9-train-sample.sdf'), 'utf8')), qm9Encoding(true), {
    name: 'fixture',
    source: 'fixture',
    filters: [],
  });
  const base = createModel({ name: 't', egnn: tinyEgnnConfig(6), schedule: EDM_QM9_SCHEDULE, encoding: qm9Encoding(true), atomCountHistogram: [1] });
  const model = { ...base, params: base.dynamics.layout.initialise(new Rng(1)) };

  it('averages finite per-molecule bounds and their terms; same seed, same estimate', async () => {
    const a = await datasetNll(model, dataset, { seed: 3 });
    const b = await datasetNll(model, dataset, { seed: 3 });
    expect(a).toEqual(b);
    expect(a.molecules).toBe(dataset.count);
    expect(Number.isFinite(a.nll)).toBe(true);
    expect(a.nll).toBeCloseTo(a.terms.klPrior + a.terms.diffusion + a.terms.l0 + a.terms.constants, 6);
    expect(a.standardError).toBeGreaterThan(0);
  });

  it('refuses a dataset encoded differently from the model', async () => {
    const heavy = createModel({ name: 't', egnn: tinyEgnnConfig(5), schedule: EDM_QM9_SCHEDULE, encoding: qm9Encoding(false), atomCountHistogram: [1] });
    await expect(datasetNll(heavy, dataset)).rejects.toThrow(/differs from the model's/);
  });
});
