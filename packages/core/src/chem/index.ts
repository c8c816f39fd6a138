export * from './molecule.js';
export * from './elements.js';
