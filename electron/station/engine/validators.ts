import type { MeasurementOutcome, MeasurementValue, Validator } from '#contract/records.ts';
import type { MeasurementSpec } from '#contract/procedure.ts';

export interface Verdict {
  outcome: MeasurementOutcome;
  reason?: string;
}

/** Turns a procedure file's limits into the record's validator. */
export function specToValidator(spec: MeasurementSpec): Validator | undefined {
  if (spec.equals !== undefined) return { kind: 'equals', value: spec.equals, caseSensitive: spec.caseSensitive ?? true };
  if (spec.lower !== undefined || spec.upper !== undefined) {
    return {
      kind: 'range',
      lower: spec.lower,
      upper: spec.upper,
      lowerInclusive: spec.lowerInclusive ?? true,
      upperInclusive: spec.upperInclusive ?? true,
    };
  }
  return undefined;
}

const fmt = (v: number, units?: string) => (units ? `${v} ${units}` : String(v));

/** NaN, Infinity, a missing value or a wrong type never passes. */
export function validate(value: MeasurementValue, validator: Validator | undefined, units?: string): Verdict {
  if (value === null) return { outcome: 'FAIL', reason: 'no value' };
  if (typeof value === 'number' && !Number.isFinite(value)) return { outcome: 'FAIL', reason: `${value} is not a finite number` };
  if (!validator) return { outcome: 'PASS' };
  if (validator.kind === 'range') {
    if (typeof value !== 'number') return { outcome: 'FAIL', reason: `expected a number, got ${typeof value} ${JSON.stringify(value)}` };
    const { lower, upper, lowerInclusive, upperInclusive } = validator;
    if (lower !== undefined && (lowerInclusive ? value < lower : value <= lower)) {
      return { outcome: 'FAIL', reason: `${fmt(value, units)} is below the lower limit ${lowerInclusive ? '' : '(exclusive) '}${fmt(lower, units)}` };
    }
    if (upper !== undefined && (upperInclusive ? value > upper : value >= upper)) {
      return { outcome: 'FAIL', reason: `${fmt(value, units)} is above the upper limit ${upperInclusive ? '' : '(exclusive) '}${fmt(upper, units)}` };
    }
    return { outcome: 'PASS' };
  }
  const expected = validator.value;
  if (typeof value !== typeof expected) {
    return { outcome: 'FAIL', reason: `expected a ${typeof expected}, got ${typeof value} ${JSON.stringify(value)}` };
  }
  const same =
    typeof value === 'string' && typeof expected === 'string' && !validator.caseSensitive
      ? value.toLocaleLowerCase() === expected.toLocaleLowerCase()
      : value === expected;
  return same ? { outcome: 'PASS' } : { outcome: 'FAIL', reason: `${JSON.stringify(value)} is not ${JSON.stringify(expected)}` };
}

