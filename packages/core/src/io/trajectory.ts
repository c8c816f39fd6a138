import { isElementSymbol } from '../chem/elements.js';
import type { Bond, Molecule } from '../chem/molecule.js';
import { EquimolError } from '../errors.js';

// A denoising trajectory is what the reverse diffusion chain z_T → z_0 looks like for a batch of
// molecules: for each molecule, a few saved frames. EDM diffuses atom types as well as coordinates
// (argmax of the noisy one-hot features gives each atom's element at a frame), so every frame carries
// its own elements, not only positions. A model that generates bonds diffuses them too: its frames
// carry the bonds and formal charges decoded at that step (as its sample's are), which a viewer draws
// instead of perceiving bonds from the frame's coordinates.

/** One saved state of the reverse chain for one molecule. */
export interface TrajectoryFrame {
  /** Element symbol per atom at this frame (the argmax of the noisy atom-type features). */
  elements: string[];
  /** Flat coordinates `[x0, y0, z0, x1, …]` in Å, length `3 * elements.length`. */
  positions: Float64Array;
  /** Diffusion timestep of the frame, an integer from T (pure noise) down to 0 (the sample). */
  step?: number;
  /** `step / T`, in [0, 1]. */
  t?: number;
  /** Signal-to-noise ratio α_t² / σ_t² at this step. */
  snr?: number;
  /** γ(t) = −log SNR(t), EDM's parameterisation of the noise schedule. */
  gamma?: number;
  /** Bond models: the generated bonds at this frame (argmax of the bond channel); absent where bonds are to be perceived. */
  bonds?: Bond[];
  /** Bond models: the generated formal charge per atom at this frame (with `bonds`). */
  formalCharges?: number[];
}

/** The frames of one molecule of the batch, ordered from the first saved step (noise) to the last. */
export interface TrajectoryMolecule {
  /** Index of the molecule in the sampled batch. */
  index: number;
  /** Record title, when the source had one. */
  title?: string;
  frames: TrajectoryFrame[];
}

/**
 * Denoising trajectories of a batch of molecules. Frames of plain molecule files (not written by the
 * sampler) have no `step`/`t`/`snr`/`gamma`: a plain SDF becomes one single-frame molecule per record.
 */
export interface Trajectory {
  molecules: TrajectoryMolecule[];
}

/** Thrown when trajectory data (SDF data fields or JSON) is inconsistent; names the record at fault. */
export class TrajectoryFormatError extends EquimolError {
  /** File name or other description of the source. */
  readonly source: string;
  /** 1-based SDF record or JSON molecule the problem was found in, when there is one. */
  readonly record: number | undefined;
  /** What is wrong, without the location prefix. */
  readonly reason: string;

  constructor(source: string, record: number | undefined, reason: string) {
    super(record === undefined ? `${source}: ${reason}` : `${source}, record ${record}: ${reason}`);
    this.name = 'TrajectoryFormatError';
    this.source = source;
    this.record = record;
    this.reason = reason;
  }
}

/** The JSON form of a trajectory (`trajectoryToJson`), versioned so that readers can refuse what they don't know. */
export interface TrajectoryJson {
  format: 'equimol-trajectory';
  version: 1;
  molecules: {
    index: number;
    title?: string;
    frames: {
      elements: string[];
      /** Flat coordinates in Å. */
      positions: number[];
      step?: number;
      t?: number;
      snr?: number;
      gamma?: number;
      /** Generated bonds as [a, b, order] with 0-based atoms (bond models only). */
      bonds?: [number, number, number][];
      formalCharges?: number[];
    }[];
  }[];
}

/** The SDF data fields `equimol sample --trajectory` writes on every record. */
export const TRAJECTORY_SDF_FIELDS = ['molecule', 'frame', 'step', 't', 'snr', 'gamma'] as const;

const NOISE_FIELDS = ['step', 't', 'snr', 'gamma'] as const;

/** Number of frames of the longest molecule of a trajectory. */
export function trajectoryFrameCount(trajectory: Trajectory): number {
  return trajectory.molecules.reduce((n, m) => Math.max(n, m.frames.length), 0);
}

