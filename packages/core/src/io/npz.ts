import { unzipSync, zipSync } from 'fflate';
import type { Molecule } from '../chem/molecule.js';
import { atomicNumber, elementSymbol } from '../chem/elements.js';
import { MoleculeParseError, RecordTally, type ReadOptions } from './errors.js';
import { EquimolError } from '../errors.js';
import { registerFormat } from './formatRegistry.js';

// NumPy's .npy format (numpy.lib.format, versions 1–3): magic `\x93NUMPY`, version, a little-endian
// header length (2 bytes in v1, 4 in v2/3), a Python-literal header dict, then the raw array data.
// A .npz is a zip of .npy files (numpy.savez); EDM stores its processed QM9 splits this way.

/** A numeric array read from a .npy file; values are widened to float64 (int64 beyond 2^53 loses precision). */
export interface NpyArray {
  /** NumPy dtype descriptor as written, e.g. `<f4`, `<i8`. */
  dtype: string;
  shape: number[];
  /** Values in C (row-major) order. */
  values: Float64Array;
}

/** Thrown for a .npy/.npz file that is not one, or has a layout equimol cannot read. */
export class NpyFormatError extends EquimolError {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'NpyFormatError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses one .npy file (numeric dtypes: bool, (u)int8–64, float32/64, either byte order). */
export function parseNpy(bytes: Uint8Array, source = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyFormatError(source, 'not a .npy file (magic \\x93NUMPY missing)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyFormatError(source, `unreadable .npy header ${JSON.stringify(header.trim())}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  if (fortran === 'True' && shape.length > 1) throw new NpyFormatError(source, 'Fortran-ordered arrays are not supported');
  const m = /^([<>|=])([biuf])(\d+)$/.exec(descr);
  if (!m) throw new NpyFormatError(source, `dtype ${descr} is not numeric`);
  const little = m[1] !== '>';
  const kind = m[2]!;
  const size = Number(m[3]);
  const offset = headerStart + headerLength;
  if (offset + count * size > bytes.length) throw new NpyFormatError(source, `data is truncated: ${count} × ${size} bytes expected`);
  const read = reader(kind, size, view, little);
  if (!read) throw new NpyFormatError(source, `dtype ${descr} is not supported`);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = read(offset + i * size);
  return { dtype: descr, shape, values };
}

function reader(kind: string, size: number, view: DataView, little: boolean): ((at: number) => number) | undefined {
  const key = `${kind}${size}`;
  switch (key) {
    case 'b1': case 'u1': return (at) => view.getUint8(at);
    case 'i1': return (at) => view.getInt8(at);
    case 'i2': return (at) => view.getInt16(at, little);
    case 'u2': return (at) => view.getUint16(at, little);
    case 'i4': return (at) => view.getInt32(at, little);
    case 'u4': return (at) => view.getUint32(at, little);
    case 'i8': return (at) => Number(view.getBigInt64(at, little));
    case 'u8': return (at) => Number(view.getBigUint64(at, little));
    case 'f4': return (at) => view.getFloat32(at, little);
    case 'f8': return (at) => view.getFloat64(at, little);
    default: return undefined;
  }
}

/** Parses a .npz (zip of .npy) into arrays by name (without the `.npy` suffix). */
export function parseNpz(bytes: Uint8Array, source = '<npz>'): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new NpyFormatError(source, `not a zip archive (${(e as Error).message})`);
  }
  const arrays: Record<string, NpyArray> = {};
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith('.npy')) continue;
    arrays[name.slice(0, -4)] = parseNpy(data, `${source}:${name}`);
  }
  return arrays;
}

/**
 * Molecules of an EDM-processed QM9 split (.npz with `num_atoms`, `charges` = atomic numbers padded
 * with 0, `positions` in Å, and per-molecule properties such as `index`, `mu`, `U0`, which go into
 * `properties`). Element 0 inside the first `num_atoms` slots, or an unknown atomic number, is an
 * error naming the molecule (skipped and counted with `skipInvalid`).
 */
