import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { replaceAtomically, stageFile, writeFileAtomic } from './filesAtomic.js';
import { writeSdfFile } from './filesWrite.js';

const work = mkdtempSync(join(tmpdir(), 'equimol-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const methane: Molecule = { elements: ['C'], positions: new Float64Array([0, 0, 0]) };

describe('atomic file replacement', () => {
  it('writing a file sweeps the temporaries of that file left by killed processes (e.g. a checkpoint cut by kill -9)', async () => {
    const dir = join(work, 'checkpoints');
    await writeFileAtomic(join(dir, 'latest.eqt'), 'one');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
    const stale = `.equimol-${dead}-k1ll3d.tmp.latest.eqt`;
    const others = [`.equimol-${process.ppid}-wr1t1n.tmp.latest.eqt`, `.equimol-${dead}-k1ll3d.tmp.best.eqt`]; // a live writer's; another file's
    for (const name of [stale, ...others]) writeFileSync(join(dir, name), 'partial');
    await writeFileAtomic(join(dir, 'latest.eqt'), 'two');
    expect(readdirSync(dir).sort()).toEqual(['latest.eqt', ...others].sort());
    expect(readFileSync(join(dir, 'latest.eqt'), 'utf8')).toBe('two');
  });

  it('writeFileAtomic replaces a file (creating its directory) and leaves nothing else', async () => {
    const path = join(work, 'plain', 'run.json');
    await writeFileAtomic(path, 'old\n');
    await writeFileAtomic(path, 'new\n');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(readdirSync(join(work, 'plain'))).toEqual(['run.json']);
  });

  it('a failed write keeps the old file and removes the temporary', async () => {
    const dir = join(work, 'failed');
    const path = join(dir, 'latest.eqt');
    await writeFileAtomic(path, 'old');
    await expect(
      replaceAtomically(path, async (tempPath) => {
        writeFileSync(tempPath, 'half');
        throw new Error('ENOSPC');
      }),
    ).rejects.toThrow('ENOSPC');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['latest.eqt']);
  });

  it('the temporary ends with the target name, so a stream writer picks gzip by extension', async () => {
    const path = join(work, 'stream', 'out.sdf.gz');
    const count = await replaceAtomically(path, (tempPath) => {
      expect(basename(tempPath)).toMatch(/^\.equimol-\d+-[0-9a-z]+\.tmp\.out\.sdf\.gz$/);
      return writeSdfFile(tempPath, [methane, methane]);
    });
    expect(count).toBe(2);
    expect(gunzipSync(readFileSync(path)).toString('utf8').match(/\$\$\$\$/g)).toHaveLength(2);
  });

  it('without replace, an existing target is left alone (EEXIST) and the temporary can be discarded', async () => {
    const path = join(work, 'keep', 'keep.sdf');
    await writeFileAtomic(path, 'precious\n');
    const staged = await stageFile(path);
    writeFileSync(staged.tempPath, 'new\n');
    await expect(staged.commit({ replace: false })).rejects.toMatchObject({ code: 'EEXIST' });
    await staged.discard();
    expect(readFileSync(path, 'utf8')).toBe('precious\n');
    expect(readdirSync(join(work, 'keep'))).toEqual(['keep.sdf']);
    const fresh = await stageFile(join(work, 'keep', 'fresh.sdf'));
    writeFileSync(fresh.tempPath, 'fresh\n');
    await fresh.commit({ replace: false });
    expect(existsSync(fresh.tempPath)).toBe(false);
    expect(readFileSync(join(work, 'keep', 'fresh.sdf'), 'utf8')).toBe('fresh\n');
  });
});
