/**
 * @equimol/core — E(3)-equivariant diffusion for 3D molecules (EDM), isomorphic: runs in Node and in
 * browsers. Node-only helpers (files, worker threads, native backends) live in `@equimol/core/node`;
 * kernels and plumbing that the front ends and benchmarks need, with no promise of stability, in
 * `@equimol/core/internal`.
 *
 * The public API, in groups a reader of the EDM paper recognises. `src/publicApi.test.ts` pins it.
 */

// ----- errors: every error a user sees is an EquimolError, with the file, record and line it is about.
export { EquimolError, isEquimolError, type ErrorKind, type ErrorPlace } from './errors.js';
export { MoleculeParseError, FileFormatError } from './io/errors.js';
export { MoleculeWriteError } from './io/sdf.js';
export { NpyFormatError } from './io/npz.js';
export { TrajectoryFormatError } from './io/trajectory.js';
export { UnknownFormatError } from './io/formats.js';
export { UnknownElementError } from './chem/elements.js';
export { ElementNotInVocabularyError } from './data/atomEncoding.js';
export { BondEncodingError } from './data/bondEncoding.js';
export { BondsMissingError } from './data/moleculePacker.js';
export { LikelihoodUnsupportedError } from './diffusion/likelihood.js';
export { BondModelMismatchError } from './train/trainer.js';
export { ModelFormatError } from './modelFormat/modelFormat.js';
export { SamplerOptionError } from './diffusion/samplers.js';
export { HeldAtomsError } from './diffusion/inpainting.js';
export { SampleOptionsError } from './pipeline/sampleMolecules.js';
export { ScheduleSettingError } from './train/trainingConfig.js';
export { MoleculeTooLargeError } from './backend/memoryBudget.js';
export { WebGpuUnavailableError } from './backend/gpuAdapter.js';
export { ConformerError } from './chem/conformers.js';
export { OpenchemlibResourcesError } from './chem/hydrogens.js';

// ----- models: the EGNN that predicts the noise, and the model format (model.json + weights.bin).
export { type EgnnConfig, edmEgnnConfig } from './model/config.js';
export { EgnnDynamics, type DynamicsInputs, type NoisePrediction } from './model/dynamics.js';
export { ParameterLayout, disposeParameters, resizeParameters, type ParameterSpec, type ParameterTensors } from './model/parameters.js';
export { transferParameters, type NetworkWithEncoding } from './model/transferParameters.js';
export {
  type Model,
  type ModelManifest,
  type WeightEntry,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  MODEL_FORMAT_VERSION_BONDS,
  createModel,
  deserializeModel,
  loadModelFromUrl,
  serializeModel,
} from './modelFormat/modelFormat.js';

// ----- diffusion: the noise schedule, the forward process, the losses and likelihood, the samplers.
export {
  NoiseSchedule,
  EDM_QM9_SCHEDULE,
  cosineAlphas2,
  polynomialAlphas2,
  type CosineScheduleConfig,
  type NoiseScheduleConfig,
  type PolynomialScheduleConfig,
} from './diffusion/schedule.js';
export { drawTrainingNoise, forwardTransition, noisyState, sampleCenteredNoise, type TimestepSampling, type TrainingNoise } from './diffusion/noise.js';
export { noisyInputs, simpleLossWeights, type ErrorWeights, type NoisyInputs } from './diffusion/objective.js';
export { estimateNll, featureLogLikelihood, priorKl, refuseBondModels, trainingVlbWeights, type NllTerms } from './diffusion/likelihood.js';
export {
  Ancestral,
  Ddim,
  createSampler,
  timestepSequence,
  type AncestralOptions,
  type ChainState,
  type Sampler,
  type SamplerChoice,
  type SamplerKind,
} from './diffusion/samplers.js';
export { Inpainting, MIN_HELD_DISTANCE, checkHeldAtoms, type HeldAtoms } from './diffusion/inpainting.js';
export {
  networkPredictor,
  sampleChain,
  type ChainConstraint,
  type ChainFrame,
  type DiffusionProcess,
  type ChainOptions,
  type NoisePredictor,
  type SampledBatch,
} from './diffusion/reverseChain.js';

// ----- data: atom encodings, datasets, batches.
export {
  type AtomEncoding,
  type DecodedAtoms,
  EDM_NORMALIZATION,
  decodeAtoms,
  elementIndex,
  encodeAtomFeatures,
  featureCount,
  qm9Encoding,
  vocabularyAtomicNumbers,
} from './data/atomEncoding.js';
export {
  bondClassCount,
  chargeClass,
  checkBondsEncodable,
  decodeBondBlock,
  encodeBondBlock,
  kekuleBondEncoding,
  type BondEncoding,
} from './data/bondEncoding.js';
export { MoleculeDataset, type DatasetCard } from './data/dataset.js';
export { buildDataset, type BuildDatasetOptions } from './data/buildDataset.js';
export { collateBatch, sizeGroupedBatches, splitIndices, type MoleculeBatch } from './data/batch.js';

