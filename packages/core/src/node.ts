/**
 * Node-only parts of @equimol/core: file adapters, worker threads, native tfjs backends. Everything
 * of `@equimol/core` (its curated list, src/index.ts) is exported here too, so Node programs import
 * one entry point.
 */
export * from './index.js';

// ----- backends: tfjs-node(-gpu), wasm, cpu and WebGPU through Dawn, chosen in that order.
export { nodeBackends, selectNodeBackend } from './node/backends.js';
export { listGpuAdapters, type DawnAdapter } from './node/dawn.js';

// ----- files: molecule files by extension (gzipped too), atomic writes, models and checkpoints on disk.
export { CompressedFileError, readEdmNpzFile, readMoleculeFile, readMoleculeJsonFile, readSdfFile, readXyzFile } from './node/readMolecules.js';
export { writeMoleculeFile, writeSdfFile, writeTrajectoryFile } from './node/filesWrite.js';
export { fileLines } from './node/filesLines.js';
export { replaceAtomically, stageFile, writeFileAtomic, type StagedFile } from './node/filesAtomic.js';
export { loadModelDirectory, saveModelDirectory } from './node/modelFiles.js';
export { readTrainerStateFile } from './node/checkpointFiles.js';

// ----- training runs: a run directory (run.json, train.jsonl, checkpoints, model) and its worker threads.
export {
  TrainingStoppedError,
  latestCheckpoint,
  runTraining,
  type RunConfig,
  type RunConfigFile,
  type RunInit,
  type RunRecord,
  type RunSession,
  type TrainingRunOptions,
} from './node/trainingRun.js';
export { WorkerGradientEngine, type WorkerGradientEngineOptions } from './node/workerGradientEngine.js';

// ----- sampling and chemistry on worker threads.
export { sampleMolecules, workerThreadSampling } from './node/workerSampling.js';
export { generateConformers, type ConformerJob, type ConformerOutcome, type GenerateConformersOptions } from './node/parallelConformers.js';
export { registerOpenchemlibResources } from './node/openchemlibResources.js';

// ----- interrupts: Ctrl-C and SIGTERM stop work cleanly, then exit with 128 + the signal's number.
export { exitInterrupted, handleInterrupts, interruptExitCode, type InterruptHandler, type InterruptSignal } from './node/interrupts.js';
