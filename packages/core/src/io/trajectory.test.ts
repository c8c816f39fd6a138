import { describe, expect, it } from 'vitest';
import type { Molecule } from '../chem/molecule.js';
import { parseSdf, writeSdf } from './sdf.js';
import {
  frameMolecule,
  TrajectoryFormatError,
  trajectoryFrameCount,
  trajectoryFromJson,
  trajectoryFromSdfRecords,
  trajectoryToJson,
  trajectoryToSdfRecords,
  type Trajectory,
} from './trajectory.js';

function record(molecule: number, frame: number, step: number, x: number, extra: Record<string, string> = {}): Molecule {
  return {
    title: `mol ${molecule}`,
    elements: ['C', 'O'],
    positions: Float64Array.from([x, 0, 0, x + 1.2, 0, 0]),
    properties: { molecule: String(molecule), frame: String(frame), step: String(step), t: String(step / 100), snr: '0.5', gamma: '0.69', ...extra },
  };
}

describe('trajectoryFromSdfRecords', () => {
  it('groups records by molecule and orders frames by <frame>', () => {
    // Records interleaved and out of order, as a writer that streams a batch might emit them.
    const records = [record(1, 1, 0, 10), record(0, 1, 0, 1), record(0, 0, 100, 0), record(1, 0, 100, 9)];
    const traj = trajectoryFromSdfRecords(records);
    expect(traj.molecules.map((m) => m.index)).toEqual([0, 1]);
    expect(traj.molecules[0]!.frames.map((f) => f.step)).toEqual([100, 0]);
    expect(traj.molecules[1]!.frames.map((f) => f.positions[0])).toEqual([9, 10]);
    expect(traj.molecules[0]!.frames[0]).toMatchObject({ t: 1, snr: 0.5, gamma: 0.69 });
    expect(traj.molecules[0]!.title).toBe('mol 0');
    expect(trajectoryFrameCount(traj)).toBe(2);
  });

  it('reads an overflowed SNR spelled inf', () => {
    const traj = trajectoryFromSdfRecords([record(0, 0, 0, 0, { snr: 'inf' })]);
    expect(traj.molecules[0]!.frames[0]!.snr).toBe(Infinity);
  });

  it('turns a plain SDF into single-frame molecules', () => {
    const plain: Molecule[] = [
      { title: 'water', elements: ['O', 'H', 'H'], positions: new Float64Array(9) },
      { elements: ['C'], positions: new Float64Array(3) },
    ];
    const traj = trajectoryFromSdfRecords(plain);
    expect(traj.molecules).toHaveLength(2);
    expect(traj.molecules[0]!.title).toBe('water');
    expect(traj.molecules[1]!.frames).toHaveLength(1);
    expect(traj.molecules[1]!.frames[0]!.step).toBeUndefined();
  });

  it('names the record of an inconsistent frame', () => {
    const bad = record(0, 1, 0, 0);
    bad.elements = ['C', 'O', 'H'];
    bad.positions = new Float64Array(9);
    expect(() => trajectoryFromSdfRecords([record(0, 0, 100, 0), bad], 'run.sdf')).toThrow(
      /run\.sdf, record 2: molecule 0 frame 1 has 3 atoms, but its frame 0 \(record 1\) has 2/,
    );
    expect(() => trajectoryFromSdfRecords([record(0, 0, 100, 0), record(0, 0, 90, 0)])).toThrow(/frame 0 twice/);
    expect(() => trajectoryFromSdfRecords([record(0, 0, 100, 0, { step: 'ten' })])).toThrow(TrajectoryFormatError);
    const untagged: Molecule = { elements: ['C'], positions: new Float64Array(3) };
    expect(() => trajectoryFromSdfRecords([record(0, 0, 100, 0), untagged])).toThrow(/no <molecule>\/<frame>/);
  });

  it('reads back what trajectoryToSdfRecords writes', () => {
    const traj = trajectoryFromSdfRecords([record(0, 0, 100, 0), record(0, 1, 0, 1), record(3, 0, 100, 5)]);
    expect(trajectoryFromSdfRecords(trajectoryToSdfRecords(traj))).toEqual(traj);
  });
});

