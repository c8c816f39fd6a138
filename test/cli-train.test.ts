// `equimol train` end to end on a tiny dataset built from a fixture: a new run, resuming it, a
// config file, sampling with the trained model, and refused or impossible runs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@equimol/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equimol, FIXTURES, scratch, sdfRecords, startEquimol } from './cli-run.js';

const TINY = ['--hidden', '16', '--layers', '2', '--batch-size', '3', '--validation-fraction', '0.2', '--log-every', '1', '--validate-every', '3', '--checkpoint-every', '3'];
const { dir, remove } = scratch('train');
afterAll(remove);

describe('equimol train', () => {
  beforeAll(() => {
    const r = equimol(['data', 'build', join(FIXTURES, 'chem/qm9-train-sample.sdf'), join(FIXTURES, 'chem/edm-qm9-test-sample.npz'), '-o', 'tiny.eqd', '--remove-hydrogens'], dir);
    expect(r.status).toBe(0);
  });

  it('trains a new run for a few steps: run.json, train.jsonl, checkpoints and a model', () => {
    const r = equimol(['train', '--data', 'tiny.eqd', '--out', 'run', '--steps', '3', '--name', 'tiny-run', '--sample-every', '3', '--sample-count', '2', '--sample-steps', '5', '--micro-batch', '2', ...TINY], dir);
    expect(r.stderr).toMatch(/stopped at step 3 .* model in run\/model/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/training tiny-run: \d+ parameters/);
    expect(r.stdout).toMatch(/step 3 epoch [\d.]+ loss [\d.]+/);
    expect(r.stdout).toMatch(/step 3 samples \{"step":3,"molecules":2,/);
    const run = JSON.parse(readFileSync(join(dir, 'run/run.json'), 'utf8')) as { name: string; egnn: { hiddenSize: number; layers: number }; training: { maxSteps: number; batchSize: number; optimizer: { learningRate: number; beta1: number } }; record: { datasetSha256: string; sessions: { command: string; equimolVersion: string; gitCommit: string | null; fromStep: number; toStep: number; microBatches: unknown[] }[] } };
    expect(run.name).toBe('tiny-run');
    expect(run.egnn).toMatchObject({ hiddenSize: 16, layers: 2 });
    expect(run.training).toMatchObject({ maxSteps: 3, batchSize: 3, microBatch: 2 });
    expect(run.training.optimizer).toMatchObject({ learningRate: 1e-4, beta1: 0.9 });
    // run.json records how the run was made: command, version, commit, dataset hash, each session.
    expect(run.record.sessions).toHaveLength(1);
    expect(run.record.sessions[0]!.command).toMatch(/^equimol train --data tiny\.eqd/);
    expect(run.record.sessions[0]).toMatchObject({ fromStep: 0, toStep: 3, microBatches: [{ atoms: [expect.any(Number), expect.any(Number)], microBatch: 2 }] });
    expect(run.record.datasetSha256).toMatch(/^[0-9a-f]{64}$/);
    // Each session names the code that ran it: the commit of equimol's code (the run directory is
    // outside any repository) and its version.
    expect(run.record.sessions[0]!.gitCommit).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    expect(run.record.sessions[0]!.equimolVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.record).not.toHaveProperty('gitCommit');
    const log = readFileSync(join(dir, 'run/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(log.filter((x) => x.type === 'train').map((x) => x.step)).toEqual([1, 2, 3]);
    expect(existsSync(join(dir, 'run/checkpoints/latest.eqt'))).toBe(true);
    expect(existsSync(join(dir, 'run/model/model.json'))).toBe(true);
  });

  it('samples with the trained model by path, and shows its card', () => {
    const r = equimol(['sample', '-m', 'run/model', '-n', '2', '--steps', '5', '-o', 'mine.sdf'], dir);
    expect(r.status).toBe(0);
    const records = sdfRecords(readFileSync(join(dir, 'mine.sdf'), 'utf8'));
    expect(records.map((x) => x.fields.model)).toEqual(['tiny-run', 'tiny-run']);
    const info = equimol(['info', '-m', 'run/model'], dir);
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/model: tiny-run/);
    expect(info.stdout).toMatch(/network: +EGNN, 2 layers, hidden 16/);
    expect(info.stdout).toMatch(/source: +qm9-train-sample\.sdf, edm-qm9-test-sample\.npz/);
  });

  it('--log-snr-input: recorded in run.json, shown by info, and the model samples', () => {
    const r = equimol(['train', '--data', 'tiny.eqd', '--out', 'run-snr', '--steps', '2', '--log-snr-input', ...TINY], dir);
    expect(r.status).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run-snr/run.json'), 'utf8')) as { egnn: { logSnrInput?: boolean } };
    expect(run.egnn.logSnrInput).toBe(true);
    expect(equimol(['info', '-m', 'run-snr/model'], dir).stdout).toMatch(/network: +EGNN, 2 layers, hidden 16, .*, log-SNR input/);
    expect(equimol(['sample', '-m', 'run-snr/model', '-n', '2', '--steps', '5', '-o', 'snr.sdf'], dir).status).toBe(0);
    expect(sdfRecords(readFileSync(join(dir, 'snr.sdf'), 'utf8'))).toHaveLength(2);
  });

  it('starts a run with hydrogens from a heavy-atom model (--init-from), which then trains', () => {
    expect(equimol(['data', 'build', join(FIXTURES, 'chem/qm9-train-sample.sdf'), '-o', 'tiny-h.eqd'], dir).status).toBe(0);
    // The heavy run's configuration on the with-H data (one more node feature), from the heavy model's weights.
    const r = equimol(['train', '--config', 'run/run.json', '--data', 'tiny-h.eqd', '--out', 'run-h', '--name', 'tiny-h', '--init-from', 'run/model'], dir);
    expect(r.stdout).toMatch(/warm start from run\/model \(tiny-run, step \d+\)/);
    expect(r.stderr).toMatch(/stopped at step 3 /);
    expect(r.status).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run-h/run.json'), 'utf8')) as { init: unknown; egnn: { nodeFeatures: number } };
    expect(run.init).toEqual({ fromModel: 'run/model' });
    expect(run.egnn.nodeFeatures).toBe(5);
    const missing = equimol(['train', '--data', 'tiny-h.eqd', '--out', 'run-h2', '--init-from', 'no-such-model'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no-such-model\/model\.json/);
  });

  it('resumes a run from its latest checkpoint with the settings in run.json', () => {
    const r = equimol(['train', '--out', 'run', '--resume', '--steps', '9', '--validate-every', '5', '--checkpoint-every', '5', '--log-every', '2'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/ignoring --steps, --validate-every, --checkpoint-every, --log-every\n/);
    expect(r.stdout).toMatch(/resuming tiny-run at step 3/);
  });

  it("records the code of each session; an older record's top-level version and commit move to its last session on resume", () => {
    expect(equimol(['train', '--data', 'tiny.eqd', '--out', 'old-record', '--steps', '1', ...TINY], dir).status).toBe(0);
    // Rewritten as records were before sessions carried their code: one pair at the top, the last session's.
    type Session = { fromStep: number; equimolVersion?: string; gitCommit?: string | null };
    type Record = { datasetSha256: string; sessions: Session[]; equimolVersion?: string; gitCommit?: string | null };
    const path = join(dir, 'old-record/run.json');
    const run = JSON.parse(readFileSync(path, 'utf8')) as { record: Record };
    const ownCode = { equimolVersion: run.record.sessions[0]!.equimolVersion, gitCommit: run.record.sessions[0]!.gitCommit };
    const { equimolVersion: _v, gitCommit: _c, ...first } = run.record.sessions[0]!;
    run.record = { equimolVersion: '0.0.9', gitCommit: 'f3bb9265905970c6ed266f9866b87b57866753be', datasetSha256: run.record.datasetSha256, sessions: [{ ...first, fromStep: 0 }, { ...first, fromStep: 1 }] };
    writeFileSync(path, JSON.stringify(run, null, 2));
    expect(equimol(['train', '--out', 'old-record', '--resume', '--set', 'maxSteps=2'], dir).status).toBe(0);
    const record = (JSON.parse(readFileSync(path, 'utf8')) as { record: Record }).record;
    expect(record).not.toHaveProperty('equimolVersion');
    expect(record).not.toHaveProperty('gitCommit');
    expect(record.sessions).toHaveLength(3);
    expect(record.sessions[0]).not.toHaveProperty('gitCommit'); // its code is unknown
    expect(record.sessions[1]).toMatchObject({ fromStep: 1, equimolVersion: '0.0.9', gitCommit: 'f3bb9265905970c6ed266f9866b87b57866753be' });
    expect(record.sessions[2]).toMatchObject({ fromStep: 1, ...ownCode });
  });

  /** Starts a run, sends `signal` once step 2 is logged, and returns what the run printed and its exit status. */
  async function interruptedRun(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = startEquimol(['train', '--data', 'tiny.eqd', '--out', out, '--steps', '20', ...TINY], dir);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/step 2 epoch/.test(stdout)) resolve();
      }),
    );
    child.kill(signal);
    return { code: await exited, stdout, stderr };
  }

  it('on Ctrl-C writes a checkpoint and the model, says where, exits 130, and resumes from it', async () => {
    const { code, stdout, stderr } = await interruptedRun('run-int', 'SIGINT');
    expect(stdout).toMatch(/SIGINT: finishing this step and writing a checkpoint/);
    expect(stdout).toMatch(/checkpoint written at step \d+ \(stop\)/);
    expect(stderr).toMatch(/SIGINT: stopped at step \d+ .*; checkpoint in run-int\/checkpoints\/latest\.eqt, model in run-int\/model; continue with --out run-int --resume/);
    expect(code).toBe(130);
    expect(existsSync(join(dir, 'run-int/checkpoints/latest.eqt'))).toBe(true);
    expect(existsSync(join(dir, 'run-int/model/model.json'))).toBe(true);
    const resumed = equimol(['train', '--out', 'run-int', '--resume'], dir);
    expect(resumed.stdout).toMatch(/resuming equimol-run at step (\d+)/);
    expect(resumed.stderr).toMatch(/stopped at step 20/);
    expect(resumed.status).toBe(0);
  }, 60_000);

  it('on SIGTERM writes a checkpoint too and exits 143', async () => {
    const { code, stdout } = await interruptedRun('run-term', 'SIGTERM');
    expect(stdout).toMatch(/SIGTERM: finishing this step and writing a checkpoint/);
    expect(code).toBe(143);
    expect(existsSync(join(dir, 'run-term/checkpoints/latest.eqt'))).toBe(true);
    expect(existsSync(join(dir, 'run-term/model/model.json'))).toBe(true);
  }, 60_000);

  it('takes settings from --config, flags winning', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ name: 'from-config', dataset: 'tiny.eqd', egnn: { hiddenSize: 8, layers: 1 }, training: { maxSteps: 2, optimizer: { learningRate: 3e-4 } } }));
    const r = equimol(['train', '--config', 'config.json', '--out', 'run2', '--layers', '2', '--batch-size', '3', '--validation-fraction', '0.2'], dir);
    expect(r.stderr).toMatch(/stopped at step 2/);
    expect(r.status).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run2/run.json'), 'utf8')) as { name: string; egnn: { hiddenSize: number; layers: number }; training: { optimizer: { learningRate: number; beta2: number } } };
    expect(run.name).toBe('from-config');
    expect(run.egnn).toMatchObject({ hiddenSize: 8, layers: 2 });
    expect(run.training.optimizer).toMatchObject({ learningRate: 3e-4, beta2: 0.999 });
  });

  it('sizes micro-batches automatically by default, and logs and records the choice', () => {
    writeFileSync(join(dir, 'batch.json'), JSON.stringify({ dataset: 'tiny.eqd', egnn: { hiddenSize: 8, layers: 1 }, training: { maxSteps: 1, batchSize: 3 } }));
    const r = equimol(['train', '--config', 'batch.json', '--out', 'run4', '--validation-fraction', '0.2'], dir);
    expect(r.status).toBe(0);
    // Tiny molecules: the whole batch fits one pass.
    expect(r.stdout).toMatch(/micro-batches \(auto, \w+ budget [\d.]+ GiB\): [\d–]+ atoms: 3/);
    const run = JSON.parse(readFileSync(join(dir, 'run4/run.json'), 'utf8')) as { training: { batchSize: number; microBatch: unknown }; record: { sessions: { microBatches: { microBatch: number }[] }[] } };
    expect(run.training).toMatchObject({ batchSize: 3, microBatch: 'auto' });
    expect(run.record.sessions[0]!.microBatches.map((m) => m.microBatch)).toEqual([3]);
  });

  it('--resume --set appends a change at the current step, and the run.json replays from scratch with the same steps', () => {
    const start = equimol(['train', '--data', 'tiny.eqd', '--out', 'sched', '--steps', '2', ...TINY], dir);
    expect(start.status).toBe(0);
    const more = ['train', '--out', 'sched', '--resume', '--set', 'maxSteps=4', '--set', 'optimizer.learningRate=5e-5', '--set', 'resetEma=true'];
    const resumed = equimol(more, dir);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/from step 2: maxSteps=4, optimizer\.learningRate=5e-5, resetEma=true/);
    const again = equimol(['train', '--out', 'sched', '--resume', '--set', 'maxSteps=5', '--set', 'timestepSampling={"lowNoiseShare":0.5,"lowNoiseSteps":3}'], dir);
    expect(again.status).toBe(0);
    type Run = { training: { optimizer: { learningRate: number }; schedule: { fromStep: number; set?: Record<string, unknown>; resetEma?: boolean }[] }; record: { sessions: { fromStep: number; toStep: number; command: string }[] } };
    const run = JSON.parse(readFileSync(join(dir, 'sched/run.json'), 'utf8')) as Run;
    // The config's own values stay; the changes are entries, in order, never rewritten.
    expect(run.training.optimizer.learningRate).toBe(1e-4);
    expect(run.training.schedule).toMatchObject([
      { fromStep: 2, set: { maxSteps: 4, optimizer: { learningRate: 5e-5 } }, resetEma: true },
      { fromStep: 4, set: { maxSteps: 5, timestepSampling: { lowNoiseShare: 0.5, lowNoiseSteps: 3 } } },
    ]);
    expect(run.record.sessions.map((x) => [x.fromStep, x.toStep])).toEqual([[0, 2], [2, 4], [4, 5]]);
    expect(run.record.sessions[1]!.command).toBe(`equimol ${more.join(' ')}`);
    const losses = (out: string) =>
      readFileSync(join(dir, out, 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; step: number; loss: number; gradNorm: number; learningRate: number })
        .filter((x) => x.type === 'train')
        .map(({ step, loss, gradNorm, learningRate }) => ({ step, loss, gradNorm, learningRate }));
    expect(losses('sched').map((x) => x.learningRate)).toEqual([1e-4, 1e-4, 5e-5, 5e-5, 5e-5]);
    // The record is a config: started again from scratch, it takes the same five steps.
    const replay = equimol(['train', '--config', 'sched/run.json', '--out', 'sched-replay'], dir);
    expect(replay.status).toBe(0);
    expect(losses('sched-replay')).toEqual(losses('sched'));
  }, 120_000);

  it('stops on a lost GPU device with the last checkpoint intact, says what was lost, and resumes to the same weights', () => {
    const args = (out: string) => ['train', '--data', 'tiny.eqd', '--out', out, '--steps', '6', ...TINY];
    expect(equimol(args('calm'), dir).status).toBe(0);
    const lost = equimol(args('lost'), dir, { EQUIMOL_TEST_DEVICE_LOST: '5' });
    expect(lost.status).toBe(1);
    expect(lost.stderr.trim()).toBe(
      'equimol: training stopped at step 5: GPU device was lost (EQUIMOL_TEST_DEVICE_LOST); the checkpoint of step 4 is intact (no completed step was lost): continue with --resume',
    );
    expect(equimol(['train', '--out', 'lost', '--resume'], dir).status).toBe(0);
    const params = (out: string) => core.trainerStateFromBytes(new Uint8Array(readFileSync(join(dir, out, 'checkpoints/latest.eqt')))).state.params;
    expect(params('lost')).toEqual(params('calm'));
  });

  // SwiftShader (Debian's chromium) stands in for a GPU; skipped only where that Vulkan driver is missing.
  const swiftshader = { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json', XDG_RUNTIME_DIR: tmpdir() };
  it.skipIf(!existsSync(swiftshader.VK_ICD_FILENAMES))('trains on webgpu with sample-quality checks (--sample-every), and samples on webgpu what wasm samples', () => {
    const r = equimol(['train', '--data', 'tiny.eqd', '--out', 'gpu-run', '--steps', '1', '--sample-every', '1', '--sample-count', '2', '--sample-steps', '3', '--micro-batch', '2', '--backend', 'webgpu', ...TINY], dir, swiftshader);
    expect(r.stderr).toMatch(/stopped at step 1 /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/step 1 samples \{"step":1,"molecules":2,/);
    // `equimol sample --backend webgpu`: the chain on the device, the same molecules as on wasm.
    const args = ['sample', '--model', 'gpu-run/model', '-n', '2', '--steps', '5', '--seed', '3', '--atoms', '6', '--no-hydrogens', '--format', 'json'];
    const gpu = equimol([...args, '--backend', 'webgpu', '-o', 'gpu.json'], dir, swiftshader);
    expect(gpu.stderr).not.toMatch(/using the \w+ backend/);
    expect(gpu.status).toBe(0);
    expect(equimol([...args, '--backend', 'wasm', '-o', 'cpu.json'], dir).status).toBe(0);
    type Molecules = { molecules: { elements: string[]; positions: number[] }[] };
    const [a, b] = ['gpu.json', 'cpu.json'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Molecules);
    expect(a!.molecules.map((m) => m.elements)).toEqual(b!.molecules.map((m) => m.elements));
    // float32 agreement, relative: a model trained one step can put atoms far out.
    a!.molecules.forEach((m, k) => m.positions.forEach((x, i) => expect(Math.abs(x - b!.molecules[k]!.positions[i]!)).toBeLessThanOrEqual(0.01 * Math.max(1, Math.abs(x) / 10))));
  }, 600_000); // SwiftShader compiles each shader program slowly

  it.each([
    [['--out', 'run', '--resume', '--set', 'hiddenSize=8'], /--set hiddenSize=8: hiddenSize cannot change during a run \(allowed: maxSteps, maxEpochs, optimizer\.learningRate/],
    [['--out', 'run', '--resume', '--set', 'optimizer.learningRate=fast'], /--set optimizer\.learningRate=fast: fast is not a number/],
    [['--out', 'run', '--resume', '--set', 'emaWarmup=1'], /emaWarmup needs true or false/],
    [['--data', 'tiny.eqd', '--out', 'run3', '--set', 'emaDecay=0.99'], /--set changes a run as it continues: use it with --resume/],
  ])('equimol train %s → exit 2, run unchanged', (args, message) => {
    const before = readFileSync(join(dir, 'run/run.json'), 'utf8');
    const r = equimol(['train', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(readFileSync(join(dir, 'run/run.json'), 'utf8')).toBe(before);
  });

  it.each([
    [['--data', 'tiny.eqd', '--out', 'run'], /run already holds a training run; continue it with --resume/],
    [['--out', 'nothing-here', '--resume'], /nothing-here holds no training run to resume/],
    [['--out', 'run3'], /give the dataset with --data/],
    [['--data', 'missing.eqd', '--out', 'run3'], /missing\.eqd: no such file/],
    [['--data', join(FIXTURES, 'chem/qm9-train-sample.sdf'), '--out', 'run3'], /give a dataset built with `equimol data build/],
    [['--data', 'tiny.eqd', '--out', 'run3', '--hidden', '0'], /--hidden must be an integer ≥ 1/],
    [['--data', 'tiny.eqd', '--out', 'run3', '--lr', '-1'], /--lr must be a number/],
    [['--config', 'broken.json', '--out', 'run3'], /--config broken\.json: not valid JSON/],
    [['--config', 'unknown.json', '--out', 'run3'], /unknown key\(s\) learning_rate/],
    [['--data', 'tiny.eqd'], /Missing required argument: out/],
  ])('equimol train %s → exit 2', (args, message) => {
    writeFileSync(join(dir, 'broken.json'), '{ name: ');
    writeFileSync(join(dir, 'unknown.json'), '{"learning_rate": 1}');
    const r = equimol(['train', ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(existsSync(join(dir, 'run3'))).toBe(false);
  });
});
