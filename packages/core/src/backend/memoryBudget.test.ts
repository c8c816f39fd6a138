import { describe, expect, it } from 'vitest';
import { estimatePeakBytes } from '../model/memoryEstimate.js';
import { largestMicroBatch, memoryBudget, MoleculeTooLargeError, resolveMicroBatch } from './memoryBudget.js';

const network = { hiddenSize: 128, layers: 6, invSublayers: 1 };

describe('memory budget and micro-batches', () => {
  it("holds wasm to half its 4 GB heap, and picks the largest micro-batch that fits", () => {
    const budget = memoryBudget('wasm');
    expect(budget.limitBytes).toBe(4 * 1024 ** 3);
    expect(budget.usableBytes).toBe(2 * 1024 ** 3);
    const m = largestMicroBatch(network, 40, 'training', budget, 64);
    expect(m).toBeGreaterThan(0);
    expect(estimatePeakBytes(network, { molecules: m, atoms: 40 }, 'training')).toBeLessThanOrEqual(budget.usableBytes);
    expect(estimatePeakBytes(network, { molecules: m + 1, atoms: 40 }, 'training')).toBeGreaterThan(budget.usableBytes);
    // The batch of 64 drug-sized molecules that aborted the wasm heap does not fit.
    expect(estimatePeakBytes(network, { molecules: 64, atoms: 40 }, 'training')).toBeGreaterThan(budget.limitBytes);
  });

  it('never exceeds the cap, keeps a fixed setting, and respects a per-tensor limit', () => {
    const budget = memoryBudget('wasm');
    expect(resolveMicroBatch('auto', network, 9, 'training', budget, 16)).toBe(16);
    expect(resolveMicroBatch(8, network, 40, 'training', budget, 64)).toBe(8);
    expect(resolveMicroBatch(8, network, 40, 'training', budget, 5)).toBe(5);
    // A GPU whose largest buffer holds one [N·N, H] edge tensor of 30 atoms.
    const gpu = { ...budget, maxTensorBytes: 4 * 30 * 30 * 128 };
    expect(resolveMicroBatch('auto', network, 30, 'inference', gpu, 64)).toBe(1);
  });

  it('names the molecule, its size, what it needs and what the backend allows when one alone does not fit', () => {
    const budget = { ...memoryBudget('wasm'), usableBytes: 1e6 };
    let error: unknown;
    try {
      resolveMicroBatch('auto', network, 120, 'training', budget, 64, 'molecule 7 of big.eqd');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MoleculeTooLargeError);
    expect((error as Error).message).toMatch(/^molecule 7 of big\.eqd has 120 atoms: one molecule of that size needs [\d.]+ GiB per pass, more than the wasm backend allows \(1 MiB of its 4\.0 GiB\)/);
  });
});
