export * from './molecule.js';
export * from './elements.js';
export * from './bondLengths.js';
export * from './perceiveBonds.js';
export * from './openchemlib.js';
export * from './bondOrders.js';
export * from './conformers.js';
export * from './hydrogens.js';
