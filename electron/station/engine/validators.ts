import { message } from '#contract/messages.ts';
import type { AggregateName, Limits, MeasurementOutcome, MeasurementValue, Validator } from '#contract/records.ts';
import type { MeasurementSpec } from '#contract/procedure.ts';

export interface Verdict {
  outcome: MeasurementOutcome;
  reason?: string;
  marginal?: boolean;
  aggregates?: Partial<Record<AggregateName, number>>;
}

/** A validator written in code: phases.ts exports `validators = { name: { description, check } }`. */
export interface CustomValidator {
  description: string;
  /** true passes; false or a string (the reason) fails. */
  check(value: MeasurementValue): boolean | string;
}

const limits = (l: {
  lower?: number | undefined;
  upper?: number | undefined;
  lowerInclusive?: boolean | undefined;
  upperInclusive?: boolean | undefined;
}): Limits => ({
  ...(l.lower !== undefined ? { lower: l.lower } : {}),
  ...(l.upper !== undefined ? { upper: l.upper } : {}),
  ...(l.lowerInclusive === false ? { lowerInclusive: false } : {}),
  ...(l.upperInclusive === false ? { upperInclusive: false } : {}),
});

/** Turns a procedure file's limits into the record's validator. */
export function specToValidator(spec: MeasurementSpec, custom?: Readonly<Record<string, CustomValidator>>): Validator | undefined {
  if (spec.equals !== undefined) {
    const v: Validator = { kind: 'equals', value: spec.equals, caseSensitive: spec.caseSensitive ?? true };
    if (spec.tolerance !== undefined) v.tolerance = { abs: spec.tolerance };
    else if (spec.tolerancePercent !== undefined) v.tolerance = { percent: spec.tolerancePercent };
    else if (spec.tolerancePpm !== undefined) v.tolerance = { ppm: spec.tolerancePpm };
    return v;
  }
  if (spec.regex !== undefined) return { kind: 'regex', pattern: spec.regex };
  if (spec.oneOf !== undefined) return { kind: 'one-of', values: spec.oneOf, caseSensitive: spec.caseSensitive ?? true };
  if (spec.validator !== undefined) return { kind: 'custom', name: spec.validator, description: custom?.[spec.validator]?.description ?? spec.validator };
  if (spec.aggregate !== undefined || spec.each !== undefined) {
    const aggregates: Partial<Record<AggregateName, Limits>> = {};
    for (const [k, l] of Object.entries(spec.aggregate ?? {})) aggregates[k as AggregateName] = limits(l);
    return { kind: 'series', aggregates, ...(spec.each ? { each: limits(spec.each) } : {}) };
  }
  if (spec.lower !== undefined || spec.upper !== undefined) {
    return {
      kind: 'range',
      ...limits(spec),
      ...(spec.marginalLower !== undefined ? { marginalLower: spec.marginalLower } : {}),
      ...(spec.marginalUpper !== undefined ? { marginalUpper: spec.marginalUpper } : {}),
    };
  }
  return undefined;
}

const fmt = (v: number, units?: string) => (units ? `${v} ${units}` : String(v));
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Checks one number against an interval; undefined when inside. */
function outside(value: number, l: Limits, units: string | undefined, what = ''): string | undefined {
  if (l.lower !== undefined && (l.lowerInclusive !== false ? value < l.lower : value <= l.lower)) {
    return message(l.lowerInclusive !== false ? 'checkBelow' : 'checkBelowExclusive', { value: `${what}${fmt(value, units)}`, limit: fmt(l.lower, units) });
  }
  if (l.upper !== undefined && (l.upperInclusive !== false ? value > l.upper : value >= l.upper)) {
    return message(l.upperInclusive !== false ? 'checkAbove' : 'checkAboveExclusive', { value: `${what}${fmt(value, units)}`, limit: fmt(l.upper, units) });
  }
  return undefined;
}

