/** Node-only parts of @equimol/core: file adapters, worker threads, native tfjs backends. */
export * from './index.js';
export * from './node/backends.js';
export { type DawnAdapter, listGpuAdapters, parseDawnAdapterList } from './node/dawn.js';
export * from './node/io.js';
export * from './node/filesAtomic.js';
export * from './node/interrupts.js';
export * from './node/modelFiles.js';
export * from './node/workerGradientEngine.js';
export * from './node/trainingRun.js';
export { sampleMolecules, workerThreadSampling } from './node/workerSampling.js';
export * from './node/openchemlibResources.js';
export * from './node/parallelConformers.js';
