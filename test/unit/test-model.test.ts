/**
 * The rest of the test model at unit level: marginal bands, tolerances, regex,
 * one-of, custom and series validators at their edges; procedure-file rules for
 * them; phase plans (instances, parameter overrides, order); prompt answers;
 * runIf expressions.
 */
import { describe, expect, test } from 'vitest';
import { MeasurementSpecSchema, ProcedureFileSchema } from '#contract/procedure.ts';
import { checkAnswer, type Prompt } from '#contract/prompts.ts';
import { describeValidator } from '#contract/format.ts';
import { specToValidator, validate, type CustomValidator } from '#station/engine/validators.ts';
import { planPhases } from '#station/engine/plan.ts';
import { compileCondition } from '#station/engine/engine.ts';
import type { MeasurementValue } from '#contract/records.ts';

const custom: Record<string, CustomValidator> = {
  even: { description: 'an even number', check: (v) => (typeof v === 'number' && v % 2 === 0) || `${String(v)} is odd` },
  boom: {
    description: 'throws',
    check: () => {
      throw new Error('bad fixture');
    },
  },
};

function check(spec: Record<string, unknown>, value: MeasurementValue) {
  const parsed = MeasurementSpecSchema.parse({ name: 'm', ...spec });
  return validate(value, specToValidator(parsed, custom), parsed.units, { custom, ...(parsed.dimensions ? { axes: parsed.dimensions.length } : {}) });
}

describe('marginal band', () => {
  const spec = { units: 'V', lower: 4.75, upper: 5.25, marginalLower: 4.85, marginalUpper: 5.15 };
  test.each([
    [4.85, false],
    [5.0, false],
    [5.15, false],
    [4.84, true],
    [4.75, true],
    [5.16, true],
    [5.25, true],
  ])('%s V passes, marginal=%s', (v, marginal) => {
    const r = check(spec, v);
    expect(r.outcome).toBe('PASS');
    expect(r.marginal ?? false).toBe(marginal);
  });
  test('outside the limits still fails', () => {
    expect(check(spec, 4.74)).toEqual({ outcome: 'FAIL', reason: '4.74 V is below the lower limit 4.75 V' });
  });
  test('a band outside the limits is refused in the file', () => {
    const r = MeasurementSpecSchema.safeParse({ name: 'm', lower: 1, upper: 2, marginalLower: 0.5 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['marginalLower'], message: 'marginalLower must lie between lower and upper' });
  });
});

describe('equals with a tolerance', () => {
  test.each([
    [{ equals: 2.5, tolerance: 0.01 }, 2.51, 'PASS'],
    [{ equals: 2.5, tolerance: 0.01 }, 2.49, 'PASS'],
    [{ equals: 2.5, tolerance: 0.01 }, 2.5101, 'FAIL'],
    [{ equals: 16, tolerancePercent: 0.5 }, 16.08, 'PASS'],
    [{ equals: 16, tolerancePercent: 0.5 }, 16.081, 'FAIL'],
    [{ equals: 32768, tolerancePpm: 50 }, 32769.6, 'PASS'],
    [{ equals: 32768, tolerancePpm: 50 }, 32766.3, 'FAIL'],
  ])('%j, %s → %s', (spec, v, outcome) => {
    expect(check({ units: 'V', ...spec }, v).outcome).toBe(outcome);
  });
  test('the reason gives the band', () => {
    expect(check({ units: 'V', equals: 2.5, tolerance: 0.01 }, 2.6).reason).toBe('2.6 V is not within 2.5 V ± 0.01 V');
  });
  test('a tolerance on a string is refused in the file', () => {
    expect(MeasurementSpecSchema.safeParse({ name: 'm', equals: 'x', tolerance: 1 }).error?.issues[0]?.message).toBe('a tolerance needs a numeric equals');
  });
});

