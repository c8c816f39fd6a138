import type { AtomEncoding } from '../data/atomEncoding.js';
import { parseJsonText } from '../io/errors.js';
import type { DatasetCard } from '../data/dataset.js';
import type { NoiseScheduleConfig } from '../diffusion/schedule.js';
import { NoiseSchedule } from '../diffusion/schedule.js';
import type { EgnnConfig } from '../model/config.js';
import { EgnnDynamics } from '../model/dynamics.js';
import { EquimolError } from '../errors.js';

/**
 * equimol's model format, version 1: a `model.json` in the shape of a tfjs weights manifest (so
 * tfjs tooling can read the weights) plus one little-endian float32 shard, `weights.bin`, holding the
 * parameters in manifest order. Everything needed to sample is in model.json: architecture, noise
 * schedule, atom vocabulary and normalisation, the atom-count histogram and where the data came from.
 */
export const MODEL_FORMAT = 'equimol-model';
export const MODEL_FORMAT_VERSION = 1;
/**
 * Version 2: a model that generates bonds and formal charges (`egnn.bondClasses`, `encoding.bonds`,
 * and `generatesBonds: true`). Atom-only models are still written as version 1, unchanged, so older
 * equimol versions keep reading them and refuse bond models with a clear version message.
 */
export const MODEL_FORMAT_VERSION_BONDS = 2;

/** Entry of the tfjs-style weights manifest. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** Contents of model.json. */
export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  name: string;
  description?: string;
  egnn: EgnnConfig;
  schedule: NoiseScheduleConfig;
  encoding: AtomEncoding;
  /** Index n: how many training molecules had n atoms (sampling draws sizes from it). */
  atomCountHistogram: number[];
  dataset?: DatasetCard;
  /** Free-form training provenance: steps, epochs, wall time, command, config. */
  training?: Record<string, unknown>;
  /** Version 2: the model generates bonds and formal charges with the atoms. */
  generatesBonds?: boolean;
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
}

/** A loaded model: network, schedule and weights (EMA weights in shipped models). */
export interface Model {
  meta: ModelManifest;
  dynamics: EgnnDynamics;
  schedule: NoiseSchedule;
  params: Float32Array;
}

/** Thrown when a model file is malformed or does not match its declared architecture. */
export class ModelFormatError extends EquimolError {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'ModelFormatError';
  }
}

/** Assembles a model from its description and a flat parameter vector. */
export function createModel(meta: Omit<ModelManifest, 'format' | 'formatVersion' | 'weightsManifest' | 'generatesBonds'>, params?: Float32Array): Model {
  checkBondConsistency(meta, meta.name);
  const dynamics = new EgnnDynamics(meta.egnn);
  const weights: WeightEntry[] = dynamics.layout.specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' }));
  const bonds = (meta.egnn.bondClasses ?? 0) > 0;
  const full: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: bonds ? MODEL_FORMAT_VERSION_BONDS : MODEL_FORMAT_VERSION,
    ...meta,
    ...(bonds ? { generatesBonds: true } : {}),
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  if (params && params.length !== dynamics.layout.size) {
    throw new ModelFormatError(meta.name, `got ${params.length} parameters, the architecture needs ${dynamics.layout.size}`);
  }
  return { meta: full, dynamics, schedule: new NoiseSchedule(meta.schedule), params: params ?? new Float32Array(dynamics.layout.size) };
}

/** A network with bond classes needs an encoding with bonds, and the other way round. */
function checkBondConsistency(meta: Pick<ModelManifest, 'egnn' | 'encoding'>, source: string): void {
  const K = meta.egnn.bondClasses ?? 0;
  const encoded = meta.encoding.bonds ? meta.encoding.bonds.orders.length + 1 : 0;
  if (K !== encoded) throw new ModelFormatError(source, `the network has ${K} bond classes but the encoding ${encoded > 0 ? `has ${encoded}` : 'has no bonds'}`);
}

/** model.json text and weights.bin bytes of a model. */
export function serializeModel(model: Model): { json: string; weights: Uint8Array } {
  const p = model.params;
  return {
    json: JSON.stringify(model.meta, null, 1) + '\n',
    weights: new Uint8Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength)),
  };
}

