/**
 * @equimol/core — E(3)-equivariant diffusion for 3D molecules (EDM), isomorphic: runs in Node and in
 * browsers. Node-only helpers (files, worker threads, native backends) live in `@equimol/core/node`.
 */
export * from './errors.js';
export * from './chem/index.js';
export * from './io/index.js';
export * from './metrics/index.js';
export * from './random/rng.js';
export * from './geometry/centerOfMass.js';
export * from './backend/select.js';
export * from './backend/gpuAdapter.js';
export * from './backend/webgpu.js';
export * from './model/config.js';
export * from './model/parameters.js';
export * from './model/layers.js';
export * from './model/egnn.js';
export * from './model/egnnEdges.js';
export * from './model/dynamics.js';
export * from './model/transferParameters.js';
export * from './model/memoryEstimate.js';
export * from './backend/memoryBudget.js';
export * from './diffusion/schedule.js';
export * from './diffusion/noise.js';
export * from './diffusion/objective.js';
export * from './data/atomEncoding.js';
export * from './data/dataset.js';
export * from './data/batch.js';
export * from './data/buildDataset.js';
export * from './diffusion/likelihood.js';
export * from './checkpoint/modelBundle.js';
export * from './train/adam.js';
export * from './train/ema.js';
export * from './train/gradientClipping.js';
export * from './train/gradientEngine.js';
export * from './train/trainingConfig.js';
export * from './train/trainerState.js';
export * from './train/averageCheckpoints.js';
export * from './train/trainer.js';
export * from './diffusion/samplers.js';
export * from './diffusion/reverseChain.js';
export * from './diffusion/inpainting.js';
export * from './pipeline/sampleMolecules.js';
export * from './pipeline/heldAtoms.js';
export * from './pipeline/finishMolecules.js';
export * from './pipeline/datasetNll.js';
