// equimol benchmarks (`pnpm bench`): training and sampling throughput for fixed configurations, so
// that figures can be compared with EDM's PyTorch code on the same machine. Prints a table, or JSON
// with --json. Synthetic QM9-sized molecules (random geometry) are used: speed does not depend on the
// coordinates, and the benchmark then runs without ../shared.
//   node scripts/bench.mjs [--json] [--quick] [--only train|sample|eval|pilots] [--backend NAME] [--gpu N]
// `--only pilots` times training of issue #21's two pilots (configs/drugs-heavy.json, atoms only, and
// configs/drugs-bonds.json, bonds generated too) at drug size, to turn equal steps into compute.
// On the webgpu backend it also counts compute dispatches per training step and the GPU memory that
// tfjs-webgpu's buffer pool allocated; without a GPU, SwiftShader runs it (slowly):
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp pnpm bench --backend webgpu --quick --only train
import * as eq from '@equimol/core/node';
import { countDispatches, gpuMemory } from '@equimol/core/internal';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const preferred = args.includes('--backend') ? args[args.indexOf('--backend') + 1] : undefined;
const gpu = args.includes('--gpu') ? Number(args[args.indexOf('--gpu') + 1]) : undefined;
const backend = await eq.selectNodeBackend({ notice: () => {}, ...(preferred ? { preferred } : {}), ...(gpu !== undefined ? { gpu } : {}) });
if (preferred && backend.name !== preferred) throw new Error(`the ${preferred} backend did not load (${backend.skipped.join('; ')})`);
const onWebgpu = backend.name === 'webgpu';
const dispatches = onWebgpu ? countDispatches() : null;
// On a CPU emulator (SwiftShader) a heavy step takes many minutes and its timing means nothing: one
// step, no warm-up, for the dispatch count and memory (which do not depend on the hardware).
const emulator = backend.adapter?.emulator === true;
const results = [];
const report = (row) => {
  results.push(row);
  if (!json) console.log(`${row.name.padEnd(52)} ${String(row.value.toFixed(row.unit === 'ratio' ? 2 : 1)).padStart(9)} ${row.unit.padEnd(7)} ${row.note ?? ''}`);
};

/** A batch of B molecules of n atoms with random positions and types (QM9-like sizes). */
function syntheticBatch(B, n, F, V, seed) {
  const rng = new eq.Rng(seed);
  const mask = new Float32Array(B * n).fill(1);
  const positions = eq.removeCenterOfMassInPlace(Float32Array.from({ length: B * n * 3 }, () => 1.3 * rng.normal()), mask, B, n);
  const features = new Float32Array(B * n * F);
  for (let r = 0; r < B * n; r++) {
    const type = rng.integer(0, V - 1);
    features[r * F + type] = 0.25;
    features[r * F + V] = [0.1, 0.6, 0.7, 0.8, 0.9][type] ?? 0.6;
  }
  return { size: B, maxAtoms: n, atomCounts: new Array(B).fill(n), positions, features, nodeMask: mask, context: new Float32Array(0) };
}

const configs = [
  { label: 'QM9 heavy atoms (9), batch 64, hidden 128, 6 layers', n: 9, V: 4, hidden: 128, layers: 6, batch: 64 },
  { label: 'QM9 with H (padded 29), batch 64, hidden 128, 6 layers', n: 29, V: 5, hidden: 128, layers: 6, batch: 64 },
];

async function timeSteps(engine, params, cfg, F, steps) {
  const rng = new eq.Rng(7);
  const batch = syntheticBatch(cfg.batch, cfg.n, F, cfg.V, 3);
  const request = () => ({ batch, noise: eq.drawTrainingNoise(rng, cfg.batch, cfg.n, F, batch.nodeMask, 1000), weights: eq.simpleLossWeights(batch, F) });
  // A whole training step as the trainer takes it: on the device (webgpu) gradients, clipping, Adam
  // and the EMA stay there and nothing is read back; elsewhere gradients come back to the host.
  const device = engine.keepsStateOnDevice?.() ? deviceTraining(params) : null;
  const step = async () => {
    if (device) {
      const { lossSum, grads } = await engine.computeOnDevice(device.optimizer.parameters, request());
      device.optimizer.step(grads, lossSum, cfg.batch, device.config, 0.999);
      lossSum.dispose();
      grads.dispose();
      return;
    }
    const { grads } = await engine.compute(params, request());
    new eq.AdaptiveGradientClipper().clip(grads);
  };
  if (!emulator) await step(); // warm-up (kernel compilation, allocations)
  if (device) await device.optimizer.lastStep();
  const dispatched = dispatches?.count ?? 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  if (device) await device.optimizer.lastStep(); // wait for the queued work
  const ms = (performance.now() - t0) / steps;
  const perStep = ((dispatches?.count ?? 0) - dispatched) / steps;
  device?.optimizer.dispose();
  return { ms, dispatches: perStep, onDevice: device !== null };
}

