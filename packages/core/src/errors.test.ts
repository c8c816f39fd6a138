import { describe, expect, it } from 'vitest';
import { MoleculeTooLargeError, memoryBudget } from './backend/memoryBudget.js';
import { EquimolError, isEquimolError } from './errors.js';
import { MoleculeParseError } from './io/errors.js';
import { SampleOptionsError } from './pipeline/sampleMolecules.js';
import { ScheduleSettingError } from './train/trainingConfig.js';

describe('one error family', () => {
  it('carries a kind and a place, and is recognised by its brand', () => {
    const err = new EquimolError('a.sdf, record 3, line 12: bad atom line', { file: 'a.sdf', record: 3, line: 12 });
    expect(err).toMatchObject({ kind: 'input', place: { file: 'a.sdf', record: 3, line: 12 } });
    expect(isEquimolError(err)).toBe(true);
    // A copy of the package (another class object) is still recognised.
    expect(isEquimolError(Object.assign(new Error('x'), { equimolError: true }))).toBe(true);
    expect(isEquimolError(new Error('x'))).toBe(false);
  });

  it("holds core's user-facing errors, options the user chose being of kind 'usage'", () => {
    const usage = [new SampleOptionsError('x'), new ScheduleSettingError('x'), new MoleculeTooLargeError('m', 9, 1, memoryBudget('wasm'))];
    for (const err of usage) expect([isEquimolError(err), err.kind]).toEqual([true, 'usage']);
    const parse = new MoleculeParseError('a.sdf', 2, 7, 'bad count line');
    expect([isEquimolError(parse), parse.kind, parse.name, parse.message]).toEqual([true, 'input', 'MoleculeParseError', 'a.sdf, record 2, line 7: bad count line']);
  });
});
