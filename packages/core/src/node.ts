/** Node-only parts of @equimol/core: file adapters, worker threads, native tfjs backends. */
export * from './index.js';
