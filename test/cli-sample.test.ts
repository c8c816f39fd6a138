// `equimol sample` end to end with the shipped model (data/models/qm9-heavy): output records and
// their data fields, formats, trajectories, shards that add up to the unsplit run, refused
// overwrites, Ctrl-C leaving nothing behind, and option errors (exit status 2).
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSdf, trajectoryFromSdfRecords } from '../packages/core/src/index.js';
import { defaultModelDir, defaultModelName, equimol, recordBondCount, recordElements, scratch, sdfRecords, startEquimol } from './cli-run.js';

const QUICK = ['--steps', '10'];
const { dir, remove } = scratch('sample');
afterAll(remove);

describe('equimol sample', () => {
  let sdf: string;
  let stderr: string;

  beforeAll(() => {
    const r = equimol(['sample', '-n', '4', ...QUICK, '-o', 'out.sdf'], dir);
    expect(r.stderr).toMatch(/molecules/);
    expect(r.status).toBe(0);
    sdf = readFileSync(join(dir, 'out.sdf'), 'utf8');
    stderr = r.stderr;
  });

  it('writes one SDF record per molecule with bonds and the data fields SMILES, valid, stable, model, seed, index', () => {
    const records = sdfRecords(sdf);
    expect(records).toHaveLength(4);
    records.forEach((rec, i) => {
      const f = rec.fields;
      expect(Object.keys(f).filter((k) => k !== 'SMILES' && k !== 'issue')).toEqual(['valid', 'stable', 'model', 'seed', 'index']);
      expect(f.valid).toMatch(/^(true|false)$/);
      expect(f.stable).toMatch(/^(true|false)$/);
      expect(f.model).toBe(defaultModelName());
      expect(f.seed).toBe('0');
      expect(f.index).toBe(String(i));
      if (f.valid === 'true') expect(f.SMILES).toMatch(/\S/);
      else expect(f.issue).toMatch(/\S/);
    });
    expect(records.some((r) => recordBondCount(r.lines) > 0)).toBe(true);
  });

  it('ends with a summary line: count, valid %, unique %, stable %, connected %, wall time, molecules/s', () => {
    const last = stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^4 molecules in [\d.]+ s \([\d.]+ molecules\/s\): valid [\d.]+%, unique [\d.]+% of valid, stable [\d.]+%, connected [\d.]+% → out\.sdf$/);
  });

  it('--type-noise 1 is the default (EDM); lower type noise changes the molecules', () => {
    const atomBlocks = (text: string) => sdfRecords(text).map((r) => r.lines.slice(3).join('\n'));
    for (const [value, same] of [[1, true], [0.3, false]] as const) {
      const file = `type-noise-${value}.sdf`;
      expect(equimol(['sample', '-n', '4', ...QUICK, '--type-noise', String(value), '-o', file], dir).status).toBe(0);
      const blocks = atomBlocks(readFileSync(join(dir, file), 'utf8'));
      if (same) expect(blocks).toEqual(atomBlocks(sdf));
      else expect(blocks).not.toEqual(atomBlocks(sdf));
    }
  });

  it('adds hydrogens after the generated heavy atoms, unless --no-hydrogens', () => {
    const r = equimol(['sample', '-n', '4', ...QUICK, '--no-hydrogens', '-o', 'heavy.sdf'], dir);
    expect(r.status).toBe(0);
    const heavy = sdfRecords(readFileSync(join(dir, 'heavy.sdf'), 'utf8'));
    const full = sdfRecords(sdf);
    let added = 0;
    heavy.forEach((h, i) => {
      const he = recordElements(h.lines);
      const fe = recordElements(full[i]!.lines);
      expect(he).not.toContain('H');
      expect(fe.slice(0, he.length)).toEqual(he);
      // The generated atoms keep their coordinates; only hydrogens are appended.
      expect(full[i]!.lines.slice(4, 4 + he.length).map((l) => l.slice(0, 30))).toEqual(h.lines.slice(4, 4 + he.length).map((l) => l.slice(0, 30)));
      expect(fe.slice(he.length).every((e) => e === 'H')).toBe(true);
      added += fe.length - he.length;
    });
    if (full.some((rec) => rec.fields.valid === 'true' && rec.fields.issue === undefined)) expect(added).toBeGreaterThan(0);
  });

  it('with the explicit-hydrogen model qm9-h, writes the generated hydrogens and adds none', () => {
    const run = (extra: string[], file: string) => {
      // 50 steps: with 10, this early model's atom types have not left the noise (all N).
      const r = equimol(['sample', '-m', 'qm9-h', '-n', '3', '--steps', '50', ...extra, '-o', file], dir);
      expect(r.status).toBe(0);
      return sdfRecords(readFileSync(join(dir, file), 'utf8'));
    };
    const records = run([], 'with-h.sdf');
    expect(records).toHaveLength(3);
    for (const rec of records) expect(rec.fields.model).toBe('qm9-h');
    // Hydrogens are among the generated atoms (QM9 with H is about half hydrogen) ...
    expect(records.flatMap((rec) => recordElements(rec.lines)).filter((e) => e === 'H').length).toBeGreaterThan(3);
    // ... and --no-hydrogens changes nothing: no MMFF94 hydrogens are appended for this model.
    expect(run(['--no-hydrogens'], 'with-h-no-add.sdf').map((rec) => rec.lines)).toEqual(records.map((rec) => rec.lines));
  });

  it('splits a campaign with --shard i/n into parts that concatenate to the unsplit run', () => {
    const whole = equimol(['sample', '-n', '5', ...QUICK, '--seed', '3', '--no-hydrogens', '-o', 'whole.sdf'], dir);
    expect(whole.status).toBe(0);
    for (const i of [1, 2]) {
      const part = equimol(['sample', '-n', '5', ...QUICK, '--seed', '3', '--no-hydrogens', '--shard', `${i}/2`, '-o', `part${i}.sdf`], dir);
      expect(part.status).toBe(0);
      expect(part.stderr).toContain(`shard ${i}/2`);
    }
    const parts = ['part1.sdf', 'part2.sdf'].map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(sdfRecords(parts[0]!)).toHaveLength(2);
    expect(parts.join('')).toBe(readFileSync(join(dir, 'whole.sdf'), 'utf8'));
  });

  it('gives the same molecules on two worker threads', () => {
    const r = equimol(['sample', '-n', '5', ...QUICK, '--seed', '3', '--no-hydrogens', '-j', '2', '-o', 'threads.sdf'], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'threads.sdf'), 'utf8')).toBe(readFileSync(join(dir, 'whole.sdf'), 'utf8'));
  });

  it('writes XYZ and JSON, and to standard output without -o', () => {
    expect(equimol(['sample', '-n', '2', ...QUICK, '--atoms', '5', '--no-hydrogens', '-o', 'out.xyz'], dir).status).toBe(0);
    const xyz = readFileSync(join(dir, 'out.xyz'), 'utf8').trim().split('\n');
    expect(xyz[0]).toBe('5');
    expect(xyz).toHaveLength(2 * 7);
    const r = equimol(['sample', '-n', '2', ...QUICK, '--atoms-range', '6-8', '--format', 'json', '-q'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as { format: string; molecules: { elements: string[]; properties: Record<string, string> }[] };
    expect(json.format).toBe('equimol-molecules');
    expect(json.molecules.map((m) => m.properties.index)).toEqual(['0', '1']);
    for (const m of json.molecules) expect(m.elements.filter((e) => e !== 'H').length).toBeGreaterThanOrEqual(6);
  });

  it('writes the denoising chains with --trajectory for the viewer', () => {
    const r = equimol(['sample', '-n', '2', ...QUICK, '--no-hydrogens', '--trajectory', 'traj.sdf', '--frames', '5', '-o', 'mols.sdf'], dir);
    expect(r.status).toBe(0);
    const records = parseSdf(readFileSync(join(dir, 'traj.sdf'), 'utf8'));
    expect(records).toHaveLength(2 * 5);
    expect(Object.keys(records[0]!.properties!)).toEqual(['molecule', 'frame', 'step', 't', 'snr', 'gamma']);
    const trajectory = trajectoryFromSdfRecords(records, 'traj.sdf');
    expect(trajectory.molecules.map((m) => m.frames.length)).toEqual([5, 5]);
    expect(trajectory.molecules[0]!.frames.at(-1)!.step).toBe(0);
  });

  it('reports molecules whose chain diverged instead of failing the whole run', () => {
    // A model whose weights are all 1e30 sends every coordinate to infinity.
    cpSync(defaultModelDir(), join(dir, 'exploding'), { recursive: true });
    const size = statSync(join(dir, 'exploding/weights.bin')).size;
    writeFileSync(join(dir, 'exploding/weights.bin'), new Uint8Array(new Float32Array(size / 4).fill(1e30).buffer));
    const r = equimol(['sample', '-m', './exploding', '-n', '2', '--steps', '3', '-o', 'exploded.sdf'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/2 molecule\(s\) diverged to non-finite coordinates and are not written: #0, #1/);
    expect(r.stderr).toMatch(/2 molecules in .* valid 0\.0%/);
    expect(readFileSync(join(dir, 'exploded.sdf'), 'utf8')).toBe('');
  });

  it('refuses to overwrite without --force and leaves the file alone', () => {
    writeFileSync(join(dir, 'keep.sdf'), 'precious\n');
    const r = equimol(['sample', '-n', '2', ...QUICK, '-o', 'keep.sdf'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('equimol: keep.sdf exists; use --force to overwrite it');
    expect(readFileSync(join(dir, 'keep.sdf'), 'utf8')).toBe('precious\n');
    expect(equimol(['sample', '-n', '2', ...QUICK, '-o', 'keep.sdf', '--force'], dir).status).toBe(0);
    expect(sdfRecords(readFileSync(join(dir, 'keep.sdf'), 'utf8'))).toHaveLength(2);
  });

  it('leaves no output and no temporary file when interrupted with Ctrl-C', async () => {
    const { dir: quiet, remove: done } = scratch('sigint');
    // The test-only hook holds the finished temporary file before its rename, so Ctrl-C lands while it exists.
    const child = startEquimol(['sample', '-n', '2', ...QUICK, '-j', '1', '-o', 'big.sdf'], quiet, { EQUIMOL_TEST_HOLD_OUTPUT_MS: '60000' });
    let ended = false;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      child.on('exit', (c, s) => {
        ended = true;
        r([c, s]);
      }),
    );
    try {
      let temporary: string[] = [];
      while (temporary.length === 0 && !ended) {
        await new Promise((r) => setTimeout(r, 50));
        temporary = readdirSync(quiet).filter((f) => f.includes('.tmp.'));
      }
      expect(temporary).toEqual([expect.stringMatching(/\.tmp\.big\.sdf$/)]);
      child.kill('SIGINT');
      const [code, signal] = await exited;
      expect(signal).toBeNull();
      expect(code).toBe(130);
      expect(readdirSync(quiet)).toEqual([]);
    } finally {
      if (!ended) child.kill('SIGKILL');
      done();
    }
  });

  it('does not clobber a file that appeared while it was working (no --force)', async () => {
    const { dir: race, remove: done } = scratch('race');
    // The test-only hook holds the finished temporary file, and the target appears meanwhile.
    const child = startEquimol(['sample', '-n', '2', ...QUICK, '-j', '1', '-o', 'late.sdf'], race, { EQUIMOL_TEST_HOLD_OUTPUT_MS: '3000' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      while (!readdirSync(race).some((f) => f.endsWith('.tmp.late.sdf'))) await new Promise((r) => setTimeout(r, 50));
      writeFileSync(join(race, 'late.sdf'), 'written by someone else\n');
      expect(await exited).toBe(2);
      expect(stderr).toMatch(/equimol: late\.sdf appeared while equimol was working; use --force to overwrite it/);
      expect(readdirSync(race)).toEqual(['late.sdf']);
      expect(readFileSync(join(race, 'late.sdf'), 'utf8')).toBe('written by someone else\n');
    } finally {
      child.kill('SIGKILL');
      done();
    }
  });
});

describe('equimol sample errors', () => {
  it.each([
    [['-m', 'no-such-model'], /unknown model "no-such-model" \(shipped models: .*qm9-heavy/],
    [['-m', './nowhere/model'], /model directory \.\/nowhere\/model does not exist/],
    [['-n', '0'], /--count must be an integer ≥ 1/],
    [['--steps', '0'], /--steps must be an integer ≥ 1/],
    [['--atoms-range', '9-5'], /lower bound is above the upper/],
    [['--atoms-range', 'nine'], /--atoms-range must look like A-B/],
    [['--atoms-range', '200-300'], /no molecules with 200–300 atoms/],
    [['--atoms', '3', '--atoms-range', '1-4'], /mutually exclusive/],
    [['--shard', '3/2'], /i must be between 1 and n/],
    [['--shard', 'half'], /--shard must look like i\/n/],
    [['--frames', '5'], /--frames needs --trajectory/],
    [['--type-noise', '1.5'], /--type-noise must be a number between 0 and 1, got 1.5/],
    [['--sampler', 'ddim', '--type-noise', '0.5'], /type noise applies only to the ancestral sampler; DDIM adds no noise/],
    [['--format', 'npz'], /npz is a binary format: write it to a file with -o FILE.npz/],
    [['--trajectory', 'traj.xyz'], /write the trajectory as \.json or \.sdf/],
  ])('equimol sample %s → exit 2 with one line', (args, message) => {
    const r = equimol(['sample', '-n', '2', ...QUICK, ...args], dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
