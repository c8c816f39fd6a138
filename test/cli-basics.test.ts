// `equimol` as a whole: help with examples for every command, --version, and usage errors that
// print one line and exit with status 2.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from '../packages/cli/src/options.js';
import { nodeBackends } from '../packages/core/src/node.js';
import { equimol, ROOT, scratch } from './cli-run.js';

const { dir, remove } = scratch('basics');
afterAll(remove);

describe('equimol help and version', () => {
  it('prints the package version', () => {
    const r = equimol(['--version'], dir);
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('lists every command with examples', () => {
    const r = equimol(['--help'], dir);
    expect(r.status).toBe(0);
    for (const command of ['sample', 'eval', 'train', 'data', 'view', 'info']) expect(r.stdout).toMatch(new RegExp(`equimol ${command}\\b`));
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('Exit status');
  });

  it.each([
    [['sample'], ['--count', '--model', '--steps', '--sampler', '--seed', '--atoms', '--atoms-range', '--batch-size', '--workers', '--format', '--hydrogens', '--trajectory', '--frames', '--shard', '--force']],
    [['eval'], ['--train-smiles', '--json', '--reference']],
    [['train'], ['--data', '--out', '--config', '--resume', '--hidden', '--layers', '--steps']],
    [['data'], ['build', 'conformers', 'convert']],
    [['model', 'average'], ['--model', '--output', '--force', 'mean of the EMA weights']],
    [['data', 'build'], ['--output', '--remove-hydrogens', '--elements', '--properties']],
    [['data', 'conformers'], ['--smiles', '--output', '--workers']],
    [['data', 'convert'], ['read and written alike', '--skip-invalid', '--force']],
    [['view'], ['--port', '--open', '--export']],
    [['info'], ['--model', '--json']],
  ])('equimol %s --help lists its options and examples', (command, options) => {
    const r = equimol([...command, '--help'], dir);
    expect(r.status).toBe(0);
    for (const option of options) expect(r.stdout).toContain(option);
    expect(r.stdout).toContain('Examples:');
  });
});

describe('options shared by several commands', () => {
  /** The help line of an option in `equimol <command> --help`, without its padding. */
  function helpLine(command: string[], option: string): string {
    const line = equimol([...command, '--help'], dir).stdout.split('\n').find((l) => new RegExp(`(^|\\s)${option}\\s`).test(l));
    expect(line, `${command.join(' ')} --help lists ${option}`).toBeDefined();
    return line!.replace(/\s+/g, ' ').trim();
  }

  it.each([
    ['--force', [['sample'], ['view'], ['data', 'build'], ['data', 'conformers'], ['data', 'convert']]],
    ['--skip-invalid', [['eval'], ['data', 'build'], ['data', 'convert']]],
    ['--backend', [['sample'], ['train'], ['info']]],
    ['--gpu', [['sample'], ['train'], ['info']]],
    ['--model', [['sample'], ['view'], ['info']]],
  ])('%s reads the same in every command that has it', (option, commands) => {
    const lines = commands.map((c) => helpLine(c, option));
    expect(new Set(lines).size).toBe(1);
  });

  it('--workers is -j everywhere, each command saying what it defaults to', () => {
    for (const command of [['sample'], ['train'], ['data', 'conformers']]) expect(helpLine(command, '--workers')).toMatch(/^-j, --workers Worker threads \(default: [^)]+\)/);
  });

  it('says what --micro-batch defaults to', () => {
    expect(helpLine(['train'], '--micro-batch')).toMatch(/a number, or auto \(default\): the most that fit the backend's memory/);
  });
});

describe('equimol usage errors', () => {
  it.each([
    [[], /name a command/],
    [['bogus'], /Unknown argument: bogus/],
    [['sample', '--bogus'], /Unknown argument: bogus/],
    [['sample', '--sampler', 'euler'], /Invalid values:.*sampler/s],
    [['data'], /name a data command/],
  ])('equimol %s: one line on stderr, exit status 2', (args, message) => {
    const r = equimol(args, dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints a stack trace only with --verbose', () => {
    const quiet = equimol(['eval', 'missing.sdf'], dir);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const verbose = equimol(['eval', 'missing.sdf', '--verbose'], dir);
    expect(verbose.status).toBe(2);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('equimol --backend', () => {
  it("accepts exactly core's Node backends (the CLI spells them out to start without loading tfjs)", () => {
    expect(BACKEND_NAMES).toEqual(nodeBackends.map((b) => b.name));
  });
});
