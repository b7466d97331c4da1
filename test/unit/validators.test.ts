/**
 * Limits as a supervisor writes them in procedure.yaml, checked at and around each
 * edge. A value that is not a finite number of the right type never passes, and
 * every FAIL carries a reason an operator can read.
 */
import { describe, expect, test } from 'vitest';
import { MeasurementSpecSchema } from '#contract/procedure.ts';
import { specToValidator, validate } from '#station/engine/validators.ts';
import type { MeasurementValue } from '#contract/records.ts';

/** The verdict for `value` against limits written as in procedure.yaml. */
function check(spec: Record<string, unknown>, value: MeasurementValue, units?: string) {
  const parsed = MeasurementSpecSchema.parse({ name: 'm', ...spec });
  return validate(value, specToValidator(parsed), units ?? parsed.units);
}

describe('range, inclusive limits (the default)', () => {
  const rail = { units: 'V', lower: 3.2, upper: 3.4 };
  test.each([
    [3.2, 'at the lower limit'],
    [3.2000001, 'just inside the lower limit'],
    [3.3, 'in the middle'],
    [3.3999999, 'just inside the upper limit'],
    [3.4, 'at the upper limit'],
  ])('%s V passes (%s)', (v) => {
    expect(check(rail, v)).toEqual({ outcome: 'PASS' });
  });

  test('just below the lower limit fails with the reason', () => {
    expect(check(rail, 3.1999999)).toEqual({ outcome: 'FAIL', reason: '3.1999999 V is below the lower limit 3.2 V' });
  });

  test('just above the upper limit fails with the reason', () => {
    expect(check(rail, 3.4000001)).toEqual({ outcome: 'FAIL', reason: '3.4000001 V is above the upper limit 3.4 V' });
  });
});

describe('range, exclusive limits', () => {
  const open = { units: 'A', lower: 0.05, upper: 0.25, lowerInclusive: false, upperInclusive: false };
  test('a value at the exclusive lower limit fails', () => {
    expect(check(open, 0.05)).toEqual({ outcome: 'FAIL', reason: '0.05 A is below the lower limit (exclusive) 0.05 A' });
  });
  test('a value at the exclusive upper limit fails', () => {
    expect(check(open, 0.25)).toEqual({ outcome: 'FAIL', reason: '0.25 A is above the upper limit (exclusive) 0.25 A' });
  });
  test.each([0.0500001, 0.15, 0.2499999])('%s A, just inside, passes', (v) => {
    expect(check(open, v)).toEqual({ outcome: 'PASS' });
  });
  test('just outside each exclusive limit fails', () => {
    expect(check(open, 0.0499999).outcome).toBe('FAIL');
    expect(check(open, 0.2500001).outcome).toBe('FAIL');
  });
  test('mixed: exclusive lower, inclusive upper', () => {
    const mixed = { lower: 0, upper: 1, lowerInclusive: false };
    expect(check(mixed, 0)).toEqual({ outcome: 'FAIL', reason: '0 is below the lower limit (exclusive) 0' });
    expect(check(mixed, 1)).toEqual({ outcome: 'PASS' });
  });
});

describe('range, one-sided', () => {
  test('only a lower limit', () => {
    expect(check({ lower: 10 }, 10)).toEqual({ outcome: 'PASS' });
    expect(check({ lower: 10 }, 1e12)).toEqual({ outcome: 'PASS' });
    expect(check({ lower: 10 }, 9.99)).toEqual({ outcome: 'FAIL', reason: '9.99 is below the lower limit 10' });
  });
  test('only an upper limit', () => {
    expect(check({ upper: -1 }, -1)).toEqual({ outcome: 'PASS' });
    expect(check({ upper: -1 }, -0.5)).toEqual({ outcome: 'FAIL', reason: '-0.5 is above the upper limit -1' });
  });
});

