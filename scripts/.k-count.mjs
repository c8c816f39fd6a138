import * as eq from '@equimol/core/node';

await eq.selectNodeBackend({ notice: () => {}, preferred: 'webgpu' });
const counter = eq.countDispatches();
const B = 2, n = 5, F = 5;
const egnn = eq.edmEgnnConfig(F, 8, 1);
const local = new eq.LocalGradientEngine({ egnn, schedule: eq.EDM_QM9_SCHEDULE, microBatch: 64 });
const params = local.dynamics.layout.initialise(new eq.Rng(1));
const rng = new eq.Rng(2);
const mask = new Float32Array(B * n).fill(1);
const positions = Float32Array.from({ length: B * n * 3 }, () => 1.3 * rng.normal());
const features = new Float32Array(B * n * F); for (let r = 0; r < B*n; r++) features[r*F + (r%4)] = 0.25;
const batch = { size: B, maxAtoms: n, atomCounts: new Array(B).fill(n), positions, features, nodeMask: mask, context: new Float32Array(0) };
const config = eq.defaultTrainingConfig({});
const state = { step: 0, epoch: 0, batchInEpoch: 0, params, ema: params.slice(), adam: eq.initialAdamState(params.length, config.optimizer), rng: new eq.Rng(1).state(), clipHistory: [], bestValidationLoss: null, elapsedSeconds: 0 };
const opt = eq.DeviceOptimizer.upload(state, config);
for (let i = 0; i < 4; i++) {
  const t0 = performance.now(); const c0 = counter.count;
  const { lossSum, grads } = await local.computeOnDevice(opt.parameters, { batch, noise: eq.drawTrainingNoise(rng, B, n, F, mask, 1000), weights: eq.simpleLossWeights(batch, F) });
  const c1 = counter.count;
  opt.step(grads, lossSum, B, config, 0.999); lossSum.dispose(); grads.dispose();
  const c2 = counter.count;
  await opt.lastStep();
  console.log('step', i, 'gradient', c1 - c0, 'optimizer', c2 - c1, 'ms', (performance.now() - t0).toFixed(0));
}
