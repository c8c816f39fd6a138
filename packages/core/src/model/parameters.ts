import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random/rng.js';

/** How a parameter is initialised (PyTorch's defaults, which EDM relies on). */
export type ParameterInit =
  /** U(−1/√fanIn, 1/√fanIn): PyTorch's nn.Linear weights and biases. */
  | { kind: 'uniform-fan-in'; fanIn: number }
  /** Xavier-uniform with a gain: EDM's last coordinate layer uses gain 0.001 so training starts calm. */
  | { kind: 'xavier-uniform'; fanIn: number; fanOut: number; gain: number };

/** Name, shape and initialiser of one parameter tensor. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  init: ParameterInit;
}

/** Parameters by name, as tensors ready for a forward pass. */
export type ParameterTensors = Record<string, tf.Tensor>;

/**
 * The layout of a model's parameters in one flat Float32Array: optimisers, EMA, checkpoints and the
 * gradient exchange between worker threads all work on that one vector.
 */
export class ParameterLayout {
  readonly specs: readonly ParameterSpec[];
  readonly offsets: readonly number[];
  readonly size: number;

  constructor(specs: ParameterSpec[]) {
    const names = new Set<string>();
    const offsets: number[] = [];
    let size = 0;
    for (const spec of specs) {
      if (names.has(spec.name)) throw new Error(`duplicate parameter name ${spec.name}`);
      names.add(spec.name);
      offsets.push(size);
      size += spec.shape.reduce((a, b) => a * b, 1);
    }
    this.specs = specs;
    this.offsets = offsets;
    this.size = size;
  }

  /** Fresh parameters drawn with each spec's initialiser. */
  initialise(rng: Rng): Float32Array {
    const flat = new Float32Array(this.size);
    this.specs.forEach((spec, k) => {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const bound =
        spec.init.kind === 'uniform-fan-in'
          ? 1 / Math.sqrt(spec.init.fanIn)
          : spec.init.gain * Math.sqrt(6 / (spec.init.fanIn + spec.init.fanOut));
      const offset = this.offsets[k]!;
      for (let i = 0; i < n; i++) flat[offset + i] = (2 * rng.uniform() - 1) * bound;
    });
    return flat;
  }

  /** Tensors viewing a flat parameter vector (copied into the backend). */
  toTensors(flat: Float32Array): ParameterTensors {
    if (flat.length !== this.size) {
      throw new Error(`parameter vector has ${flat.length} values, the model needs ${this.size}`);
    }
    const out: ParameterTensors = {};
    this.specs.forEach((spec, k) => {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const offset = this.offsets[k]!;
      out[spec.name] = tf.tensor(flat.subarray(offset, offset + n), spec.shape, 'float32');
    });
    return out;
  }

  /** Concatenates per-parameter values (e.g. gradients) into one flat vector, in layout order. */
  flatten(values: Record<string, Float32Array | ArrayLike<number>>): Float32Array {
    const flat = new Float32Array(this.size);
    this.specs.forEach((spec, k) => {
      const v = values[spec.name];
      if (!v) throw new Error(`missing parameter ${spec.name}`);
      flat.set(v, this.offsets[k]!);
    });
    return flat;
  }
}

/**
 * Carries a flat vector (parameters, EMA or Adam moments) from one layout to a grown one: every
 * parameter of `to` receives the leading block of its namesake in `from` (leading rows and columns of
 * a matrix), and zeros where it grew or is new. With new inputs appended last, a network computes
 * exactly what it did before, and training can then learn to use them.
 */
export function resizeParameters(from: ParameterLayout, to: ParameterLayout, flat: Float32Array): Float32Array {
  if (flat.length !== from.size) throw new Error(`parameter vector has ${flat.length} values, the layout has ${from.size}`);
  const out = new Float32Array(to.size);
  const source = new Map(from.specs.map((spec, k) => [spec.name, { spec, offset: from.offsets[k]! }]));
  to.specs.forEach((spec, k) => {
    const old = source.get(spec.name);
    if (!old) return;
    if (spec.shape.length > 2 || old.spec.shape.length !== spec.shape.length || old.spec.shape.some((d, i) => d > spec.shape[i]!)) {
      throw new Error(`parameter ${spec.name} shrinks or changes rank (${old.spec.shape.join('×')} → ${spec.shape.join('×')}): only growth is supported`);
    }
    const rows = spec.shape.length === 2 ? old.spec.shape[0]! : 1;
    const oldCols = old.spec.shape.at(-1) ?? 1;
    const newCols = spec.shape.at(-1) ?? 1;
    for (let r = 0; r < rows; r++) {
      out.set(flat.subarray(old.offset + r * oldCols, old.offset + (r + 1) * oldCols), to.offsets[k]! + r * newCols);
    }
  });
  return out;
}

/** Parameters as one flat vector θ, with named views sliced from it only where someone asks. */
export interface FlatSource {
  theta: tf.Tensor1D;
  layout: ParameterLayout;
}

const flatSources = new WeakMap<ParameterTensors, FlatSource>();
const viewsMade = new WeakMap<ParameterTensors, Map<string, tf.Tensor>>();

/**
 * Parameters backed by one flat tensor θ (layout order). Named tensors are slices of θ, made on first
 * access, so composed code still works on them; the fused webgpu network (model/webgpuEdges.ts)
 * reads θ itself. The parameters own θ: `disposeParameters` disposes it and the slices made.
 */
export function flatParameters(theta: tf.Tensor1D, layout: ParameterLayout): ParameterTensors {
  const params: ParameterTensors = {};
  const views = new Map<string, tf.Tensor>();
  layout.specs.forEach((spec, k) => {
    Object.defineProperty(params, spec.name, {
      enumerable: false,
      get: () => {
        let view = views.get(spec.name);
        if (!view || view.isDisposed) {
          const n = spec.shape.reduce((a, b) => a * b, 1);
          view = tf.reshape(tf.slice(theta, [layout.offsets[k]!], [n]), spec.shape);
          views.set(spec.name, view);
        }
        return view;
      },
    });
  });
  flatSources.set(params, { theta, layout });
  viewsMade.set(params, views);
  return params;
}

/** θ and its layout, if `params` were made by `flatParameters`. */
export function flatSource(params: ParameterTensors): FlatSource | undefined {
  return flatSources.get(params);
}

/** Disposes every tensor of a parameter set (for flat parameters: θ and the views made). */
export function disposeParameters(params: ParameterTensors): void {
  const flat = flatSources.get(params);
  if (flat) {
    for (const view of viewsMade.get(params)?.values() ?? []) view.dispose();
    flat.theta.dispose();
    return;
  }
  for (const t of Object.values(params)) t.dispose();
}
