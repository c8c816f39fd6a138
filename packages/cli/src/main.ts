#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { errorLine, exitCodeOf } from './errors.js';
import { buildProgram } from './program.js';

// The `equimol` executable: parse, run one command, and turn any error into one line on stderr and
// an exit status (2 for usage, 1 for failures). Stack traces only with --verbose.
const argv = hideBin(process.argv);
const verbose = argv.includes('--verbose');
try {
  await buildProgram(argv).parseAsync();
} catch (err) {
  process.stderr.write(`equimol: ${errorLine(err)}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = exitCodeOf(err);
}
