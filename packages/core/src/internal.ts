/**
 * `@equimol/core/internal`: the kernels and plumbing under the public API, for equimol's own front
 * ends, benchmarks and tests. No stability promise: names here may change in any release. Nothing
 * here is also exported by `@equimol/core` (src/publicApi.test.ts checks).
 */

// Network building blocks: dense layers, the EGNN forward pass and its edge implementations.
export { linear, silu } from './model/layers.js';
export { egnnForward, egnnParameterSpecs, type EgnnForwardOptions } from './model/egnn.js';
export { graphMasks } from './model/dynamics.js';
export {
  composedEdges,
  edgeImplementation,
  fusedEdges,
  pairwiseDifferences,
  type BlockEdges,
  type EdgeContext,
  type EdgeImplementation,
  type GraphMasks,
} from './model/egnnEdges.js';
export { flatParameters, flatSource, type ParameterInit } from './model/parameters.js';
export { largestTensorBytes } from './model/memoryEstimate.js';
export { weightsFileName } from './modelFormat/modelFormat.js';

// Numerics of the diffusion code: schedule helpers, noise padding, per-molecule noise errors.
export { sigmoid, softplus } from './diffusion/schedule.js';
export { atomCountsOfMask, sampleBondNoise, zeroPaddedRows } from './diffusion/noise.js';
export { fillSymmetricBondNoise, symmetrizeBondState, symmetrizeBondTensor, upperPairMask } from './data/bondEncoding.js';
export { noiseErrorTensors, noiseErrors, weightedNoiseError } from './diffusion/objective.js';
export { erf, normalCdf } from './diffusion/likelihood.js';

// Data and training plumbing.
export { MoleculePacker, type PackedMolecules } from './data/moleculePacker.js';
export { sliceBatch, sliceBondRows } from './data/batch.js';
export { chargeColumn } from './data/atomEncoding.js';
export { sliceRequest } from './train/gradientEngine.js';

// Byte-level io: the binary container of datasets and checkpoints, JSON and text helpers.
export { packContainer, unpackContainer, type ContainerArray, type ContainerKind, type ContainerReader } from './io/binaryContainer.js';
export { RecordTally, parseJsonText } from './io/errors.js';
export { decodeText } from './io/lines.js';
export { formatExtensionsText } from './io/formats.js';

// Backend kernels and diagnostics: wasm kernel replacements, WebGPU dispatch and memory counters.
export { installWasmSharedIdentity } from './backend/wasmSharedIdentity.js';
export { EDGE_KERNELS, fusedEdgeKernelsAvailable, installWasmEdgeKernels } from './backend/wasmEdgeKernels.js';
export { edgeKernelsWasmBase64 } from './backend/edgeKernelsBinary.js';
export { countDispatches, gpuMemory, type DispatchCounter, type GpuMemory } from './backend/webgpu.js';
export { fusedNetworkSupports, webgpuNetwork, webgpuNetworkAvailable } from './model/webgpuEdges.js';
export {
  allocate,
  edgeColumns,
  forwardColumns,
  launch,
  launchKernel,
  laneWidth,
  MAX_ATOMS,
  nodeColumns,
  onWebgpuBackend,
  type KernelLaunch,
  type KernelName,
  type KernelSpec,
} from './backend/webgpuEdgeKernels.js';
export { CONTROL, OPTIMIZER_KERNELS } from './backend/webgpuOptimizerKernels.js';
