/**
 * An empty or broken measurement is a result, not an internal error: every kind of
 * measurement with no data, one point, NaN and Infinity, taken by phase code in a real
 * runner, ends in the stored record with a value JSON can carry, an outcome and a reason in
 * words; no phase ends ERROR because the station refused what the runner sent.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Measurement, RunRecord } from '#contract/records.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';

let t: TestStation;
let rec: RunRecord;
const by = (name: string): Measurement => rec.phases.flatMap((p) => p.measurements).find((m) => m.name === name)!;

beforeAll(async () => {
  t = await openTestStation({ procedureId: 'edge-values' });
  const runId = await t.start('EDGE-1');
  await t.ended(runId);
  rec = await t.record(runId);
}, 30_000);
afterAll(() => t?.close());

test('no phase ends ERROR: the station took every measurement the runner sent', () => {
  expect(rec.phases.map((p) => [p.name, p.outcome, p.error?.message])).toEqual([
    ['series_cases', 'FAIL', undefined],
    ['number_cases', 'FAIL', undefined],
    ['other_cases', 'FAIL', undefined],
  ]);
  expect(rec.outcome).toBe('FAIL');
});

test('an empty series is recorded as such: no points, count 0, fails its limits with "no points measured"', () => {
  expect(by('sweep_empty')).toMatchObject({ value: [], aggregates: { count: 0 }, outcome: 'FAIL', reason: 'no points measured' });
  expect(by('sweep_empty').aggregates).toEqual({ count: 0 });
  expect(by('sweep_empty_nolimits')).toMatchObject({ value: [], aggregates: { count: 0 }, outcome: 'PASS', reason: 'no points measured' });
  expect(by('collected_empty')).toMatchObject({ value: [], outcome: 'FAIL', reason: 'no points measured' });
});

test('one point is a series with its aggregates', () => {
  expect(by('sweep_one')).toMatchObject({ value: [[100, 2.5]], outcome: 'PASS', aggregates: { min: 2.5, max: 2.5, mean: 2.5, std: 0, count: 1 } });
});

test('NaN and Infinity: no value kept (JSON has none), FAIL, and the reason says which', () => {
  expect(by('sweep_nan')).toMatchObject({ value: null, outcome: 'FAIL', reason: 'point 1 holds NaN, not a finite number' });
  expect(by('sweep_inf')).toMatchObject({ value: null, outcome: 'FAIL', reason: 'point 0 holds Infinity, not a finite number' });
  expect(by('n_nan')).toMatchObject({ value: null, outcome: 'FAIL', reason: 'not a number (NaN)' });
  expect(by('n_inf')).toMatchObject({ value: null, outcome: 'FAIL', reason: 'Infinity is not a finite number' });
  expect(by('n_minus_inf')).toMatchObject({ value: null, outcome: 'FAIL', reason: '-Infinity is not a finite number' });
});

test('a scalar with no value fails "no value"; one value is judged by its limits', () => {
  expect(by('n_one')).toMatchObject({ value: 1, outcome: 'PASS' });
  expect(by('n_missing')).toMatchObject({ value: null, outcome: 'FAIL', reason: 'no value' });
  expect(by('b_missing')).toMatchObject({ value: null, outcome: 'FAIL', reason: 'no value' });
  expect(by('s_empty')).toMatchObject({ value: '', outcome: 'FAIL' });
  expect(by('s_one')).toMatchObject({ value: 'x', outcome: 'PASS' });
  expect(by('b_true')).toMatchObject({ value: true, outcome: 'PASS' });
});

test('a value no record can hold is checked in the runner and recorded as a FAIL saying why', () => {
  expect(by('an_object')).toMatchObject({ value: null, outcome: 'FAIL' });
  expect(by('an_object').reason).toMatch(/^the measurement could not be recorded: value/);
});
