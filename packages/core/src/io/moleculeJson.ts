import type { Bond, Molecule } from '../chem/molecule.js';
import { MoleculeParseError, type ReadOptions, RecordTally } from './errors.js';
import { registerFormat } from './formatRegistry.js';
import { decodeText } from './lines.js';
import { moleculesAsTrajectory, trajectoryFromJson, trajectoryToJson } from './trajectory.js';

// A JSON form of molecule lists for programs that would rather not parse SDF (e.g. `equimol sample
// --format json`): plain arrays, flat coordinates as in `Molecule`, versioned like the trajectory JSON.

/** One molecule in JSON form. */
export interface MoleculeJson {
  title?: string;
  elements: string[];
  /** Flat coordinates `[x0, y0, z0, x1, …]` in Å. */
  positions: number[];
  /** `[a, b, order]` with 0-based atoms; order 4 is aromatic. */
  bonds?: [number, number, number][];
  formalCharges?: number[];
  properties?: Record<string, string>;
}

/** A list of molecules in JSON form (`moleculesToJson`). */
export interface MoleculeListJson {
  format: 'equimol-molecules';
  version: 1;
  molecules: MoleculeJson[];
}

/** The JSON form of molecules (write it with `JSON.stringify`). */
export function moleculesToJson(molecules: Iterable<Molecule>): MoleculeListJson {
  const out: MoleculeJson[] = [];
  for (const mol of molecules) {
    const m: MoleculeJson = { elements: [...mol.elements], positions: Array.from(mol.positions) };
    if (mol.title !== undefined) m.title = mol.title;
    if (mol.bonds) m.bonds = mol.bonds.map((b) => [b.a, b.b, b.order]);
    if (mol.formalCharges) m.formalCharges = [...mol.formalCharges];
    if (mol.properties) m.properties = { ...mol.properties };
    out.push(m);
  }
  return { format: 'equimol-molecules', version: 1, molecules: out };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Molecules from their JSON form (parsed or as text). Throws `MoleculeParseError` naming the
 * molecule (1-based record) that is malformed, or skips and counts it with `skipInvalid`; a text
 * that is not a molecule list at all is always an error. `options` may be just the source name.
 */
export function moleculesFromJson(json: unknown, options: ReadOptions | string = {}): Molecule[] {
  const tally = new RecordTally(typeof options === 'string' ? { source: options } : options, '<json>');
  const source = tally.source;
  let data = json;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (e) {
      throw new MoleculeParseError(source, 1, undefined, `not JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(data) || data.format !== 'equimol-molecules' || !Array.isArray(data.molecules)) {
    throw new MoleculeParseError(source, 1, undefined, 'not an equimol molecule list (expected "format": "equimol-molecules" and a "molecules" array)');
  }
  if (data.version !== 1) throw new MoleculeParseError(source, 1, undefined, `molecule list version ${JSON.stringify(data.version)} is not supported (this reader knows version 1)`);
  const molecules: Molecule[] = [];
  data.molecules.forEach((m: unknown, i: number) => {
    const molecule = tally.take(() =>
      moleculeFromJson(m, (reason) => {
        throw new MoleculeParseError(source, i + 1, undefined, reason);
      }),
    );
    if (molecule) molecules.push(molecule);
  });
  tally.finish('molecules');
  return molecules;
}

/** One molecule of a list; `fail` throws the error naming its record. */
function moleculeFromJson(m: unknown, fail: (reason: string) => never): Molecule {
  if (!isObject(m) || !Array.isArray(m.elements) || !Array.isArray(m.positions)) return fail('a molecule needs "elements" and "positions" arrays');
  const elements = m.elements;
  if (!elements.every((e) => typeof e === 'string' && /^[A-Z][a-z]?$/.test(e))) return fail('elements must be element symbols');
  const n = elements.length;
  if (m.positions.length !== 3 * n || !m.positions.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return fail(`positions must be ${3 * n} finite numbers (3 per atom)`);
  }
  const mol: Molecule = { elements: elements as string[], positions: Float64Array.from(m.positions as number[]) };
  if (typeof m.title === 'string') mol.title = m.title;
  if (m.bonds !== undefined) {
    if (!Array.isArray(m.bonds)) return fail('"bonds" must be an array');
    mol.bonds = m.bonds.map((b: unknown): Bond => {
      const ok = Array.isArray(b) && b.length === 3 && b.every(Number.isInteger) && b[0] >= 0 && b[0] < n && b[1] >= 0 && b[1] < n && b[0] !== b[1] && b[2] >= 1 && b[2] <= 4;
      if (!ok) return fail(`bond ${JSON.stringify(b)} is not [atom, atom, order 1–4] with atoms in 0..${n - 1}`);
      const [a, c, order] = b as number[];
      return { a: a!, b: c!, order: order as Bond['order'] };
    });
  }
  if (m.formalCharges !== undefined) {
    if (!Array.isArray(m.formalCharges) || m.formalCharges.length !== n || !m.formalCharges.every(Number.isInteger)) return fail(`"formalCharges" must be ${n} integers`);
    mol.formalCharges = m.formalCharges as number[];
  }
  if (m.properties !== undefined) {
    if (!isObject(m.properties) || !Object.values(m.properties).every((v) => typeof v === 'string')) return fail('"properties" must map names to strings');
    mol.properties = m.properties as Record<string, string>;
  }
  return mol;
}

registerFormat({
  name: 'json',
  extensions: ['json'],
  description: 'equimol JSON: a molecule list (moleculesToJson) or a denoising trajectory (trajectoryToJson)',
  binary: false,
  holds: { bonds: true, formalCharges: true, properties: true, trajectories: true },
  read: (bytes, options) => moleculesFromJson(decodeText(bytes), options),
  write: (molecules) => JSON.stringify(moleculesToJson(molecules)) + '\n',
  // A .json file is either kind; its "format" field says which.
  readTrajectory(bytes, source) {
    const text = decodeText(bytes);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return trajectoryFromJson(text, source); // names the file and the JSON error
    }
    return isObject(data) && data.format === 'equimol-molecules' ? moleculesAsTrajectory(moleculesFromJson(data, source)) : trajectoryFromJson(data, source);
  },
  writeTrajectory: (trajectory) => [JSON.stringify(trajectoryToJson(trajectory)) + '\n'],
});
