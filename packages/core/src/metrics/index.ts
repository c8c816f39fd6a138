export * from './stability.js';
export * from './validity.js';
export * from './novelty.js';
export * from './distributions.js';
export * from './evaluate.js';
export * from './scaffold.js';
