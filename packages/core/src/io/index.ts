export * from './errors.js';
export * from './lines.js';
export * from './sdf.js';
export * from './xyz.js';
export * from './npz.js';
export * from './trajectory.js';
export * from './moleculeJson.js';
export * from './smilesFile.js';
