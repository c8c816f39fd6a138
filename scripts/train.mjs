// Starts or resumes a training run of equimol's QM9 models (the CLI's `equimol train` does the same
// for users). Usage: node scripts/train.mjs RUNDIR [--new DATASET]
import { existsSync } from 'node:fs';
import { runTraining, selectNodeBackend } from '@equimol/core/node';

const [outDir, flag, dataset] = process.argv.slice(2);
await selectNodeBackend();
const resume = existsSync(`${outDir}/run.json`);
await runTraining({
  outDir,
  resume,
  config: resume
    ? undefined
    : {
        name: 'qm9-heavy',
        dataset: flag === '--new' ? dataset : 'runs/qm9-heavy.eqd',
        egnn: { hiddenSize: 128, layers: 6 },
        training: {
          seed: 1,
          batchSize: 64,
          microBatch: 64,
          workers: 2,
          logEvery: 50,
          validateEvery: 500,
          checkpointEvery: 500,
          validationSize: 512,
          optimizer: { learningRate: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-12, amsgrad: true },
        },
        command: `node scripts/train.mjs ${process.argv.slice(2).join(' ')}`,
      },
});
