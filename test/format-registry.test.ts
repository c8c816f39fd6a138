// Core's one table of molecule file formats: what each entry reads and writes, and that Node's file
// readers, the CLI and the viewer all ask it, so an unknown extension gets the same words in each.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findMoleculeFormat,
  formatAcceptList,
  moleculeFormatNamed,
  moleculeFormatOf,
  moleculeFormats,
  trajectoryFormatOf,
  trajectoryFromFile,
  UnknownFormatError,
} from '../packages/core/src/index.js';
import { readMoleculeFile, writeMoleculeFile, writeTrajectoryFile } from '../packages/core/src/node.js';
import { openBlob } from '../packages/viewer/src/open.js';
import { equimol, FIXTURES, scratch } from './cli-run.js';

const NPZ = join(FIXTURES, 'chem/edm-qm9-test-sample.npz');
const SDF = join(FIXTURES, 'chem/qm9-train-sample.sdf');
const TRAJECTORY = join(FIXTURES, 'trajectory-small.sdf');
const UNKNOWN = 'notes.pdb: unknown molecule file type (expected .json, .npz, .sdf, .sd, .mol or .xyz, optionally .gz)';
const { dir, remove } = scratch('formats');
afterAll(remove);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('the format table', () => {
  it('finds formats by extension, through .gz and in any case', () => {
    expect(moleculeFormats().map((f) => f.name)).toEqual(['json', 'npz', 'sdf', 'xyz']);
    const names = ['a.sdf', 'a.SD', 'dir.x/a.mol', 'a.xyz.gz', 'a.npz', 'a.JSON.GZ'].map((n) => findMoleculeFormat(n)?.name);
    expect(names).toEqual(['sdf', 'sdf', 'sdf', 'xyz', 'npz', 'json']);
    expect(findMoleculeFormat('a.gz')).toBeUndefined();
    expect(findMoleculeFormat('sdf')).toBeUndefined();
    expect(() => moleculeFormatOf('notes.pdb')).toThrow(UnknownFormatError);
    expect(() => moleculeFormatOf('notes.pdb')).toThrow(UNKNOWN);
    expect(() => moleculeFormatNamed('pdb')).toThrow('unknown molecule format "pdb" (json, npz, sdf, xyz)');
    expect(formatAcceptList()).toBe('.json,.npz,.sdf,.sd,.mol,.xyz,.gz');
  });

  it('says what each format holds and which readers and writers it has', () => {
    const table = Object.fromEntries(
      moleculeFormats().map((f) => [f.name, { ...f.holds, binary: f.binary, stream: !!f.readStream, record: !!f.writeRecord, trajectory: !!f.writeTrajectory }]),
    );
    expect(table).toEqual({
      sdf: { bonds: true, formalCharges: true, properties: true, trajectories: true, binary: false, stream: true, record: true, trajectory: true },
      xyz: { bonds: false, formalCharges: false, properties: false, trajectories: false, binary: false, stream: true, record: true, trajectory: false },
      npz: { bonds: false, formalCharges: false, properties: true, trajectories: false, binary: true, stream: false, record: false, trajectory: false },
      json: { bonds: true, formalCharges: true, properties: true, trajectories: true, binary: false, stream: false, record: false, trajectory: true },
    });
    expect(() => trajectoryFormatOf('t.xyz')).toThrow('t.xyz: xyz files hold no trajectories; write the trajectory as .json or .sdf (optionally .gz)');
  });

  it('writes and reads back every format, gzipped too, through the Node file helpers', async () => {
    const molecules = (await collect(readMoleculeFile(NPZ))).slice(0, 3);
    for (const name of ['m.sdf', 'm.xyz.gz', 'm.npz', 'm.json', 'm.sdf.gz']) {
      const path = join(dir, name);
      expect(await writeMoleculeFile(path, molecules)).toBe(3);
      const back = await collect(readMoleculeFile(path));
      expect(back.map((m) => m.elements), name).toEqual(molecules.map((m) => m.elements));
      expect(Array.from(back[2]!.positions), name).toEqual(Array.from(molecules[2]!.positions).map((v) => expect.closeTo(v, 4)));
    }
  });

  it('writes trajectories as SDF or JSON and reads them back, plain molecule files as one-frame trajectories', async () => {
    const trajectory = trajectoryFromFile(TRAJECTORY, readFileSync(TRAJECTORY));
    expect(trajectory.molecules[0]!.frames.length).toBeGreaterThan(1);
    for (const name of ['t.sdf', 't.json.gz']) {
      const path = join(dir, name);
      await writeTrajectoryFile(path, trajectory);
      const bytes = name.endsWith('.gz') ? new Uint8Array(Buffer.from(await new Response(new Blob([readFileSync(path)]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())) : readFileSync(path);
      expect(trajectoryFromFile(name, bytes).molecules.map((m) => m.frames.length)).toEqual(trajectory.molecules.map((m) => m.frames.length));
    }
    const npz = trajectoryFromFile('q.npz', readFileSync(NPZ));
    expect(npz.molecules).toHaveLength(5);
    expect(npz.molecules.every((m) => m.frames.length === 1)).toBe(true);
  });
});

describe('one unknown-extension message in core, the CLI and the viewer', () => {
  writeFileSync(join(dir, 'notes.pdb'), 'HETATM\n');

  it('core', async () => {
    await expect(collect(readMoleculeFile(join(dir, 'notes.pdb')))).rejects.toThrow(`${join(dir, 'notes.pdb')}: unknown molecule file type`);
    await expect(collect(readMoleculeFile('notes.pdb'))).rejects.toThrow(UNKNOWN);
  });

  it.each([
    [['view', 'notes.pdb']],
    [['eval', 'notes.pdb']],
    [['data', 'convert', 'notes.pdb', 'out.sdf']],
    [['data', 'convert', join(SDF), 'notes.pdb']],
    [['sample', '-n', '1', '-o', 'notes.pdb']],
  ])('the CLI: equimol %s → exit 2, one line', (args) => {
    const r = equimol(args, dir);
    expect(r.stderr.trim()).toBe(`equimol: ${UNKNOWN}`);
    expect(r.status).toBe(2);
  });

  it('the viewer', async () => {
    await expect(openBlob('notes.pdb', new Blob(['HETATM\n']))).rejects.toThrow(UNKNOWN);
  });
});

describe('the viewer opens every format in the table', () => {
  it('npz and JSON molecule lists, gzipped or not', async () => {
    const npz = readFileSync(NPZ);
    expect((await openBlob('q.npz', new Blob([npz]))).trajectory.molecules).toHaveLength(5);
    expect((await openBlob('q.npz.gz', new Blob([gzipSync(npz)]))).trajectory.molecules).toHaveLength(5);
    const list = join(dir, 'list.json');
    await writeMoleculeFile(list, (await collect(readMoleculeFile(SDF))).slice(0, 4));
    const opened = await openBlob('list.json', new Blob([readFileSync(list)]));
    expect(opened.trajectory.molecules.map((m) => m.frames.length)).toEqual([1, 1, 1, 1]);
    const traj = await openBlob('trajectory-small.json', new Blob([readFileSync(join(FIXTURES, 'trajectory-small.json'))]));
    expect(traj.trajectory.molecules[0]!.frames.length).toBeGreaterThan(1);
  });
});