describe('strings: regex and one-of', () => {
  test('regex', () => {
    expect(check({ regex: '^1\\.4\\.\\d+$' }, '1.4.2').outcome).toBe('PASS');
    expect(check({ regex: '^1\\.4\\.\\d+$' }, '1.5.0')).toEqual({ outcome: 'FAIL', reason: '"1.5.0" does not match /^1\\.4\\.\\d+$/' });
    expect(check({ regex: 'x' }, 12).reason).toBe('expected a string, got number 12');
  });
  test('an invalid regex is refused in the file', () => {
    expect(MeasurementSpecSchema.safeParse({ name: 'm', regex: '(' }).error?.issues[0]?.path).toEqual(['regex']);
  });
  test('one-of, case-sensitive unless told', () => {
    expect(check({ oneOf: ['EU', 'US'] }, 'EU').outcome).toBe('PASS');
    expect(check({ oneOf: ['EU', 'US'] }, 'eu')).toEqual({ outcome: 'FAIL', reason: '"eu" is not one of "EU", "US"' });
    expect(check({ oneOf: ['EU', 'US'], caseSensitive: false }, 'eu').outcome).toBe('PASS');
  });
  test('two kinds of limit on one measurement are refused', () => {
    expect(MeasurementSpecSchema.safeParse({ name: 'm', regex: 'x', oneOf: ['x'] }).error?.issues[0]?.message).toBe(
      'use one kind of limit, not regex and oneOf',
    );
  });
});

describe('custom validators', () => {
  test('pass, fail with its own reason, and a throwing check fails with the message', () => {
    expect(check({ validator: 'even' }, 4).outcome).toBe('PASS');
    expect(check({ validator: 'even' }, 3)).toEqual({ outcome: 'FAIL', reason: '3 is odd' });
    expect(check({ validator: 'boom' }, 3)).toEqual({ outcome: 'FAIL', reason: 'validator "boom" threw: bad fixture' });
  });
  test('the record names it with its description', () => {
    const v = specToValidator(MeasurementSpecSchema.parse({ name: 'm', validator: 'even' }), custom);
    expect(v).toEqual({ kind: 'custom', name: 'even', description: 'an even number' });
    expect(describeValidator(v)).toBe('an even number');
  });
});

describe('series (multi-dimensional)', () => {
  const spec = {
    dimensions: [
      { name: 't', units: 's' },
      { name: 'v', units: 'V' },
    ],
    units: 'V',
    each: { lower: 0, upper: 5 },
    aggregate: { mean: { lower: 1, upper: 3 }, count: { lower: 3 } },
  };
  const pts = (...ys: number[]) => ys.map((y, i) => [i, y]);
  test('aggregates of the last axis are computed and checked', () => {
    const r = check(spec, pts(1, 2, 3));
    expect(r.outcome).toBe('PASS');
    expect(r.aggregates).toMatchObject({ min: 1, max: 3, mean: 2, count: 3 });
    expect(r.aggregates?.std).toBeCloseTo(Math.sqrt(2 / 3), 10);
  });
  test('every point is checked, the failing one named', () => {
    expect(check(spec, pts(1, 2, 6, 2)).reason).toBe('point 2: 6 V is above the upper limit 5 V');
  });
  test('aggregate limits', () => {
    expect(check(spec, pts(4, 4, 4)).reason).toBe('mean 4 V is above the upper limit 3 V');
    expect(check(spec, pts(2, 2)).reason).toBe('count 2 is below the lower limit 3');
  });
  test('wrong shapes, NaN and missing data fail with the reason', () => {
    expect(check(spec, [[0, 1, 2]]).reason).toBe('point 0 has 3 values, expected 2 (one per dimension)');
    expect(check(spec, [[0, Number.NaN]]).reason).toBe('point 0 holds NaN, not a finite number');
    expect(check(spec, 3).reason).toBe('expected a series of points, got number 3');
    expect(check(spec, null)).toEqual({ outcome: 'FAIL', reason: 'no value' });
  });
  test('a series without declared dimensions fails', () => {
    expect(check({}, [[1, 2]]).reason).toBe('a series needs dimensions declared in the procedure file');
  });
  test('limits on a series need its dimensions in the file', () => {
    expect(MeasurementSpecSchema.safeParse({ name: 'm', each: { upper: 1 } }).error?.issues[0]?.message).toBe(
      'aggregate/each limits need the dimensions of the data',
    );
  });
});

