/** Node file adapters for molecule I/O: streaming (gzipped) files from disk into the isomorphic readers. */
export * from './filesLines.js';
export * from './filesWrite.js';
export * from './readMolecules.js';
