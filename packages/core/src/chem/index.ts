export * from './molecule.js';
export * from './elements.js';
export * from './bond-lengths.js';
export * from './perceive-bonds.js';
export * from './openchemlib.js';
export * from './bond-orders.js';
export * from './conformers.js';
export * from './hydrogens.js';
