import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The public API of @equimol/core, group by group, as src/index.ts lists it. A name added, moved or
// removed fails here until this list says so: the front door changes only on purpose. Kernels and
// plumbing are in @equimol/core/internal, which must not overlap it.

/** The names of each group of src/index.ts (its `// ----- group:` comments), values first, then types. */
const GROUPS: Record<string, string[]> = {
  // every error a user sees, one family
  errors: [
    'BondEncodingError', 'BondModelMismatchError', 'BondsMissingError', 'LikelihoodUnsupportedError',
    'ConformerError', 'ElementNotInVocabularyError', 'EquimolError', 'FileFormatError', 'HeldAtomsError',
    'isEquimolError', 'ModelFormatError', 'MoleculeParseError', 'MoleculeTooLargeError', 'MoleculeWriteError',
    'NpyFormatError', 'OpenchemlibResourcesError', 'SampleOptionsError', 'SamplerOptionError', 'ScheduleSettingError',
    'TrajectoryFormatError', 'UnknownElementError', 'UnknownFormatError', 'WebGpuUnavailableError', 'type ErrorKind',
    'type ErrorPlace',
  ],
  // the network and the model format
  models: [
    'MODEL_FORMAT_VERSION_BONDS', 'createModel', 'deserializeModel', 'disposeParameters', 'edmEgnnConfig', 'EgnnDynamics', 'loadModelFromUrl',
    'MODEL_FORMAT', 'MODEL_FORMAT_VERSION', 'ParameterLayout', 'resizeParameters', 'serializeModel',
    'transferParameters', 'type DynamicsInputs', 'type EgnnConfig', 'type Model', 'type ModelManifest',
    'type NetworkWithEncoding', 'type NoisePrediction', 'type ParameterSpec', 'type ParameterTensors',
    'type WeightEntry',
  ],
  // schedule, forward process, losses, likelihood, samplers
  diffusion: [
    'refuseBondModels', 'Ancestral', 'checkHeldAtoms', 'cosineAlphas2', 'createSampler', 'Ddim', 'drawTrainingNoise', 'EDM_QM9_SCHEDULE',
    'estimateNll', 'featureLogLikelihood', 'forwardTransition', 'Inpainting', 'MIN_HELD_DISTANCE', 'networkPredictor',
    'NoiseSchedule', 'noisyInputs', 'noisyState', 'polynomialAlphas2', 'priorKl', 'sampleCenteredNoise',
    'sampleChain', 'simpleLossWeights', 'timestepSequence', 'trainingVlbWeights', 'type AncestralOptions',
    'type ChainConstraint', 'type ChainFrame', 'type DiffusionProcess', 'type ChainOptions', 'type ChainState',
    'type CosineScheduleConfig', 'type ErrorWeights', 'type HeldAtoms', 'type NllTerms', 'type NoisePredictor',
    'type NoiseScheduleConfig', 'type NoisyInputs', 'type PolynomialScheduleConfig', 'type SampledBatch',
    'type Sampler', 'type SamplerChoice', 'type SamplerKind', 'type TimestepSampling', 'type TrainingNoise',
  ],
  // encodings, datasets, batches
  data: [
    'bondClassCount', 'chargeClass', 'checkBondsEncodable', 'decodeBondBlock', 'encodeBondBlock', 'kekuleBondEncoding',
    'type BondEncoding', 'buildDataset', 'collateBatch', 'decodeAtoms', 'EDM_NORMALIZATION', 'elementIndex', 'encodeAtomFeatures',
    'featureCount', 'MoleculeDataset', 'qm9Encoding', 'sizeGroupedBatches', 'splitIndices', 'vocabularyAtomicNumbers',
    'type AtomEncoding', 'type BuildDatasetOptions', 'type DatasetCard', 'type DecodedAtoms', 'type MoleculeBatch',
  ],
  // trainer, config, state, optimiser
  training: [
    'DeviceOptimizer', 'type StepScalars', 'adamStep', 'AdaptiveGradientClipper', 'averageCheckpoints', 'defaultTrainingConfig', 'EDM_ADAM',
    'initialAdamState', 'initialTrainerState', 'LocalGradientEngine', 'resetsEmaAt', 'SCHEDULABLE_KEYS',
    'scheduleEntryFromAssignments', 'Trainer', 'trainerStateFromBytes', 'trainerStateToBytes', 'trainingConfigAt',
    'updateEma', 'type AdamConfig', 'type AdamState', 'type AverageCheckpointsOptions', 'type CheckpointToAverage',
    'type GradientEngine', 'type GradientEngineSpec', 'type GradientRequest', 'type GradientResult',
    'type MemoryRetry', 'type ScheduledSettings', 'type ScheduleEntry', 'type ModelSpec', 'type TrainerHooks',
    'type SampleMetrics', 'type TrainerState', 'type TrainingConfig', 'type TrainingLogRecord',
  ],
  // molecules from a model
  sampling: [
    'heldAtomsField', 'atomCountWeights', 'finishGeneratedMolecule', 'finishSampledMolecule', 'generatedGraphQuality', 'hasFiniteCoordinates', 'heldAtomsFromMolecules', 'moleculeRng', 'sampleMolecules',
    'summarizeFinished', 'type FinishedMolecule', 'type FinishedSummary', 'type FinishOptions', 'type GeneratedGraphQuality',
    'type HeldAtomSelection', 'type SampleOptions', 'type SampleResult',
  ],
  // molecules and their chemistry
  chem: [
    'checkGeneratedGraph', 'type GeneratedGraphCheck', 'assignBondOrders', 'atomCount', 'atomDistance', 'atomicNumber', 'atomPosition', 'bondAngle', 'bondDistance',
    'bondOrderSums', 'canonicalId', 'canonicalIdOfSmiles', 'completeHydrogens', 'conformerFromSmiles',
    'EDM_ALLOWED_VALENCES', 'EDM_BOND_MARGINS', 'edmBondOrder', 'elementSymbol', 'fromOcl', 'heavyAtomPieces',
    'heavyAtomsOnly', 'isElementSymbol', 'isStableValence', 'loadRdkit', 'maxBondDistance', 'maxPlaneDeviation',
    'moleculeOfSmiles', 'normalizeElementSymbol', 'perceiveBonds', 'pieceCount', 'rdkitAtoms', 'rdkitBonds',
    'rdkitMolecule', 'removeCenterOfMass', 'removeCenterOfMassInPlace', 'smilesOfCanonicalId', 'substructureMatches',
    'toOcl', 'typicalBondLength', 'valenceViolations', 'type Bond', 'type BondOrderAssignment',
    'type BondOrderOptions', 'type CompleteHydrogensOptions', 'type Conformer', 'type ConformerOptions',
    'type HydrogenCompletion', 'type Molecule', 'type OclBuild', 'type PerceivedBondOrder', 'type RdkitModule',
    'type RdkitMol', 'type ToOclOptions', 'type ValenceViolation',
  ],
  // formats, readers, writers
  io: [
    'findMoleculeFormat', 'formatAcceptList', 'formatEdmNpz', 'formatMolfile', 'formatNpy', 'formatSdfRecord',
    'frameMolecule', 'isGzipName', 'linesOf', 'moleculeFormatNamed', 'moleculeFormatOf', 'moleculeFormats',
    'moleculesAsTrajectory', 'moleculesFromEdmNpz', 'moleculesFromJson', 'moleculesToJson', 'newReadStats',
    'parseNpy', 'parseNpz', 'parseSdf', 'parseSmilesFile', 'parseXyz', 'QM9_PROPERTY_NAMES', 'readSdfRecords',
    'readXyzFrames', 'registerFormat', 'splitLines', 'TRAJECTORY_SDF_FIELDS', 'trajectoryFormatOf',
    'trajectoryFrameCount', 'trajectoryFromFile', 'trajectoryFromJson', 'trajectoryFromSdfRecords',
    'trajectoryToJson', 'trajectoryToSdfRecords', 'writeSdf', 'writeXyz', 'type FormatHolds', 'type LineSource',
    'type MoleculeFormat', 'type MoleculeJson', 'type MoleculeListJson', 'type NpyArray', 'type ReadOptions',
    'type ReadStats', 'type SdfWriteOptions', 'type SmilesEntry', 'type Trajectory', 'type TrajectoryFrame',
    'type TrajectoryJson', 'type TrajectoryMolecule',
  ],
  // what generated molecules are worth
  metrics: [
    'AROMATIC_PLANARITY_TOLERANCE', 'BOND_ANGLE_TOLERANCE', 'BOND_LENGTH_TOLERANCE', 'bondTypeName', 'checkGeometry',
    'checkStability', 'checkValidity', 'CLASH_FRACTION', 'collectDistributions', 'collectDrugDescriptors',
    'datasetNll', 'distributionDistances', 'DRUG_DESCRIPTOR_LABELS', 'DRUG_DESCRIPTORS', 'drugDescriptors',
    'evaluateDrugLikeMolecules', 'evaluateMolecules', 'evaluateScaffold', 'evaluationView', 'judgeLewisStructure',
    'lewisStructure', 'novelty', 'parseHeldAtomsField', 'qed', 'qedFromProperties', 'qedProperties',
    'referenceSetFromSmiles', 'STRAIN_PER_ATOM_TOLERANCE', 'totalVariation', 'uniqueness', 'wasserstein1',
    'type DatasetNll', 'type DescriptorSamples', 'type DescriptorSummary', 'type DistributionDistances',
    'type DrugDescriptor', 'type DrugEvaluationOptions', 'type DrugEvaluationReport', 'type EvaluationOptions',
    'type EvaluationReport', 'type GeometryCheck', 'type GeometrySummary', 'type LewisVerdict',
    'type MoleculeDistributions', 'type MoleculeStability', 'type QedProperties', 'type ReferenceSet',
    'type ScaffoldReport', 'type StabilityOptions', 'type ValidityOptions', 'type ValidityResult',
  ],
  // seeded streams
  random: [
    'Rng', 'type RandomStream', 'type RngState',
  ],
  // tfjs backends and memory
  backends: [
    'adapterInfo', 'browserBackends', 'browserWebgpuBackend', 'describeAdapter', 'estimatePeakBytes',
    'isEmulatorAdapter', 'largestMicroBatch', 'memoryBudget', 'passFits', 'portableBackends', 'resolveMicroBatch',
    'selectBackend', 'summariseAdapter', 'webgpuBackend', 'workerThreadsFor', 'type BackendCandidate',
    'type BackendChoice', 'type BackendLoaded', 'type BackendRequest', 'type GpuAdapterInfo', 'type GpuAdapterLike',
    'type GpuAdapterSummary', 'type GpuLike', 'type MemoryBudget', 'type MicroBatchSetting', 'type NetworkSize',
    'type PassKind', 'type PassShape', 'type SelectBackendOptions', 'type WebGpuPlatform',
  ],
};

