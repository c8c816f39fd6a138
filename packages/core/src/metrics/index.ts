export * from './stability.js';
export * from './validity.js';