// ----- training: the trainer, its config and schedule, its state, the optimiser, EMA, averaging.
export { Trainer, initialTrainerState, type ModelSpec, type SampleMetrics, type TrainerHooks, type TrainingLogRecord } from './train/trainer.js';
export { DeviceOptimizer, type StepScalars } from './train/deviceOptimizer.js';
export {
  SCHEDULABLE_KEYS,
  defaultTrainingConfig,
  resetsEmaAt,
  scheduleEntryFromAssignments,
  trainingConfigAt,
  type ScheduleEntry,
  type ScheduledSettings,
  type TrainingConfig,
} from './train/trainingConfig.js';
export { trainerStateFromBytes, trainerStateToBytes, type TrainerState } from './train/trainerState.js';
export { EDM_ADAM, adamStep, initialAdamState, type AdamConfig, type AdamState } from './train/adam.js';
export { updateEma } from './train/ema.js';
export { AdaptiveGradientClipper } from './train/gradientClipping.js';
export {
  LocalGradientEngine,
  type GradientEngine,
  type GradientEngineSpec,
  type GradientRequest,
  type GradientResult,
  type MemoryRetry,
} from './train/gradientEngine.js';
export { averageCheckpoints, type AverageCheckpointsOptions, type CheckpointToAverage } from './train/averageCheckpoints.js';

// ----- sampling: molecules from a model, held atoms, and finishing them (bonds, hydrogens, verdicts).
export { atomCountWeights, moleculeRng, sampleMolecules, type SampleOptions, type SampleResult } from './pipeline/sampleMolecules.js';
export { heldAtomsField, heldAtomsFromMolecules, type HeldAtomSelection } from './pipeline/heldAtoms.js';
export { finishGeneratedMolecule, finishSampledMolecule, generatedGraphQuality, hasFiniteCoordinates, summarizeFinished, type FinishOptions, type FinishedMolecule, type FinishedSummary, type GeneratedGraphQuality } from './pipeline/finishMolecules.js';

// ----- chem: molecules, elements, bonds, valences, hydrogens, conformers, geometry, openchemlib/RDKit.
export { atomCount, atomPosition, type Bond, type Molecule } from './chem/molecule.js';
export { atomicNumber, elementSymbol, isElementSymbol, normalizeElementSymbol } from './chem/elements.js';
export { EDM_ALLOWED_VALENCES, EDM_BOND_MARGINS, edmBondOrder, maxBondDistance, typicalBondLength, type PerceivedBondOrder } from './chem/bondLengths.js';
export { bondOrderSums, heavyAtomsOnly, isStableValence, perceiveBonds } from './chem/perceiveBonds.js';
export { assignBondOrders, type BondOrderAssignment, type BondOrderOptions } from './chem/bondOrders.js';
export { completeHydrogens, type CompleteHydrogensOptions, type HydrogenCompletion } from './chem/hydrogens.js';
export { conformerFromSmiles, type Conformer, type ConformerOptions } from './chem/conformers.js';
export {
  canonicalId,
  canonicalIdOfSmiles,
  fromOcl,
  moleculeOfSmiles,
  smilesOfCanonicalId,
  toOcl,
  valenceViolations,
  type OclBuild,
  type ToOclOptions,
  type ValenceViolation,
} from './chem/openchemlib.js';
export { loadRdkit, rdkitAtoms, rdkitBonds, rdkitMolecule, type RdkitMol, type RdkitModule } from './chem/rdkit.js';
export { bondDistance, heavyAtomPieces, substructureMatches } from './chem/substructure.js';
export { pieceCount } from './chem/graph.js';
export { checkGeneratedGraph, type GeneratedGraphCheck } from './chem/generatedGraph.js';
export { removeCenterOfMass, removeCenterOfMassInPlace } from './geometry/centerOfMass.js';
export { atomDistance, bondAngle } from './geometry/internalCoordinates.js';
export { maxPlaneDeviation } from './geometry/planarity.js';