/** Parses model.json + weights.bin, checking the format and that every weight matches the architecture. */
export function deserializeModel(jsonText: string, weights: Uint8Array, source = 'model'): Model {
  let meta: ModelManifest;
  try {
    meta = JSON.parse(jsonText) as ModelManifest;
  } catch (err) {
    throw new ModelFormatError(source, `model.json is not valid JSON (${(err as Error).message})`);
  }
  if (meta.format !== MODEL_FORMAT) throw new ModelFormatError(source, `not an equimol model (format ${JSON.stringify(meta.format)})`);
  if (meta.formatVersion !== MODEL_FORMAT_VERSION && meta.formatVersion !== MODEL_FORMAT_VERSION_BONDS) {
    throw new ModelFormatError(source, `model format version ${meta.formatVersion} is not supported (this equimol reads ${MODEL_FORMAT_VERSION} and ${MODEL_FORMAT_VERSION_BONDS})`);
  }
  for (const key of ['egnn', 'schedule', 'encoding', 'atomCountHistogram', 'weightsManifest'] as const) {
    if (meta[key] === undefined) throw new ModelFormatError(source, `model.json lacks "${key}"`);
  }
  checkBondConsistency(meta, source);
  if ((meta.formatVersion === MODEL_FORMAT_VERSION_BONDS) !== (meta.generatesBonds === true)) {
    throw new ModelFormatError(source, `model format version ${meta.formatVersion} ${meta.generatesBonds ? 'cannot hold' : 'is for'} a model that generates bonds`);
  }
  const dynamics = new EgnnDynamics(meta.egnn);
  const declared = meta.weightsManifest.flatMap((g) => g.weights);
  const expected = dynamics.layout.specs;
  if (declared.length !== expected.length) {
    throw new ModelFormatError(source, `architecture mismatch: ${declared.length} weight tensors listed, the configured EGNN has ${expected.length}`);
  }
  expected.forEach((spec, k) => {
    const w = declared[k]!;
    if (w.name !== spec.name || w.shape.join('x') !== spec.shape.join('x')) {
      throw new ModelFormatError(
        source,
        `architecture mismatch at weight ${k}: file has ${w.name} [${w.shape.join(', ')}], the configured EGNN expects ${spec.name} [${spec.shape.join(', ')}]`,
      );
    }
  });
  if (weights.byteLength !== 4 * dynamics.layout.size) {
    throw new ModelFormatError(source, `weights.bin has ${weights.byteLength} bytes, expected ${4 * dynamics.layout.size}`);
  }
  const params = new Float32Array(new Uint8Array(weights).buffer); // copy: aligned, even for Node Buffers
  return { meta, dynamics, schedule: new NoiseSchedule(meta.schedule), params };
}

/**
 * The weights file a model.json names. equimol writes one shard; the name comes from a file, so only
 * a plain file name next to model.json is accepted (no directories, no `..`).
 */
export function weightsFileName(meta: { weightsManifest?: { paths?: unknown }[] }, source: string): string {
  const paths = (meta.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? (g.paths as unknown[]) : []));
  if (paths.length === 0) return 'weights.bin';
  if (paths.length > 1) throw new ModelFormatError(source, `model.json names ${paths.length} weight files; equimol reads models with one`);
  const name = paths[0];
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name) || name.startsWith('.')) {
    throw new ModelFormatError(source, `model.json names weights file ${JSON.stringify(name)}, which is not a plain file name`);
  }
  return name;
}

/** Loads a model over HTTP(S) or from any fetch-able base URL (browsers, Node 18+). */
export async function loadModelFromUrl(baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<Model> {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const jsonResponse = await fetchImpl(base + 'model.json');
  if (!jsonResponse.ok) throw new ModelFormatError(base, `model.json: HTTP ${jsonResponse.status}`);
  const jsonText = await jsonResponse.text();
  const shard = weightsFileName(parseJsonText<ModelManifest>(jsonText, base + 'model.json', 'model.json'), base);
  const weightsResponse = await fetchImpl(base + shard);
  if (!weightsResponse.ok) throw new ModelFormatError(base, `${shard}: HTTP ${weightsResponse.status}`);
  return deserializeModel(jsonText, new Uint8Array(await weightsResponse.arrayBuffer()), base);
}
