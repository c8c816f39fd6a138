export * from './errors.js';
export * from './lines.js';
export * from './sdf.js';
export * from './trajectory.js';