export function moleculesFromEdmNpz(bytes: Uint8Array, options: ReadOptions = {}): Molecule[] {
  const tally = new RecordTally(options, '<npz>');
  const arrays = parseNpz(bytes, tally.source);
  const numAtoms = arrays.num_atoms;
  const charges = arrays.charges;
  const positions = arrays.positions;
  if (!numAtoms || !charges || !positions) {
    throw new NpyFormatError(tally.source, `an EDM npz needs num_atoms, charges and positions; found ${Object.keys(arrays).join(', ') || 'nothing'}`);
  }
  const n = numAtoms.shape[0] ?? 0;
  const width = charges.shape[1] ?? 0;
  if (charges.shape[0] !== n || positions.shape[0] !== n || positions.shape[1] !== width || positions.shape[2] !== 3) {
    throw new NpyFormatError(tally.source, `inconsistent shapes: num_atoms ${numAtoms.shape}, charges ${charges.shape}, positions ${positions.shape}`);
  }
  const perMolecule = Object.entries(arrays).filter(([name, a]) => a.shape.length === 1 && a.shape[0] === n && name !== 'num_atoms');
  const molecules: Molecule[] = [];
  for (let m = 0; m < n; m++) {
    const molecule = tally.take(() => edmMolecule(m, numAtoms.values[m]!, width, charges.values, positions.values, perMolecule, tally.source));
    if (molecule) molecules.push(molecule);
  }
  tally.finish('molecules');
  return molecules;
}

function edmMolecule(m: number, count: number, width: number, z: Float64Array, xyz: Float64Array, perMolecule: [string, NpyArray][], source: string): Molecule {
  const fail = (reason: string) => new MoleculeParseError(source, m + 1, undefined, reason);
  if (!Number.isInteger(count) || count < 0 || count > width) throw fail(`num_atoms is ${count}, expected 0..${width}`);
  const elements: string[] = [];
  const positions = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const atomic = z[m * width + i]!;
    if (atomic === 0) throw fail(`atom ${i + 1} of ${count} is padding (atomic number 0)`);
    try {
      elements.push(elementSymbol(atomic));
    } catch {
      throw fail(`atom ${i + 1} has unknown atomic number ${atomic}`);
    }
    for (let d = 0; d < 3; d++) {
      const v = xyz[(m * width + i) * 3 + d]!;
      if (!Number.isFinite(v)) throw fail(`atom ${i + 1} has a non-finite coordinate ${v}`);
      positions[3 * i + d] = v;
    }
  }
  const properties: Record<string, string> = {};
  for (const [name, a] of perMolecule) properties[name] = String(a.values[m]);
  const mol: Molecule = { elements, positions, properties };
  if (properties.index !== undefined) mol.title = `QM9 ${properties.index}`;
  return mol;
}

/** Bytes of a version-1 .npy file holding a little-endian int64 or float32 array. */
export function formatNpy(dtype: '<i8' | '<f4', shape: number[], values: ArrayLike<number>): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The header is padded with spaces to a multiple of 64 bytes (magic + version + length included) and ends in \n.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const width = dtype === '<i8' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + values.length * width);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const data = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < values.length; i++) {
    if (dtype === '<i8') data.setBigInt64(8 * i, BigInt(Math.round(values[i]!)), true);
    else data.setFloat32(4 * i, values[i]!, true);
  }
  return out;
}

/**
 * An EDM-style .npz of molecules (what `moleculesFromEdmNpz` reads): `num_atoms`, `charges`
 * (atomic numbers, 0-padded), `positions` (Å, float32), plus every property that is numeric for
 * all molecules, as a float32 column (`index` as int64).
 */
export function formatEdmNpz(molecules: readonly Molecule[]): Uint8Array {
  const n = molecules.length;
  const width = Math.max(0, ...molecules.map((m) => m.elements.length));
  const numAtoms = molecules.map((m) => m.elements.length);
  const charges = new Float64Array(n * width);
  const positions = new Float32Array(n * width * 3);
  molecules.forEach((m, k) => {
    m.elements.forEach((e, i) => (charges[k * width + i] = atomicNumber(e)));
    positions.set(m.positions, k * width * 3);
  });
  const files: Record<string, Uint8Array> = {
    'num_atoms.npy': formatNpy('<i8', [n], numAtoms),
    'charges.npy': formatNpy('<i8', [n, width], charges),
    'positions.npy': formatNpy('<f4', [n, width, 3], positions),
  };
  const names = n === 0 ? [] : Object.keys(molecules[0]!.properties ?? {});
  for (const name of names) {
    if (name === 'num_atoms' || name === 'charges' || name === 'positions') continue;
    const column = molecules.map((m) => Number(m.properties?.[name]));
    if (!column.every((v) => Number.isFinite(v) && v !== null)) continue;
    if (!molecules.every((m) => (m.properties?.[name] ?? '').trim() !== '')) continue;
    files[`${name}.npy`] = formatNpy(name === 'index' ? '<i8' : '<f4', [n], column);
  }
  return zipSync(files, { level: 6 });
}

registerFormat({
  name: 'npz',
  extensions: ['npz'],
  description: "EDM's processed-QM9 arrays (num_atoms, charges, positions, numeric properties)",
  binary: true,
  holds: { bonds: false, formalCharges: false, properties: true, trajectories: false },
  read: moleculesFromEdmNpz,
  write: formatEdmNpz,
});