/** The groups and names src/index.ts declares, read from its source. */
function indexGroups(): Record<string, string[]> {
  const text = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
  const groups: Record<string, string[]> = {};
  for (const section of text.split(/\n\/\/ ----- /).slice(1)) {
    const name = section.slice(0, section.indexOf(':'));
    const names = [...section.matchAll(/export \{([^}]*)\} from/g)].flatMap((m) => m[1]!.split(',').map((n) => n.trim()).filter(Boolean));
    groups[name] = names;
  }
  return groups;
}

const valueNames = (groups: Record<string, string[]>): string[] =>
  Object.values(groups)
    .flat()
    .filter((n) => !n.startsWith('type '))
    .sort();

describe('the public API of @equimol/core', () => {
  it('is the pinned list, group by group', () => {
    const sorted = Object.fromEntries(Object.entries(GROUPS).map(([group, names]) => [group, [...names].sort()]));
    expect(Object.fromEntries(Object.entries(indexGroups()).map(([group, names]) => [group, [...names].sort()]))).toEqual(sorted);
  });

  it('exports exactly the pinned values, each once', async () => {
    const index = await import('./index.js');
    expect(Object.keys(index).sort()).toEqual(valueNames(GROUPS));
    const all = Object.values(GROUPS).flat();
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
  });

  it('leaves kernels and plumbing to @equimol/core/internal, which loads and shares no name with it', async () => {
    const index = await import('./index.js');
    const internal = await import('./internal.js');
    const internalNames = Object.keys(internal);
    for (const name of ['linear', 'silu', 'composedEdges', 'fusedEdges', 'sliceRequest', 'parseJsonText', 'installWasmSharedIdentity']) {
      expect(internalNames).toContain(name);
    }
    expect(internalNames.filter((n) => n in index)).toEqual([]);
  });

  it('@equimol/core/node adds its Node-only names to the whole public API, none of them internal', async () => {
    const index = await import('./index.js');
    const node = await import('./node.js');
    const internal = await import('./internal.js');
    for (const name of Object.keys(index)) expect(node).toHaveProperty(name);
    const nodeOnly = Object.keys(node).filter((n) => !(n in index));
    expect(nodeOnly.sort()).toEqual(
      [
        'CompressedFileError', 'TrainingStoppedError', 'WorkerGradientEngine', 'exitInterrupted', 'fileLines', 'generateConformers',
        'handleInterrupts', 'interruptExitCode', 'latestCheckpoint', 'listGpuAdapters', 'loadModelDirectory', 'nodeBackends',
        'readEdmNpzFile', 'readMoleculeFile', 'readMoleculeJsonFile', 'readSdfFile', 'readTrainerStateFile', 'readXyzFile',
        'registerOpenchemlibResources', 'replaceAtomically', 'runTraining', 'workerThreadSampling', 'saveModelDirectory',
        'selectNodeBackend', 'stageFile', 'writeFileAtomic', 'writeMoleculeFile', 'writeSdfFile', 'writeTrajectoryFile',
      ].sort(),
    );
    expect(nodeOnly.filter((n) => n in internal)).toEqual([]);
  });

  it('leaves no value of an isomorphic module out of both entry points', async () => {
    const modules = import.meta.glob(['./*/**/*.ts', '!./**/*.test.ts', '!./node/**', '!./testing/**']);
    const index = await import('./index.js');
    const internal = await import('./internal.js');
    expect(Object.keys(modules).length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const [path, load] of Object.entries(modules)) {
      for (const name of Object.keys((await load()) as object)) if (!(name in index) && !(name in internal)) missing.push(`${path}: ${name}`);
    }
    expect(missing).toEqual([]);
  });
});