export function aggregate(points: readonly (readonly number[])[]): Partial<Record<AggregateName, number>> {
  // No points: nothing to take a minimum or mean of (JSON would carry NaN as null).
  if (points.length === 0) return { count: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  const n = points.length;
  for (const p of points) {
    const y = p[p.length - 1]!;
    if (y < min) min = y;
    if (y > max) max = y;
    sum += y;
    sumSq += y * y;
  }
  const mean = n ? sum / n : NaN;
  const std = n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : NaN;
  return { min: n ? min : NaN, max: n ? max : NaN, mean, std, count: n };
}

function validateSeries(
  value: MeasurementValue,
  v: Extract<Validator, { kind: 'series' }> | undefined,
  units: string | undefined,
  axes: number | undefined,
): Verdict {
  if (!Array.isArray(value)) return { outcome: 'FAIL', reason: `expected a series of points, got ${typeof value} ${show(value)}` };
  for (const [i, p] of value.entries()) {
    if (!Array.isArray(p) || p.length === 0) return { outcome: 'FAIL', reason: `point ${i} is not a list of numbers` };
    if (axes !== undefined && p.length !== axes) return { outcome: 'FAIL', reason: `point ${i} has ${p.length} values, expected ${axes} (one per dimension)` };
    const bad = p.find((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad !== undefined) return { outcome: 'FAIL', reason: `point ${i} holds ${String(bad)}, not a finite number` };
  }
  const aggregates = aggregate(value);
  // A sweep whose instrument went away before its first reading: recorded, never passed by its limits.
  if (value.length === 0) return { outcome: v ? 'FAIL' : 'PASS', reason: message('checkNoPoints'), aggregates };
  if (!v) return { outcome: 'PASS', aggregates };
  if (v.each) {
    for (const [i, p] of value.entries()) {
      const r = outside(p[p.length - 1]!, v.each, units, `point ${i}: `);
      if (r) return { outcome: 'FAIL', reason: r, aggregates };
    }
  }
  for (const [k, l] of Object.entries(v.aggregates) as [AggregateName, Limits][]) {
    const r = outside(aggregates[k]!, l, k === 'count' ? undefined : units, `${k} `);
    if (r) return { outcome: 'FAIL', reason: r, aggregates };
  }
  return { outcome: 'PASS', aggregates };
}

/**
 * NaN, Infinity, a missing value or a wrong type never passes. A custom validator
 * that throws fails the measurement with its message.
 */
export function validate(
  value: MeasurementValue,
  validator: Validator | undefined,
  units?: string,
  opts: { custom?: Readonly<Record<string, CustomValidator>>; axes?: number } = {},
): Verdict {
  if (value === null || value === undefined) return { outcome: 'FAIL', reason: message('checkNoValue') };
  if (opts.axes !== undefined || validator?.kind === 'series')
    return validateSeries(value, validator?.kind === 'series' ? validator : undefined, units, opts.axes);
  if (Array.isArray(value)) return { outcome: 'FAIL', reason: 'a series needs dimensions declared in the procedure file' };
  if (typeof value === 'number' && !Number.isFinite(value))
    return { outcome: 'FAIL', reason: Number.isNaN(value) ? message('checkNaN') : message('checkNotFinite', { value }) };
  if (!validator) return { outcome: 'PASS' };
  switch (validator.kind) {
    case 'range': {
      if (typeof value !== 'number') return { outcome: 'FAIL', reason: `expected a number, got ${typeof value} ${show(value)}` };
      const r = outside(value, validator, units);
      if (r) return { outcome: 'FAIL', reason: r };
      const { marginalLower: ml, marginalUpper: mu } = validator;
      if (ml !== undefined && value < ml)
        return { outcome: 'PASS', marginal: true, reason: message('checkMarginalBelow', { value: fmt(value, units), limit: fmt(ml, units) }) };
      if (mu !== undefined && value > mu)
        return { outcome: 'PASS', marginal: true, reason: message('checkMarginalAbove', { value: fmt(value, units), limit: fmt(mu, units) }) };
      return { outcome: 'PASS' };
    }
    case 'equals': {
      const expected = validator.value;
      if (typeof value !== typeof expected) return { outcome: 'FAIL', reason: `expected a ${typeof expected}, got ${typeof value} ${show(value)}` };
      if (typeof value === 'number' && typeof expected === 'number' && validator.tolerance) {
        const t = validator.tolerance;
        const band = t.abs ?? (t.percent !== undefined ? (Math.abs(expected) * t.percent) / 100 : (Math.abs(expected) * (t.ppm ?? 0)) / 1e6);
        return Math.abs(value - expected) <= band * (1 + 1e-12)
          ? { outcome: 'PASS' }
          : { outcome: 'FAIL', reason: message('checkNotWithin', { value: fmt(value, units), expected: fmt(expected, units), band: fmt(band, units) }) };
      }
      const same =
        typeof value === 'string' && typeof expected === 'string' && !validator.caseSensitive
          ? value.toLocaleLowerCase() === expected.toLocaleLowerCase()
          : value === expected;
      return same ? { outcome: 'PASS' } : { outcome: 'FAIL', reason: message('checkNotEqual', { value: show(value), expected: show(expected) }) };
    }
    case 'regex':
      if (typeof value !== 'string') return { outcome: 'FAIL', reason: `expected a string, got ${typeof value} ${show(value)}` };
      return new RegExp(validator.pattern, validator.flags).test(value)
        ? { outcome: 'PASS' }
        : { outcome: 'FAIL', reason: message('checkNoMatch', { value: show(value), pattern: validator.pattern }) };
    case 'one-of': {
      const norm = (x: unknown) => (typeof x === 'string' && !validator.caseSensitive ? x.toLocaleLowerCase() : x);
      return validator.values.some((x) => norm(x) === norm(value))
        ? { outcome: 'PASS' }
        : { outcome: 'FAIL', reason: message('checkNotOneOf', { value: show(value), values: validator.values.map(show).join(', ') }) };
    }
    case 'custom': {
      const c = opts.custom?.[validator.name];
      if (!c) return { outcome: 'FAIL', reason: `validator "${validator.name}" is not exported by phases.ts` };
      try {
        const r = c.check(value);
        if (r === true) return { outcome: 'PASS' };
        return { outcome: 'FAIL', reason: typeof r === 'string' ? r : `${show(value)} fails: ${c.description}` };
      } catch (e) {
        return { outcome: 'FAIL', reason: `validator "${validator.name}" threw: ${(e as Error).message}` };
      }
    }
  }
}