describe('trajectory JSON', () => {
  const traj: Trajectory = {
    molecules: [
      {
        index: 0,
        title: 'gen 0',
        frames: [
          { elements: ['C', 'N'], positions: Float64Array.from([0.1, 0.2, 0.3, 1, 2, 3]), step: 10, t: 1, snr: 1e-5, gamma: 11.5 },
          { elements: ['C', 'O'], positions: Float64Array.from([0, 0, 0, 1.2, 0, 0]), step: 0, t: 0, snr: 1e5, gamma: -11.5 },
        ],
      },
    ],
  };

  it('round-trips through JSON text', () => {
    const text = JSON.stringify(trajectoryToJson(traj));
    expect(trajectoryFromJson(text)).toEqual(traj);
    expect(trajectoryFromJson(JSON.parse(text))).toEqual(traj);
  });

  it('leaves out an infinite SNR instead of writing null', () => {
    const inf: Trajectory = { molecules: [{ index: 0, frames: [{ elements: ['C'], positions: new Float64Array(3), snr: Infinity }] }] };
    expect(trajectoryToJson(inf).molecules[0]!.frames[0]).not.toHaveProperty('snr');
  });

  it('refuses what is not a version-1 equimol trajectory', () => {
    expect(() => trajectoryFromJson('{', 'x.json')).toThrow(/x\.json: not JSON/);
    expect(() => trajectoryFromJson({ molecules: [] })).toThrow(/not an equimol trajectory/);
    expect(() => trajectoryFromJson({ format: 'equimol-trajectory', version: 2, molecules: [] })).toThrow(/version 2/);
    const short = { format: 'equimol-trajectory', version: 1, molecules: [{ index: 0, frames: [{ elements: ['C'], positions: [0, 0] }] }] };
    expect(() => trajectoryFromJson(short)).toThrow(/record 1: frame 0: positions must be 3 finite numbers/);
    const odd = { format: 'equimol-trajectory', version: 1, molecules: [{ index: 0, frames: [{ elements: ['<b>'], positions: [0, 0, 0] }] }] };
    expect(() => trajectoryFromJson(odd)).toThrow(/"<b>" is not an element symbol/);
  });
});

describe("a bond model's frames", () => {
  // Acetamide's heavy atoms far apart: only the frames' own bonds say they are bonded.
  const graph = { bonds: [{ a: 0, b: 1, order: 1 as const }, { a: 1, b: 2, order: 2 as const }, { a: 1, b: 3, order: 1 as const }], formalCharges: [0, 0, 0, 0] };
  const traj: Trajectory = {
    molecules: [
      {
        index: 0,
        title: 'gen 0',
        frames: [
          { elements: ['C', 'C', 'O', 'N'], positions: Float64Array.from({ length: 12 }, (_, i) => 4 * i), step: 10, t: 1, snr: 1e-5, gamma: 11.5, bonds: [{ a: 0, b: 3, order: 3 }], formalCharges: [0, 0, -1, 1] },
          { elements: ['C', 'C', 'O', 'N'], positions: Float64Array.from({ length: 12 }, (_, i) => 3 * i), step: 0, t: 0, snr: 1e5, gamma: -11.5, ...graph },
        ],
      },
    ],
  };

  it('keep their generated bonds and charges through JSON and SDF, and the frame molecule carries them', () => {
    const json = trajectoryToJson(traj);
    expect(json.molecules[0]!.frames[1]).toMatchObject({ bonds: [[0, 1, 1], [1, 2, 2], [1, 3, 1]], formalCharges: [0, 0, 0, 0] });
    expect(trajectoryFromJson(JSON.stringify(json))).toEqual(traj);
    const records = trajectoryToSdfRecords(traj);
    expect(records.map((r) => r.properties!.bonds)).toEqual(['generated', 'generated']);
    // Through SDF text and back: the bond block holds the generated bonds, M  CHG the charges.
    expect(trajectoryFromSdfRecords(parseSdf(writeSdf(records)))).toEqual(traj);
    expect(frameMolecule(traj.molecules[0]!.frames[1]!)).toMatchObject(graph);
    // Frames of atom-only models stay without bonds, to be perceived.
    const plain = trajectoryFromSdfRecords([record(0, 0, 100, 0)]);
    expect(plain.molecules[0]!.frames[0]).not.toHaveProperty('bonds');
    expect(frameMolecule(plain.molecules[0]!.frames[0]!)).not.toHaveProperty('bonds');
  });

  it('are refused with a bad bond or charge list, naming record and frame', () => {
    const frame = (extra: Record<string, unknown>) => ({ format: 'equimol-trajectory', version: 1, molecules: [{ index: 0, frames: [{ elements: ['C', 'O'], positions: [0, 0, 0, 1.2, 0, 0], ...extra }] }] });
    expect(() => trajectoryFromJson(frame({ bonds: [[0, 2, 1]] }))).toThrow(/record 1: frame 0: bond 0 is \[0,2,1\], expected \[a, b, order\]/);
    expect(() => trajectoryFromJson(frame({ bonds: [[0, 1, 4]] }))).toThrow(TrajectoryFormatError);
    expect(() => trajectoryFromJson(frame({ bonds: [[0, 1, 2]], formalCharges: [0] }))).toThrow(/"formalCharges" must be 2 integers/);
    expect(trajectoryFromJson(frame({ bonds: [[0, 1, 2]], formalCharges: [0, 0] })).molecules[0]!.frames[0]!.bonds).toEqual([{ a: 0, b: 1, order: 2 }]);
  });
});
