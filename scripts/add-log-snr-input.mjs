#!/usr/bin/env node
// One-off intervention on a stopped run: give its network the log-SNR input (EgnnConfig.logSnrInput)
// from the next step on. The new input's weights start at zero, so the network computes exactly what
// it did; training then learns to use it. Weights, EMA and Adam moments are all grown
// (resizeParameters); run.json records the change. The run's model/ directory is rewritten at the
// next checkpoint.
// Usage: node scripts/add-log-snr-input.mjs RUNDIR
import { readFileSync } from 'node:fs';
import { EgnnDynamics, resizeParameters, trainerStateFromBytes, trainerStateToBytes, writeFileAtomic } from '@equimol/core/node';
import { recordIntervention } from './lib/runIntervention.mjs';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/add-log-snr-input.mjs RUNDIR');
const checkpoint = `${dir}/checkpoints/latest.eqt`;
const run = JSON.parse(readFileSync(`${dir}/run.json`, 'utf8'));
if (run.egnn.logSnrInput) throw new Error(`${dir}: the network already has the log-SNR input`);
const { state, extra } = trainerStateFromBytes(new Uint8Array(readFileSync(checkpoint)), checkpoint);
const from = new EgnnDynamics(run.egnn).layout;
const egnn = { ...run.egnn, logSnrInput: true };
const to = new EgnnDynamics(egnn).layout;
const grow = (flat) => resizeParameters(from, to, flat);
const grown = {
  ...state,
  params: grow(state.params),
  ema: grow(state.ema),
  adam: { ...state.adam, m: grow(state.adam.m), v: grow(state.adam.v), vMax: grow(state.adam.vMax) },
};
const command = `node scripts/add-log-snr-input.mjs ${dir}`;
run.egnn = egnn;
recordIntervention(run, state.step, `log-SNR input added (${to.size - from.size} new weights, zero)`, command);
// Checkpoint first: a crash between the two writes leaves a checkpoint that run.json's old config
// refuses to load (sizes differ), never a silently mismatched run.
await writeFileAtomic(checkpoint, trainerStateToBytes(grown, extra));
await writeFileAtomic(`${dir}/run.json`, JSON.stringify(run, null, 2) + '\n');
console.log(`${dir}: log-SNR input added at step ${state.step} (${from.size} → ${to.size} parameters)`);
