import type { AtomEncoding } from '../data/atomEncoding.js';
import type { EgnnConfig } from './config.js';
import { EgnnDynamics } from './dynamics.js';

/** A dynamics network with its atom encoding: which element or quantity each input and output column is. */
export interface NetworkWithEncoding {
  egnn: EgnnConfig;
  encoding: AtomEncoding;
}

/** Names of the feature columns ('element:C', …, 'charge', 'formalCharge:-1', …), in the order the network sees them. */
function featureColumns(encoding: AtomEncoding): string[] {
  const formal = (encoding.bonds?.formalCharges ?? []).map((c) => `formalCharge:${c}`);
  return [...encoding.elements.map((e) => `element:${e}`), ...(encoding.includeCharges ? ['charge'] : []), ...formal];
}

/** Names of the embedding's input rows, in `EgnnDynamics.predictNoise`'s order. */
function inputColumns({ egnn, encoding }: NetworkWithEncoding): string[] {
  const context = Array.from({ length: egnn.contextSize }, (_, k) => `context:${k}`);
  return [...featureColumns(encoding), 'time', ...context, ...(egnn.logSnrInput ? ['logSnr'] : [])];
}

/** [rows, columns] of a weight matrix, or [1, n] for a bias vector. */
function asMatrix(shape: readonly number[]): [number, number] {
  return shape.length === 2 ? [shape[0]!, shape[1]!] : [1, shape[0] ?? 1];
}

/**
 * Warm-starts a network from a trained one whose atom types differ (e.g. QM9 with hydrogens from the
 * heavy-atom model): every weight is carried over by name, the embedding's input rows and the output
 * layer's columns by what they mean (element, charge, time). Rows and columns the source lacks (a
 * new element) keep their values in `fresh`, a freshly initialised vector of the target's layout;
 * source inputs the target lacks are dropped. Every other parameter must have the same shape in both.
 * On molecules without the new elements the result computes what the source computed, up to
 * dropped inputs.
 */
export function transferParameters(from: NetworkWithEncoding, source: Float32Array, to: NetworkWithEncoding, fresh: Float32Array): Float32Array {
  const fromLayout = new EgnnDynamics(from.egnn).layout;
  const toLayout = new EgnnDynamics(to.egnn).layout;
  if (source.length !== fromLayout.size) throw new Error(`source has ${source.length} weights, its network needs ${fromLayout.size}`);
  if (fresh.length !== toLayout.size) throw new Error(`fresh vector has ${fresh.length} weights, the target network needs ${toLayout.size}`);
  const out = fresh.slice();
  const sourceSpecs = new Map(fromLayout.specs.map((spec, k) => [spec.name, { spec, offset: fromLayout.offsets[k]! }]));
  // Target index → source index (−1: keep fresh) for the rows of the embedding and the output columns.
  const indexMap = (target: string[], src: string[]): number[] => target.map((c) => src.indexOf(c));
  const rowMap = indexMap(inputColumns(to), inputColumns(from));
  const outColumns = (n: NetworkWithEncoding): string[] => [...featureColumns(n.encoding), 'time'];
  const colMap = indexMap(outColumns(to), outColumns(from));
  toLayout.specs.forEach((spec, k) => {
    const old = sourceSpecs.get(spec.name);
    if (!old) throw new Error(`the source network has no parameter ${spec.name}`);
    const offset = toLayout.offsets[k]!;
    const [rows, cols] = asMatrix(spec.shape);
    const [oldRows, oldCols] = asMatrix(old.spec.shape);
    const rowsFrom = spec.name === 'embedding.w' ? rowMap : undefined;
    const colsFrom = spec.name === 'embeddingOut.w' || spec.name === 'embeddingOut.b' ? colMap : undefined;
    // Only the mapped axis may differ in length.
    if ((!rowsFrom && oldRows !== rows) || (!colsFrom && oldCols !== cols)) {
      throw new Error(`parameter ${spec.name} is ${old.spec.shape.join('×')} in the source and ${spec.shape.join('×')} in the target`);
    }
    for (let r = 0; r < rows; r++) {
      const sr = rowsFrom ? rowsFrom[r]! : r;
      if (sr < 0) continue;
      for (let c = 0; c < cols; c++) {
        const sc = colsFrom ? colsFrom[c]! : c;
        if (sc >= 0) out[offset + r * cols + c] = source[old.offset + sr * oldCols + sc]!;
      }
    }
  });
  return out;
}