describe('values that are not finite numbers never pass', () => {
  const rail = { units: 'V', lower: 3.2, upper: 3.4 };
  test.each([
    [NaN, 'not a number (NaN)'],
    [Infinity, 'Infinity is not a finite number'],
    [-Infinity, '-Infinity is not a finite number'],
  ])('%s against a range fails', (v, reason) => {
    expect(check(rail, v)).toEqual({ outcome: 'FAIL', reason });
  });
  test('NaN with no limits at all still fails', () => {
    expect(validate(NaN, undefined)).toEqual({ outcome: 'FAIL', reason: 'not a number (NaN)' });
  });
  test('NaN against equals fails (NaN is a number, but not a value)', () => {
    expect(check({ equals: 5 }, NaN)).toEqual({ outcome: 'FAIL', reason: 'not a number (NaN)' });
  });
  test('null fails with "no value"', () => {
    expect(check(rail, null)).toEqual({ outcome: 'FAIL', reason: 'no value' });
    expect(check({ equals: true }, null)).toEqual({ outcome: 'FAIL', reason: 'no value' });
    expect(validate(null, undefined)).toEqual({ outcome: 'FAIL', reason: 'no value' });
  });
  test('a string against a range fails naming the type', () => {
    expect(check(rail, '3.3')).toEqual({ outcome: 'FAIL', reason: 'expected a number, got string "3.3"' });
  });
  test('a boolean against a range fails naming the type', () => {
    expect(check(rail, true)).toEqual({ outcome: 'FAIL', reason: 'expected a number, got boolean true' });
  });
});

describe('equals', () => {
  test('number: equal passes, any difference fails', () => {
    expect(check({ equals: 5 }, 5)).toEqual({ outcome: 'PASS' });
    expect(check({ equals: 5 }, 5.000001)).toEqual({ outcome: 'FAIL', reason: '5.000001 is not 5' });
    expect(check({ equals: 0 }, -0)).toEqual({ outcome: 'PASS' });
  });
  test('string: case-sensitive by default', () => {
    expect(check({ equals: 'DMM-6500S' }, 'DMM-6500S')).toEqual({ outcome: 'PASS' });
    expect(check({ equals: 'DMM-6500S' }, 'dmm-6500s')).toEqual({ outcome: 'FAIL', reason: '"dmm-6500s" is not "DMM-6500S"' });
    expect(check({ equals: 'DMM-6500S' }, 'DMM-6500S ')).toEqual({ outcome: 'FAIL', reason: '"DMM-6500S " is not "DMM-6500S"' });
  });
  test('string: case-insensitive when asked', () => {
    expect(check({ equals: 'DMM-6500S', caseSensitive: false }, 'dmm-6500s')).toEqual({ outcome: 'PASS' });
    expect(check({ equals: 'DMM-6500S', caseSensitive: false }, 'dmm-6500')).toEqual({ outcome: 'FAIL', reason: '"dmm-6500" is not "DMM-6500S"' });
  });
  test('boolean', () => {
    expect(check({ equals: true }, true)).toEqual({ outcome: 'PASS' });
    expect(check({ equals: true }, false)).toEqual({ outcome: 'FAIL', reason: 'false is not true' });
  });
  test.each([
    [{ equals: true }, 'true', 'expected a boolean, got string "true"'],
    [{ equals: true }, 1, 'expected a boolean, got number 1'],
    [{ equals: '1.4.2' }, 1.42, 'expected a string, got number 1.42'],
    [{ equals: 5 }, '5', 'expected a number, got string "5"'],
  ])('wrong type: %j with %j fails', (spec, v, reason) => {
    expect(check(spec, v)).toEqual({ outcome: 'FAIL', reason });
  });
});

describe('no limits', () => {
  test('any finite value passes: it is recorded, not judged', () => {
    expect(validate(42, undefined)).toEqual({ outcome: 'PASS' });
    expect(validate('text', undefined)).toEqual({ outcome: 'PASS' });
    expect(validate(false, undefined)).toEqual({ outcome: 'PASS' });
  });
});