/** A device-resident optimiser (θ, Adam, EMA) starting from `params`. */
function deviceTraining(params) {
  const config = eq.defaultTrainingConfig({});
  const state = { step: 0, epoch: 0, batchInEpoch: 0, params, ema: params.slice(), adam: eq.initialAdamState(params.length, config.optimizer), rng: new eq.Rng(1).state(), clipHistory: [], bestValidationLoss: null, elapsedSeconds: 0 };
  return { config, optimizer: eq.DeviceOptimizer.upload(state, config) };
}

for (const cfg of configs) {
  if (quick && cfg.n > 9) continue;
  const F = cfg.V + 1;
  const egnn = eq.edmEgnnConfig(F, cfg.hidden, cfg.layers);
  const micro = cfg.n > 20 ? 16 : 64;
  const spec = { egnn, schedule: eq.EDM_QM9_SCHEDULE, microBatch: micro };
  const local = new eq.LocalGradientEngine(spec);
  const params = local.dynamics.layout.initialise(new eq.Rng(1));
  const steps = emulator ? 1 : quick ? 2 : cfg.n > 20 ? 3 : 8;
  if (!only || only === 'train') {
    const { ms: ms1, dispatches: perStep, onDevice } = await timeSteps(local, params, cfg, F, steps);
    report({ name: `train, 1 thread: ${cfg.label}`, value: (cfg.batch / ms1) * 1000, unit: 'mol/s', note: `${ms1.toFixed(0)} ms/step, micro-batch ${micro}` });
    if (dispatches) {
      const what = onDevice ? 'forward, backward, loss, clipping, Adam, EMA; all on the device' : 'forward, backward, loss, gradient readback; clipping, Adam, EMA on the host';
      report({ name: `GPU dispatches per training step: ${cfg.label}`, value: perStep, unit: 'disp', note: what });
      const memory = gpuMemory();
      report({ name: `peak GPU memory, training: ${cfg.label}`, value: memory.allocated / 2 ** 20, unit: 'MiB', note: `tfjs-webgpu buffer pool; estimated live working set ${(eq.estimatePeakBytes(egnn, { molecules: micro, atoms: cfg.n }, 'training') / 2 ** 20).toFixed(0)} MiB` });
    }
    const workers = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
    if (workers > 1 && backend.name === 'wasm') {
      const pool = await eq.WorkerGradientEngine.start(spec, workers, 'wasm');
      const { ms: msW } = await timeSteps(pool, params, cfg, F, steps);
      await pool.dispose();
      report({ name: `train, ${workers} workers: ${cfg.label}`, value: (cfg.batch / msW) * 1000, unit: 'mol/s', note: `${msW.toFixed(0)} ms/step` });
    }
  }
  if ((!only || only === 'eval') && cfg.n <= 9) {
    const batch = syntheticBatch(cfg.batch, cfg.n, F, cfg.V, 5);
    const tensors = local.dynamics.layout.toTensors(params);
    const net = eq.networkPredictor(local.dynamics, tensors, local.schedule, batch.atomCounts);
    await net.evaluate(batch.positions, batch.features, 500);
    const reps = quick ? 3 : 20;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await net.evaluate(batch.positions, batch.features, 500);
    const ms = (performance.now() - t0) / reps;
    net.dispose();
    eq.disposeParameters(tensors);
    report({ name: `network evaluation, ${cfg.batch} molecules: ${cfg.label}`, value: ms, unit: 'ms', note: `${(1000 / ms).toFixed(1)} evaluations/s` });
  }
  if ((!only || only === 'sample') && cfg.n <= 9) {
    const model = eq.createModel({ name: 'bench', egnn, schedule: eq.EDM_QM9_SCHEDULE, encoding: eq.qm9Encoding(false), atomCountHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1] }, params);
    for (const stepsCount of quick ? [50] : [100, 1000]) {
      const count = stepsCount === 1000 ? 64 : 64;
      const t0 = performance.now();
      await eq.sampleMolecules(model, { count, seed: 1, steps: stepsCount, batchSize: 64 });
      const s = (performance.now() - t0) / 1000;
      report({ name: `sample ${stepsCount} steps, 1 thread, batch 64: ${cfg.label.split(',')[0]}`, value: count / s, unit: 'mol/s', note: `${s.toFixed(1)} s for ${count}` });
    }
    // Both cores: one worker thread per core, each sampling its own batches of 64.
    const workers = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
    if (workers > 1 && backend.name === 'wasm') {
      {
        const run = async (stepsCount) => {
          const t0 = performance.now();
          await eq.sampleMolecules(model, { count: 64 * workers, seed: 1, steps: stepsCount, batchSize: 64, workers });
          return (performance.now() - t0) / 1000;
        };
        const count = 64 * workers;
        const short = quick ? 20 : 100;
        const s = await run(short);
        report({ name: `sample ${short} steps, ${workers} workers, batch 64: ${cfg.label.split(',')[0]}`, value: count / s, unit: 'mol/s', note: `${s.toFixed(1)} s for ${count}, worker start-up included` });
        // Evaluations/s from a longer chain, so that worker start-up and model loading (~2 s) do not
        // count as sampling time.
        const long = quick ? 40 : 500;
        const sLong = await run(long);
        const evals = (count * long) / 64 / sLong;
        report({ name: `64-molecule network evaluations/s while sampling, ${workers} workers`, value: evals, unit: 'eval/s', note: `${long}-step chains; EDM: ${(1000 / 192).toFixed(1)}/s (192 ms each)` });
      }
    }
  }
}
// Drug-sized training (ZINC heavy atoms: 8–40, mean 23.5) with automatic micro-batches, against the
// hand-chosen ones that fit: the automatic choice should be within 10 % of the best of them.
if ((!only || only === 'train') && !quick) {
  const workers = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  for (const n of [25, 40]) {
    const cfg = { label: `drug-sized heavy atoms (${n}), batch 64, hidden 128, 6 layers`, n, V: 9, hidden: 128, layers: 6, batch: 64 };
    const F = cfg.V + 1;
    const egnn = eq.edmEgnnConfig(F, cfg.hidden, cfg.layers);
    const params = new eq.EgnnDynamics(egnn).layout.initialise(new eq.Rng(1));
    const rates = {};
    for (const microBatch of ['auto', 8, 16, 32, 64]) {
      // Hand-chosen sizes run whenever the estimate stays under 80 % of the heap (auto keeps to 50 %).
      const estimate = microBatch === 'auto' ? 0 : eq.estimatePeakBytes(egnn, { molecules: Math.min(microBatch, cfg.batch / workers), atoms: n }, 'training');
      const fits = estimate <= 0.8 * eq.memoryBudget('wasm').limitBytes;
      const label = `train, ${workers} workers, micro-batch ${microBatch}: ${cfg.label}`;
      if (!fits) {
        report({ name: label, value: 0, unit: 'mol/s', note: `estimated ${(estimate / 2 ** 30).toFixed(1)} GiB of the 4 GiB wasm heap: not run` });
        continue;
      }
      const engine = workers > 1 ? await eq.WorkerGradientEngine.start({ egnn, schedule: eq.EDM_QM9_SCHEDULE, microBatch }, workers, backend.name) : new eq.LocalGradientEngine({ egnn, schedule: eq.EDM_QM9_SCHEDULE, microBatch });
      const { ms } = await timeSteps(engine, params, cfg, F, 2);
      await engine.dispose();
      rates[microBatch] = (cfg.batch / ms) * 1000;
      const chosen = microBatch === 'auto' ? `, auto chose ${eq.largestMicroBatch(egnn, n, 'training', eq.memoryBudget(backend.name), cfg.batch / workers)}` : '';
      report({ name: label, value: rates[microBatch], unit: 'mol/s', note: `${ms.toFixed(0)} ms/step${chosen}` });
    }
    const best = Math.max(...[8, 16, 32, 64].map((m) => rates[m] ?? 0));
    report({ name: `auto / best hand-chosen micro-batch: drug-sized (${n})`, value: rates.auto / best, unit: 'ratio', note: 'goal ≥ 0.90' });
  }
}
// Issue #21's pilots: the same synthetic drug-sized batches (24 heavy atoms, about ZINC's mean of
// 23.5; batch 64; 2 workers; automatic micro-batches, as the runs use) through each pilot's network.
// The bond pilot's batch carries a chain of single bonds and neutral charges (speed does not depend on
// which bonds). Both rows run in the same process, so they share the machine's load at the time.
if (only === 'pilots') {
  const workers = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  const n = 24;
  const V = 9;
  const B = 64;
  const K = 4;
  const configDir = new URL('../configs/', import.meta.url);
  for (const name of ['drugs-heavy', 'drugs-bonds']) {
    const config = JSON.parse(readFileSync(new URL(`${name}.json`, configDir), 'utf8'));
    const bonds = config.bonds === true;
    const F = V + 1 + (bonds ? 3 : 0);
    const egnn = { ...eq.edmEgnnConfig(F), ...config.egnn, nodeFeatures: F, ...(bonds ? { bondClasses: K } : {}) };
    const spec = { egnn, schedule: config.schedule, microBatch: config.training.microBatch };
    const params = new eq.EgnnDynamics(egnn).layout.initialise(new eq.Rng(1));
    const batch = syntheticBatch(B, n, F, V, 3);
    if (bonds) {
      const encoding = eq.kekuleBondEncoding();
      for (let r = 0; r < B * n; r++) batch.features[r * F + V + 1 + 1] = 0.25; // formal charge 0
      batch.bonds = new Float32Array(B * n * n * K);
      const chain = Array.from({ length: n - 1 }, (_, a) => ({ a, b: a + 1, order: 1 }));
      for (let b = 0; b < B; b++) eq.encodeBondBlock(encoding, chain, n, batch.bonds, b, n);
    }
    const rng = new eq.Rng(7);
    const schedule = new eq.NoiseSchedule(config.schedule);
    const request = () => {
      const noise = eq.drawTrainingNoise(rng, B, n, F, batch.nodeMask, schedule.timesteps, 0, undefined, bonds ? K : 0);
      return { batch, noise, weights: eq.simpleLossWeights(batch, F, bonds ? K : 0) };
    };
    const engine = workers > 1 ? await eq.WorkerGradientEngine.start(spec, workers, backend.name) : new eq.LocalGradientEngine(spec);
    await engine.compute(params, request()); // warm-up
    const steps = 3;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await engine.compute(params, request());
    const ms = (performance.now() - t0) / steps;
    await engine.dispose();
    const size = new eq.EgnnDynamics(egnn).layout.size;
    report({ name: `pilot ${name}: train, ${workers} workers, ${n} atoms, batch ${B}`, value: (B / ms) * 1000, unit: 'mol/s', note: `${ms.toFixed(0)} ms/step; ${size} weights` });
  }
}
const peak = process.memoryUsage();
report({ name: 'peak resident memory of this process', value: peak.rss / 2 ** 20, unit: 'MiB' });
if (onWebgpu) {
  const memory = gpuMemory();
  report({ name: 'peak GPU memory (tfjs-webgpu buffer pool)', value: memory.allocated / 2 ** 20, unit: 'MiB', note: `${(memory.inUse / 2 ** 20).toFixed(1)} MiB in use at the end` });
}
const summary = {
  date: new Date().toISOString(),
  backend: backend.name,
  backendReason: backend.reason,
  ...(backend.adapter ? { adapter: backend.adapter } : {}),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  node: process.version,
  tfjs: backend.tfjsVersion,
  results,
};
if (json) console.log(JSON.stringify(summary, null, 2));
else console.log(`backend ${backend.name} (${backend.reason})${backend.adapter ? `; adapter ${eq.describeAdapter(backend.adapter)}` : ''}; ${os.cpus().length} CPUs (${summary.cpuModel}); node ${process.version}; tfjs ${backend.tfjsVersion}`);
