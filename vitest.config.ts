import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs-wasm and Chromium are heavy: one file at a time per worker, at most two workers (2 cores).
    pool: 'forks',
    maxWorkers: 2,
    // .ci/run asks for a JSON report too (its summary line is counted from it).
    reporters: process.env['EQUIMOL_TEST_REPORT'] ? ['default', ['json', { outputFile: process.env['EQUIMOL_TEST_REPORT'] }]] : ['default'],
  },
});
