/** The pure part of a supervisor's edit: field paths by name, the version bump, the diff in words. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyChanges, bumpPatch, diffProcedures } from '#station/procedures/edit.ts';
import { ProcedureFileSchema } from '#contract/procedure.ts';
import { StationFault } from '#contract/errors.ts';
import { FIXTURE_SEQUENCES } from '../helpers/paths.ts';

const quick = readFileSync(join(FIXTURE_SEQUENCES, 'quick', 'procedure.yaml'), 'utf8');
const fieldOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e instanceof StationFault ? (e.details as { field: unknown }).field : e;
  }
  return null;
};

describe('procedure edits', () => {
  test('the patch version counts up', () => {
    expect(bumpPatch('1.2.3')).toBe('1.2.4');
    expect(bumpPatch('1.2.9')).toBe('1.2.10');
    expect(bumpPatch('2.0')).toBe('2.0.1');
    expect(bumpPatch('7')).toBe('7.1');
    expect(bumpPatch('v1.0.0')).toBe('v1.0.1');
    expect(bumpPatch('draft')).toBe('draft.1');
  });

  test('edits by name keep comments and layout; only the named fields and the version change', () => {
    const r = applyChanges(quick, [
      { path: ['phases', 'second', 'measurements', 'volts', 'lower'], value: 1.1 },
      { path: ['phases', 'third', 'enabled'], value: false },
      { path: ['phases', 'first', 'params', 'delayMs'], value: 20 },
      { path: ['serialExample'], value: 'Q-0002' },
    ]);
    expect(r.text.split('\n')[0]).toBe(quick.split('\n')[0]);
    expect(r.file.version).toBe('1.0.1');
    const words = diffProcedures(r.before, r.file).map((d) => d.words);
    expect(words).toEqual([
      'version "1.0.0" → "1.0.1"',
      'serialExample "Q-0001" → "Q-0002"',
      'first · params delayMs (none) → 20',
      'second · volts lower 1 V → 1.1 V',
      'third · enabled true → false',
    ]);
    // Removing a field: null.
    const removed = applyChanges(quick, [{ path: ['phases', 'second', 'measurements', 'volts', 'upper'], value: null }]);
    expect(ProcedureFileSchema.parse(removed.file).phases[1]!.measurements[0]!.upper).toBeUndefined();
  });

  test('a bad value or a field that is not the app’s is refused naming the field', () => {
    const upper = ['phases', 'second', 'measurements', 'volts', 'upper'];
    expect(fieldOf(() => applyChanges(quick, [{ path: upper, value: 0 }]))).toEqual(upper);
    expect(fieldOf(() => applyChanges(quick, [{ path: upper, value: 'high' }]))).toEqual(upper);
    expect(fieldOf(() => applyChanges(quick, [{ path: ['serialPattern'], value: '(' }]))).toEqual(['serialPattern']);
    expect(fieldOf(() => applyChanges(quick, [{ path: ['instruments', 'dmm'], value: 'sim:dmm' }]))).toEqual(['instruments', 'dmm']);
    expect(fieldOf(() => applyChanges(quick, [{ path: ['phases', 'second', 'measurements', 'amps', 'upper'], value: 1 }]))).toEqual([
      'phases',
      'second',
      'measurements',
      'amps',
      'upper',
    ]);
  });
});