// ----- io: the format table, and the readers and writers of each format (the only code that touches bytes).
export {
  findMoleculeFormat,
  formatAcceptList,
  isGzipName,
  moleculeFormatNamed,
  moleculeFormatOf,
  moleculeFormats,
  registerFormat,
  trajectoryFormatOf,
  trajectoryFromFile,
  type FormatHolds,
  type MoleculeFormat,
} from './io/formats.js';
export { newReadStats, type ReadOptions, type ReadStats } from './io/errors.js';
export { linesOf, splitLines, type LineSource } from './io/lines.js';
export { formatMolfile, formatSdfRecord, parseSdf, readSdfRecords, writeSdf, type SdfWriteOptions } from './io/sdf.js';
export { QM9_PROPERTY_NAMES, parseXyz, readXyzFrames, writeXyz } from './io/xyz.js';
export { formatEdmNpz, formatNpy, moleculesFromEdmNpz, parseNpy, parseNpz, type NpyArray } from './io/npz.js';
export { moleculesFromJson, moleculesToJson, type MoleculeJson, type MoleculeListJson } from './io/moleculeJson.js';
export {
  TRAJECTORY_SDF_FIELDS,
  frameMolecule,
  moleculesAsTrajectory,
  trajectoryFrameCount,
  trajectoryFromJson,
  trajectoryFromSdfRecords,
  trajectoryToJson,
  trajectoryToSdfRecords,
  type Trajectory,
  type TrajectoryFrame,
  type TrajectoryJson,
  type TrajectoryMolecule,
} from './io/trajectory.js';
export { parseSmilesFile, type SmilesEntry } from './io/smilesFile.js';

// ----- metrics: EDM's stability and validity, uniqueness, novelty, distributions, drug-likeness, likelihood.
export { checkStability, type MoleculeStability, type StabilityOptions } from './metrics/stability.js';
export { checkValidity, type ValidityOptions, type ValidityResult } from './metrics/validity.js';
export { novelty, referenceSetFromSmiles, uniqueness, type ReferenceSet } from './metrics/novelty.js';
export {
  bondTypeName,
  collectDistributions,
  distributionDistances,
  totalVariation,
  wasserstein1,
  type DistributionDistances,
  type MoleculeDistributions,
} from './metrics/distributions.js';
export { evaluateMolecules, evaluationView, type EvaluationOptions, type EvaluationReport } from './metrics/evaluate.js';
export { evaluateScaffold, parseHeldAtomsField, type ScaffoldReport } from './metrics/scaffold.js';
export { qed, qedFromProperties, qedProperties, type QedProperties } from './metrics/qed.js';
export { DRUG_DESCRIPTORS, DRUG_DESCRIPTOR_LABELS, drugDescriptors, type DrugDescriptor } from './metrics/drugLikeness.js';
export { judgeLewisStructure, lewisStructure, type LewisVerdict } from './metrics/lewisStructure.js';
export {
  AROMATIC_PLANARITY_TOLERANCE,
  BOND_ANGLE_TOLERANCE,
  BOND_LENGTH_TOLERANCE,
  CLASH_FRACTION,
  STRAIN_PER_ATOM_TOLERANCE,
  checkGeometry,
  type GeometryCheck,
} from './metrics/geometryChecks.js';
export {
  collectDrugDescriptors,
  evaluateDrugLikeMolecules,
  type DescriptorSamples,
  type DescriptorSummary,
  type DrugEvaluationOptions,
  type DrugEvaluationReport,
  type GeometrySummary,
} from './metrics/drugEvaluation.js';
export { datasetNll, type DatasetNll } from './pipeline/datasetNll.js';

// ----- random: seeded, named random streams (the same seed gives the same molecules everywhere).
export { Rng, type RandomStream, type RngState } from './random/rng.js';

// ----- backends: choosing a tfjs backend, GPU adapters, and how much fits in its memory.
export {
  browserBackends,
  portableBackends,
  selectBackend,
  workerThreadsFor,
  type BackendCandidate,
  type BackendChoice,
  type BackendLoaded,
  type BackendRequest,
  type SelectBackendOptions,
} from './backend/select.js';
export {
  adapterInfo,
  describeAdapter,
  isEmulatorAdapter,
  summariseAdapter,
  type GpuAdapterInfo,
  type GpuAdapterLike,
  type GpuAdapterSummary,
  type GpuLike,
} from './backend/gpuAdapter.js';
export { browserWebgpuBackend, webgpuBackend, type WebGpuPlatform } from './backend/webgpu.js';
export { largestMicroBatch, memoryBudget, passFits, resolveMicroBatch, type MemoryBudget, type MicroBatchSetting } from './backend/memoryBudget.js';
export { estimatePeakBytes, type NetworkSize, type PassKind, type PassShape } from './model/memoryEstimate.js';
