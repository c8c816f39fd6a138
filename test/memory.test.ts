// Memory at sizes that used to abort the wasm heap (issue: training and sampling fit any molecule
// size): 120-atom molecules train and sample with the default, automatic micro-batches; a worker that
// runs out of memory anyway is restarted and its step retried without changing the result; and a
// molecule too large for any micro-batch stops the command before it starts working.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '@equimol/core/node';
import { relativeError } from '../packages/core/src/testing/fixtures.js';
import { equimol, FIXTURES, scratch } from './cli-run.js';

const { dir, remove } = scratch('memory');
afterAll(remove);

/** `count` molecules of `atoms` C/N/O atoms on a jittered 1.5 Å grid, as one XYZ file. */
function syntheticXyz(count: number, atoms: number): string {
  const rng = new core.Rng(5);
  const blocks: string[] = [];
  for (let m = 0; m < count; m++) {
    const lines = [`${atoms}`, `synthetic ${m}`];
    for (let a = 0; a < atoms; a++) {
      const [x, y, z] = [a % 5, Math.floor(a / 5) % 5, Math.floor(a / 25)].map((v) => 1.5 * v + 0.1 * rng.normal());
      lines.push(`${'CNO'[(a + m) % 3]} ${x!.toFixed(4)} ${y!.toFixed(4)} ${z!.toFixed(4)}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n') + '\n';
}

function params(path: string): Float32Array {
  return core.trainerStateFromBytes(new Uint8Array(readFileSync(path)), path).state.params;
}


describe('memory: automatic micro-batches', () => {
  const network = { hiddenSize: 16, layers: 2, invSublayers: 1 };

  beforeAll(() => {
    writeFileSync(join(dir, 'big.xyz'), syntheticXyz(70, 120));
    expect(equimol(['data', 'build', 'big.xyz', '-o', 'big.eqd'], dir).status).toBe(0);
  });

  it('trains 120-atom molecules with default options, where one pass of the old default micro-batch (the batch of 64) exceeds the wasm heap', () => {
    expect(core.estimatePeakBytes(network, { molecules: 64, atoms: 120 }, 'training')).toBeGreaterThan(core.memoryBudget('wasm').limitBytes);
    const r = equimol(['train', '--data', 'big.eqd', '--out', 'big-run', '--hidden', '16', '--layers', '2', '--steps', '3'], dir, { EQUIMOL_BACKEND: 'wasm' });
    expect(r.stderr).toMatch(/stopped at step 3/);
    expect(r.status).toBe(0);
    const micro = Number(r.stdout.match(/micro-batches \(auto, wasm budget [\d.]+ GiB\): 120 atoms: (\d+)/)![1]);
    expect(micro).toBeGreaterThan(1);
    expect(micro).toBeLessThan(64);
    expect(core.estimatePeakBytes(network, { molecules: micro, atoms: 120 }, 'training')).toBeLessThanOrEqual(core.memoryBudget('wasm').usableBytes);
  }, 300_000);

  it('samples 128 molecules of 120 atoms in 3 steps, where one evaluation of all 128 exceeds the wasm heap', () => {
    expect(core.estimatePeakBytes(network, { molecules: 128, atoms: 120 }, 'inference')).toBeGreaterThan(core.memoryBudget('wasm').limitBytes);
    const r = equimol(['sample', '-m', 'big-run/model', '-n', '128', '--atoms', '120', '--steps', '3', '--batch-size', '128', '--no-hydrogens', '-o', 'big.sdf'], dir, { EQUIMOL_BACKEND: 'wasm' });
    expect(r.stderr).not.toMatch(/failed|out of bounds|Aborted/);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'big.sdf'), 'utf8').split('$$$$\n').length - 1).toBe(128);
  }, 300_000);

  it('restarts a worker that runs out of memory and retries its step with half the micro-batch: the weights equal an undisturbed run', () => {
    expect(equimol(['data', 'build', join(FIXTURES, 'chem/qm9-train-sample.sdf'), '-o', 'tiny.eqd', '--remove-hydrogens'], dir).status).toBe(0);
    const args = (out: string) => ['train', '--data', 'tiny.eqd', '--out', out, '--hidden', '16', '--layers', '2', '--steps', '3', '--batch-size', '6', '--validation-fraction', '0', '--log-every', '1', '-j', '2'];
    const calm = equimol(args('calm'), dir);
    expect(calm.status).toBe(0);
    const hit = equimol(args('hit'), dir, { EQUIMOL_TEST_ABORT_WORKER: '2:2' });
    expect(hit.status).toBe(0);
    expect(hit.stdout).toMatch(/warning: training worker 2 ran out of memory at step 2 \(.*Aborted\(\).*\); restarted, retrying with micro-batch 1 for \d+ atoms/);
    const log = readFileSync(join(dir, 'hit/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(log.filter((x) => x.type === 'train').map((x) => x.step)).toEqual([1, 2, 3]);
    const run = JSON.parse(readFileSync(join(dir, 'hit/run.json'), 'utf8')) as { record: { sessions: { memoryRetries: unknown[] }[] } };
    expect(run.record.sessions[0]!.memoryRetries).toEqual([{ step: 2, worker: 2, atoms: expect.any(Number), microBatch: 1 }]);
    // Only the summation order of the retried step differs.
    expect(relativeError(params(join(dir, 'hit/checkpoints/latest.eqt')), params(join(dir, 'calm/checkpoints/latest.eqt')))).toBeLessThan(1e-6);
  }, 300_000);

  it('stops before any work, in one line, when a single molecule cannot fit: train and sample alike', () => {
    const train = equimol(['train', '--data', 'big.eqd', '--out', 'huge', '--hidden', '1024', '--layers', '12', '--steps', '1'], dir, { EQUIMOL_BACKEND: 'wasm' });
    expect(train.status).toBe(2);
    expect(train.stderr.trim()).toMatch(/^equimol: molecule 1 of big\.eqd has 120 atoms: one molecule of that size needs [\d.]+ GiB per pass, more than the wasm backend allows \(2\.0 GiB of its 4\.0 GiB\)/);
    expect(train.stderr.trim().split('\n')).toHaveLength(1);
    const sample = equimol(['sample', '-n', '1', '--atoms', '2000', '--steps', '2', '-o', 'never.sdf'], dir, { EQUIMOL_BACKEND: 'wasm' });
    expect(sample.status).toBe(2);
    expect(sample.stderr.trim()).toMatch(/^equimol: the requested molecule has 2000 atoms: .* more than the wasm backend allows/);
  }, 120_000);
});