/**
 * The molecule shown by one frame: elements and positions, and a bond model's generated bonds and
 * charges where the frame has them (otherwise no bonds: they are perceived per frame).
 */
export function frameMolecule(frame: TrajectoryFrame, title?: string): Molecule {
  const mol: Molecule = { elements: frame.elements, positions: frame.positions };
  if (frame.bonds) {
    mol.bonds = frame.bonds;
    mol.formalCharges = chargesOf(frame);
  }
  if (title !== undefined) mol.title = title;
  return mol;
}

/** A trajectory in its JSON form (plain arrays; write it with `JSON.stringify`). */
export function trajectoryToJson(trajectory: Trajectory): TrajectoryJson {
  return {
    format: 'equimol-trajectory',
    version: 1,
    molecules: trajectory.molecules.map((m) => ({
      index: m.index,
      ...(m.title !== undefined ? { title: m.title } : {}),
      frames: m.frames.map((f) => {
        const out: TrajectoryJson['molecules'][number]['frames'][number] = {
          elements: [...f.elements],
          positions: Array.from(f.positions),
        };
        for (const k of NOISE_FIELDS) {
          const v = f[k];
          // JSON has no Infinity: an SNR that overflowed is left out rather than written as null.
          if (v !== undefined && Number.isFinite(v)) out[k] = v;
        }
        if (f.bonds) {
          out.bonds = f.bonds.map((b) => [b.a, b.b, b.order]);
          out.formalCharges = chargesOf(f);
        }
        return out;
      }),
    })),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the JSON form of a trajectory (a parsed object or the JSON text) and checks it: every frame
 * needs elements and `3 × atoms` finite coordinates. Throws `TrajectoryFormatError` otherwise.
 */
export function trajectoryFromJson(json: unknown, source = '<json>'): Trajectory {
  let data = json;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (e) {
      throw new TrajectoryFormatError(source, undefined, `not JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(data) || data.format !== 'equimol-trajectory') {
    throw new TrajectoryFormatError(source, undefined, 'not an equimol trajectory (expected "format": "equimol-trajectory")');
  }
  if (data.version !== 1) {
    throw new TrajectoryFormatError(source, undefined, `trajectory version ${JSON.stringify(data.version)} is not supported (this reader knows version 1)`);
  }
  if (!Array.isArray(data.molecules)) throw new TrajectoryFormatError(source, undefined, '"molecules" must be an array');
  const molecules = data.molecules.map((m: unknown, mi: number): TrajectoryMolecule => {
    const record = mi + 1;
    if (!isObject(m) || !Array.isArray(m.frames)) throw new TrajectoryFormatError(source, record, 'a molecule needs a "frames" array');
    const index = m.index === undefined ? mi : m.index;
    if (typeof index !== 'number' || !Number.isInteger(index)) throw new TrajectoryFormatError(source, record, '"index" must be an integer');
    const frames = m.frames.map((f: unknown, fi: number): TrajectoryFrame => {
      const where = `frame ${fi}`;
      if (!isObject(f) || !Array.isArray(f.elements) || !Array.isArray(f.positions)) {
        throw new TrajectoryFormatError(source, record, `${where} needs "elements" and "positions" arrays`);
      }
      const unknown = f.elements.find((e) => typeof e !== 'string' || !isElementSymbol(e));
      if (unknown !== undefined) {
        throw new TrajectoryFormatError(source, record, `${where}: ${JSON.stringify(unknown)} is not an element symbol`);
      }
      if (f.positions.length !== 3 * f.elements.length || !f.positions.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new TrajectoryFormatError(source, record, `${where}: positions must be ${3 * f.elements.length} finite numbers (3 per atom)`);
      }
      const frame: TrajectoryFrame = { elements: f.elements as string[], positions: Float64Array.from(f.positions as number[]) };
      for (const k of NOISE_FIELDS) {
        const v = f[k];
        if (v === undefined) continue;
        if (typeof v !== 'number') throw new TrajectoryFormatError(source, record, `${where}: "${k}" must be a number`);
        frame[k] = v;
      }
      if (f.bonds !== undefined) frame.bonds = bondsFromJson(f.bonds, f.elements.length, source, record, where);
      if (f.formalCharges !== undefined) {
        const n = f.elements.length;
        if (!Array.isArray(f.formalCharges) || f.formalCharges.length !== n || !f.formalCharges.every((c) => Number.isInteger(c))) {
          throw new TrajectoryFormatError(source, record, `${where}: "formalCharges" must be ${n} integers (1 per atom)`);
        }
        if (!frame.bonds) throw new TrajectoryFormatError(source, record, `${where}: "formalCharges" come with generated "bonds"`);
        frame.formalCharges = f.formalCharges as number[];
      }
      return frame;
    });
    const out: TrajectoryMolecule = { index, frames };
    if (typeof m.title === 'string') out.title = m.title;
    return out;
  });
  return { molecules };
}

/** A frame's generated bonds, `[a, b, order]` triples of 0-based atoms and orders 1–3; throws naming the frame. */
function bondsFromJson(json: unknown, atoms: number, source: string, record: number, where: string): Bond[] {
  const atom = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) < atoms;
  if (!Array.isArray(json)) throw new TrajectoryFormatError(source, record, `${where}: "bonds" must be an array of [a, b, order]`);
  return json.map((bond: unknown, i: number) => {
    if (!Array.isArray(bond) || bond.length !== 3 || !atom(bond[0]) || !atom(bond[1]) || bond[0] === bond[1] || ![1, 2, 3].includes(bond[2] as number)) {
      throw new TrajectoryFormatError(source, record, `${where}: bond ${i} is ${JSON.stringify(bond)}, expected [a, b, order] with two different atoms 0..${atoms - 1} and order 1, 2 or 3`);
    }
    return { a: bond[0] as number, b: bond[1] as number, order: bond[2] as Bond['order'] };
  });
}

/** A bond model's frame or molecule record (data field `bonds` = `generated`) keeps its bonds; others get them perceived. */
function generatedGraph(mol: Molecule): Pick<TrajectoryFrame, 'bonds' | 'formalCharges'> {
  if (mol.properties?.bonds !== 'generated') return {};
  return { bonds: mol.bonds ?? [], formalCharges: chargesOf(mol) };
}

/** Formal charges of a frame or record with generated bonds: as given, else all neutral. */
function chargesOf(m: { elements: readonly string[]; formalCharges?: readonly number[] }): number[] {
  return m.formalCharges ? [...m.formalCharges] : m.elements.map(() => 0);
}

function numberField(mol: Molecule, name: string, source: string, record: number): number | undefined {
  const raw = mol.properties?.[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  // Writers in other languages spell an overflowed SNR `inf` (numpy) or `Infinity` (JavaScript).
  const value = /^[+]?inf(inity)?$/i.test(text) ? Infinity : /^-inf(inity)?$/i.test(text) ? -Infinity : text === '' ? NaN : Number(text);
  if (Number.isNaN(value)) throw new TrajectoryFormatError(source, record, `data field <${name}> is ${JSON.stringify(raw)}, expected a number`);
  return value;
}

function integerField(mol: Molecule, name: string, source: string, record: number): number | undefined {
  const value = numberField(mol, name, source, record);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new TrajectoryFormatError(source, record, `data field <${name}> is ${value}, expected an integer`);
  }
  return value;
}

/**
 * Plain molecules as a trajectory of one frame each (how the viewer shows a molecule file). A bond
 * model's exported molecules (data field `bonds` = `generated`) keep their bonds.
 */
export function moleculesAsTrajectory(molecules: readonly Molecule[]): Trajectory {
  return {
    molecules: molecules.map((m, i) => {
      const out: TrajectoryMolecule = { index: i, frames: [{ elements: m.elements, positions: m.positions, ...generatedGraph(m) }] };
      if (m.title !== undefined && m.title !== '') out.title = m.title;
      return out;
    }),
  };
}

/**
 * Groups the records of a trajectory SDF (as `equimol sample --trajectory` writes it: one record per
 * frame with data fields `molecule`, `frame`, `step`, `t`, `snr`, `gamma`) into a `Trajectory`,
 * molecules by `molecule` and frames ordered by `frame`. Records without these fields (a plain SDF)
 * become one single-frame molecule each. Mixing both, duplicate frames or a frame whose atom count
 * differs from its molecule's other frames throw `TrajectoryFormatError`.
 */
export function trajectoryFromSdfRecords(molecules: Molecule[], source = '<sdf>'): Trajectory {
  const tagged = molecules.map((m) => m.properties?.molecule !== undefined || m.properties?.frame !== undefined);
  const anyTagged = tagged.some(Boolean);
  if (!anyTagged) return moleculesAsTrajectory(molecules);
  const byIndex = new Map<number, { title?: string; frames: { order: number; record: number; frame: TrajectoryFrame }[] }>();
  molecules.forEach((mol, i) => {
    const record = i + 1;
    if (!tagged[i]) {
      throw new TrajectoryFormatError(source, record, 'record has no <molecule>/<frame> data fields, but other records of this trajectory do');
    }
    const index = integerField(mol, 'molecule', source, record) ?? 0;
    const order = integerField(mol, 'frame', source, record);
    if (order === undefined) throw new TrajectoryFormatError(source, record, 'record has a <molecule> data field but no <frame>');
    const frame: TrajectoryFrame = { elements: mol.elements, positions: mol.positions, ...generatedGraph(mol) };
    const step = integerField(mol, 'step', source, record);
    if (step !== undefined) frame.step = step;
    for (const k of ['t', 'snr', 'gamma'] as const) {
      const v = numberField(mol, k, source, record);
      if (v !== undefined) frame[k] = v;
    }
    let entry = byIndex.get(index);
    if (!entry) {
      entry = { frames: [] };
      byIndex.set(index, entry);
    }
    if (entry.title === undefined && mol.title) entry.title = mol.title;
    const first = entry.frames[0];
    if (first && first.frame.elements.length !== mol.elements.length) {
      throw new TrajectoryFormatError(
        source,
        record,
        `molecule ${index} frame ${order} has ${mol.elements.length} atoms, but its frame ${first.order} (record ${first.record}) has ${first.frame.elements.length}`,
      );
    }
    const duplicate = entry.frames.find((f) => f.order === order);
    if (duplicate) throw new TrajectoryFormatError(source, record, `molecule ${index} has frame ${order} twice (also record ${duplicate.record})`);
    entry.frames.push({ order, record, frame });
  });
  return {
    molecules: [...byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, entry]) => {
        const out: TrajectoryMolecule = { index, frames: entry.frames.sort((a, b) => a.order - b.order).map((f) => f.frame) };
        if (entry.title !== undefined) out.title = entry.title;
        return out;
      }),
  };
}

/**
 * The SDF records of a trajectory, one per frame with the data fields `trajectoryFromSdfRecords`
 * reads back (write them with core's SDF writer). Bonds are not set, they are perceived per frame;
 * except a bond model's frames, which carry their generated bonds and charges (data field `bonds` = `generated`).
 */
export function trajectoryToSdfRecords(trajectory: Trajectory): Molecule[] {
  const records: Molecule[] = [];
  for (const m of trajectory.molecules) {
    m.frames.forEach((f, frame) => {
      const properties: Record<string, string> = { molecule: String(m.index), frame: String(frame) };
      for (const k of NOISE_FIELDS) {
        const v = f[k];
        if (v !== undefined) properties[k] = String(v);
      }
      if (f.bonds) properties.bonds = 'generated';
      const record: Molecule = { elements: f.elements, positions: f.positions, ...(f.bonds ? { bonds: f.bonds, formalCharges: chargesOf(f) } : {}), properties };
      if (m.title !== undefined) record.title = m.title;
      records.push(record);
    });
  }
  return records;
}
