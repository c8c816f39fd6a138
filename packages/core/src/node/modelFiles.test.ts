import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createModel, type Model } from '../modelFormat/modelFormat.js';
import { qm9Encoding } from '../data/atomEncoding.js';
import { EDM_QM9_SCHEDULE } from '../diffusion/schedule.js';
import { Rng } from '../random/rng.js';
import { tinyEgnnConfig, useTestBackend } from '../testing/fixtures.js';
import { loadModelDirectory, saveModelDirectory } from './modelFiles.js';

// Lets a test make the rename of the finished temporary directory into place fail (as a full or
// read-only disk would), to see what a failed save leaves behind.
const fault = vi.hoisted(() => ({ renameInto: null as string | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const rename = async (from: string, to: string): Promise<void> => {
    if (to === fault.renameInto && from.includes('.tmp.')) throw Object.assign(new Error(`EIO: i/o error, rename '${from}' -> '${to}'`), { code: 'EIO' });
    return fs.rename(from, to);
  };
  return { ...fs, rename, default: { ...fs, rename } };
});

const work = mkdtempSync(join(tmpdir(), 'equimol-model-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tinyModel(name: string, seed: number): Model {
  const base = createModel({ name, egnn: tinyEgnnConfig(6), schedule: EDM_QM9_SCHEDULE, encoding: qm9Encoding(true), atomCountHistogram: [0, 1] });
  return { ...base, params: base.dynamics.layout.initialise(new Rng(seed)) };
}

describe('model directories', () => {
  beforeAll(useTestBackend);

  it('replaces a model and leaves nothing but the model directory', async () => {
    const dir = join(work, 'replace', 'model');
    await saveModelDirectory(tinyModel('first', 1), dir);
    await saveModelDirectory(tinyModel('second', 2), dir);
    expect(readdirSync(join(work, 'replace'))).toEqual(['model']);
    const back = await loadModelDirectory(dir);
    expect(back.meta.name).toBe('second');
    expect(back.params).toEqual(tinyModel('second', 2).params);
  });

  it('a failed save keeps the old model in place and removes its temporary directory', async () => {
    const dir = join(work, 'failed', 'model');
    await saveModelDirectory(tinyModel('old', 1), dir);
    fault.renameInto = dir;
    try {
      await expect(saveModelDirectory(tinyModel('new', 2), dir)).rejects.toThrow(/EIO/);
    } finally {
      fault.renameInto = null;
    }
    expect(readdirSync(join(work, 'failed'))).toEqual(['model']);
    expect((await loadModelDirectory(dir)).meta.name).toBe('old');
  });

  it('after a kill between the two renames, the previous copy is loaded and the next save cleans up', async () => {
    const parent = join(work, 'killed');
    const dir = join(parent, 'model');
    await saveModelDirectory(tinyModel('before-kill', 1), dir);
    renameSync(dir, join(parent, '.model.old')); // the state a kill -9 leaves mid-save
    expect(existsSync(dir)).toBe(false);
    expect((await loadModelDirectory(dir)).meta.name).toBe('before-kill');
    await saveModelDirectory(tinyModel('after', 2), dir);
    expect(readdirSync(parent)).toEqual(['model']);
    expect((await loadModelDirectory(dir)).meta.name).toBe('after');
  });

  it('sweeps temporary directories that killed saves left, but not those of running processes or other files', async () => {
    const parent = join(work, 'swept');
    const dir = join(parent, 'model');
    await saveModelDirectory(tinyModel('first', 1), dir);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
    const live = process.ppid; // vitest's main process, running
    const leftovers = [`.equimol-${dead}-k1ll3d.tmp.model`, `.model.tmp-${dead}-1700000000000`]; // current and earlier naming
    const kept = [`.equimol-${live}-sav1ng.tmp.model`, `.equimol-${dead}-k1ll3d.tmp.model-best`, '.model.backup', 'notes.txt'];
    for (const name of [...leftovers, ...kept]) {
      mkdirSync(join(parent, name));
      writeFileSync(join(parent, name, 'weights.bin'), 'partial');
    }
    await saveModelDirectory(tinyModel('second', 2), dir);
    expect(readdirSync(parent).sort()).toEqual(['model', ...kept].sort());
    expect((await loadModelDirectory(dir)).meta.name).toBe('second');
  });

  it('names the file when model.json is not JSON', async () => {
    const dir = join(work, 'corrupt');
    await saveModelDirectory(tinyModel('corrupt', 3), dir);
    writeFileSync(join(dir, 'model.json'), '{"format": "equimol-model",');
    await expect(loadModelDirectory(dir)).rejects.toThrow(`${join(dir, 'model.json')}: model.json is not valid JSON`);
  });

  it('reads weights only from a plain file name next to model.json', async () => {
    const dir = join(work, 'escape');
    await saveModelDirectory(tinyModel('escape', 4), dir);
    const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    meta.weightsManifest[0].paths = ['../model/weights.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(meta));
    await expect(loadModelDirectory(dir)).rejects.toThrow(`${dir}: model.json names weights file "../model/weights.bin", which is not a plain file name`);
  });

  it('says which directory has no model', async () => {
    await expect(loadModelDirectory(join(work, 'nothing'))).rejects.toThrow(`${join(work, 'nothing')}: no model.json`);
  });
});