describe('phase plan', () => {
  const file = ProcedureFileSchema.parse({
    id: 'p',
    name: 'P',
    version: '1',
    phases: [
      { name: 'cleanup', group: 'teardown' },
      {
        name: 'rail',
        params: { settle: 5, rail: 'x' },
        nameParams: ['rail'],
        measurements: [{ name: 'v', units: 'V' }],
        instances: [{ params: { rail: '3V3', ch: 1 }, measurements: [{ name: 'v', units: 'V', lower: 3.2, upper: 3.4 }] }, { params: { rail: '5V0', ch: 2 } }],
      },
      { name: 'off', enabled: false },
      { name: 'init', group: 'setup' },
    ],
  });
  test('setup, main, teardown order; disabled phases left out; instances named by nameParams', () => {
    expect(planPhases(file).map((p) => p.name)).toEqual(['init', 'rail[rail=3V3]', 'rail[rail=5V0]', 'cleanup']);
  });
  test('instance params merge over the phase params; limits per instance', () => {
    const [, a, b] = planPhases(file);
    expect(a!.params).toEqual({ settle: 5, rail: '3V3', ch: 1 });
    expect(a!.measurements.get('v')!.validator).toMatchObject({ kind: 'range', lower: 3.2, upper: 3.4 });
    expect(b!.measurements.get('v')!.validator).toBeUndefined();
  });
  test('--param overrides: a bare key reaches every phase that has it, phase.key one phase', () => {
    const plan = planPhases(file, {}, { settle: 50, 'rail[rail=5V0].ch': 7, unknown: 1 });
    expect(plan[1]!.params).toEqual({ settle: 50, rail: '3V3', ch: 1 });
    expect(plan[2]!.params).toEqual({ settle: 50, rail: '5V0', ch: 7 });
    expect(plan[0]!.params).toEqual({});
  });
  test('an instance overriding an undeclared measurement is refused', () => {
    const r = ProcedureFileSchema.safeParse({
      id: 'p',
      name: 'P',
      version: '1',
      phases: [{ name: 'a', instances: [{ params: { x: 1 }, measurements: [{ name: 'nope' }] }] }],
    });
    expect(r.error?.issues[0]).toMatchObject({
      path: ['phases', 0, 'instances', 0, 'measurements', 0, 'name'],
      message: '"nope" is not declared in the phase\'s measurements',
    });
  });
});

describe('runIf expressions', () => {
  const env = {
    passed: (n: string) => n === 'power_on',
    failed: (n: string) => n === 'flash',
    measurement: (n: string) => (n === 'v' ? 3.3 : undefined),
    params: { variant: 'B' },
    unit: { serialNumber: 'SN-1' },
  };
  test.each([
    ["passed('power_on')", true],
    ["passed('flash')", false],
    ["failed('flash') && params.variant === 'B'", true],
    ["measurement('v') > 3.25", true],
    ["unit.serialNumber.startsWith('SN')", true],
  ])('%s → %s', (expr, expected) => {
    expect(compileCondition(expr)(env)).toBe(expected);
  });
  test('a syntax error is thrown at compile time', () => {
    expect(() => compileCondition("passed('x' &&")).toThrow(SyntaxError);
  });
});

describe('prompt answers', () => {
  const p = (extra: Partial<Prompt>): Prompt => ({ id: '1', kind: 'confirm', message: 'm', phase: 'x', ...extra });
  test.each<[Partial<Prompt>, unknown, string | null]>([
    [{ kind: 'confirm' }, true, null],
    [{ kind: 'confirm' }, false, 'this question is confirmed with OK'],
    [{ kind: 'yes-no' }, false, null],
    [{ kind: 'yes-no' }, 'yes', 'this question takes Yes or No'],
    [{ kind: 'text', pattern: '^LBL-\\d+$' }, 'LBL-12', null],
    [{ kind: 'text', pattern: '^LBL-\\d+$' }, 'LBL-x', '"LBL-x" does not have the expected form'],
    [{ kind: 'text', minLength: 3 }, 'ab', 'at least 3 characters'],
    [{ kind: 'text' }, '   ', 'type an answer'],
    [{ kind: 'number', min: 0, max: 10, units: 'mV' }, 11, 'at most 10 mV'],
    [{ kind: 'number' }, Number.NaN, 'enter a number'],
    [{ kind: 'choice', options: ['a', 'b'] }, 'c', 'choose one of a, b'],
    [{ kind: 'multi-choice', options: ['a', 'b'] }, ['a', 'b'], null],
    [{ kind: 'multi-choice', options: ['a', 'b'] }, ['z'], 'choose from a, b'],
  ])('%j answered %j → %s', (prompt, answer, problem) => {
    expect(checkAnswer(p(prompt), answer as never)).toBe(problem);
  });
});
