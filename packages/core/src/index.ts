/**
 * @equimol/core — E(3)-equivariant diffusion for 3D molecules (EDM), isomorphic: runs in Node and in
 * browsers. Node-only helpers (files, worker threads, native backends) live in `@equimol/core/node`.
 */
export * from './chem/index.js';
export * from './io/index.js';
export * from './metrics/index.js';
