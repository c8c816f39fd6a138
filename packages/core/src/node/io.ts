/** Node file adapters for molecule I/O: streaming (gzipped) files from disk into the isomorphic readers. */
export * from './files-lines.js';
export * from './files-write.js';
export * from './read-molecules.js';
