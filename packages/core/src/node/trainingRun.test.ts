import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../data/buildDataset.js';
import { fixturePath, useTestBackend } from '../testing/fixtures.js';
import { readSdfFile } from './readMolecules.js';
import { runTraining } from './trainingRun.js';

const work = mkdtempSync(join(tmpdir(), 'equimol-run-'));
const datasetPath = join(work, 'fixture.eqd');

beforeAll(async () => {
  await useTestBackend();
  const ds = await buildDataset(readSdfFile(fixturePath('chem/qm9-train-sample.sdf')), { name: 'fixture', source: 'fixture', elements: ['H', 'C', 'N', 'O', 'F'] });
  writeFileSync(datasetPath, ds.toBytes());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('runTraining', () => {
  it('on resume drops the log records written after the checkpoint it resumes from', async () => {
    const outDir = join(work, 'run');
    const training = { batchSize: 2, microBatch: 2, maxSteps: 4, logEvery: 1, checkpointEvery: 2, validationFraction: 0, validateEvery: 0 };
    await runTraining({ outDir, print: () => {}, config: { dataset: datasetPath, egnn: { hiddenSize: 16, layers: 2 }, training } });
    // As after kill -9 at step 4, just before its checkpoint: the newest checkpoint is step 2, the
    // log goes on to step 4 and ends in a torn line. A record without a step is kept.
    const checkpoints = join(outDir, 'checkpoints');
    copyFileSync(join(checkpoints, 'step-00000002.eqt'), join(checkpoints, 'latest.eqt'));
    const logPath = join(outDir, 'train.jsonl');
    appendFileSync(logPath, JSON.stringify({ type: 'note', text: 'no step' }) + '\n' + '{"type":"train","st');

    await runTraining({ outDir, resume: true, print: () => {} });
    const log = readFileSync(logPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; step?: number });
    expect(log.filter((r) => r.type === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(log.filter((r) => r.type === 'note')).toHaveLength(1);
  });
});
