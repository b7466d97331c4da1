/**
 * The TofuPilot v2 create-run body, held to their client's request models field by field
 * (test/helpers/tofupilot-models.ts, strict), and to what each field must mean there.
 */
import { describe, expect, test } from 'vitest';
import type { RunRecord } from '#contract/records.ts';
import { toTofuPilotRun } from '#station/formats/tofupilot.ts';
import { TpRunCreate, type TpRunCreate as TpRun } from '../helpers/tofupilot-models.ts';
import { fullRun } from '../helpers/run-records.ts';

const PROC = '0b6c1f7e-4b0a-4f0e-9a55-6d1f2f0a1b2c';

function body(rec: RunRecord, partNumber?: string): TpRun {
  const out = toTofuPilotRun(rec, PROC, partNumber);
  const checked = TpRunCreate.safeParse(out);
  if (!checked.success) throw new Error(`not a TofuPilot RunCreateRequest: ${JSON.stringify(checked.error.issues, null, 1)}`);
  return checked.data;
}

const measurement = (b: TpRun, phase: string, name: string, attempt = 0) =>
  b.phases!.find((p) => p.name === phase && (p.retry_count ?? 0) === attempt)!.measurements!.find((m) => m.name === name)!;

describe('TofuPilot create-run body', () => {
  test('every field of a full run is one their request models have, of their type', () => {
    for (const outcome of ['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const) expect(() => body(fullRun(outcome))).not.toThrow();
  });

  test('a retried phase is sent once per attempt, with a zero-based retry_count', () => {
    const b = body(fullRun());
    const attempts = b.phases!.filter((p) => p.name === 'rail_voltage[rail=3V3]');
    expect(attempts.map((p) => [p.retry_count, p.outcome])).toEqual([
      [0, 'FAIL'],
      [1, 'PASS'],
    ]);
    expect(b.phases!.find((p) => p.name === 'identity')!.retry_count).toBe(0);
  });

  test('a tolerance is a band around the nominal, never == the nominal', () => {
    const m = measurement(body(fullRun()), 'identity', 'ref_10v');
    expect(m.measured_value).toBe(10.002);
    expect(m.outcome).toBe('PASS');
    const ops = m.validators!.map((v) => [v.operator, v.expected_value]);
    expect(ops).toEqual([
      ['>=', 9.99],
      ['<=', 10.01],
    ]);
    // The value TofuPilot would check, checked by their operators: inside the band.
    expect(10.002 >= (ops[0]![1] as number) && 10.002 <= (ops[1]![1] as number)).toBe(true);
    expect(m.validators!.every((v) => v.operator !== '==')).toBe(true);
  });

  test('an absolute and a ppm tolerance become the same kind of band', () => {
    const rec = fullRun('PASS');
    const identity = rec.phases.find((p) => p.name === 'identity')!;
    identity.measurements = [
      { name: 'abs', value: 5.04, validator: { kind: 'equals', value: 5, caseSensitive: true, tolerance: { abs: 0.05 } }, outcome: 'PASS' },
      { name: 'ppm', value: 10.00001, validator: { kind: 'equals', value: 10, caseSensitive: true, tolerance: { ppm: 2 } }, outcome: 'PASS' },
    ];
    const b = body(rec);
    expect(measurement(b, 'identity', 'abs').validators!.map((v) => v.expected_value)).toEqual([4.95, 5.05]);
    const ppm = measurement(b, 'identity', 'ppm').validators!.map((v) => v.expected_value as number);
    expect(ppm[0]).toBeCloseTo(9.99998, 9);
    expect(ppm[1]).toBeCloseTo(10.00002, 9);
  });

  test('a series goes as x_axis and y_axis with the point limits and aggregations on the value axis, not as flat rows', () => {
    const m = measurement(body(fullRun()), 'sweep', 'gain_vs_freq');
    expect(m.measured_value).toBeUndefined();
    expect(m.x_axis).toEqual({ data: [100, 1000, 10000], units: 'Hz', description: 'frequency' });
    expect(m.y_axis).toHaveLength(1);
    const y = m.y_axis![0]!;
    expect(y).toMatchObject({ data: [20.1, 20.0, 19.4], units: 'dB', description: 'gain' });
    expect(y.validators!.map((v) => [v.operator, v.expected_value])).toEqual([
      ['>=', 18],
      ['<=', 22],
    ]);
    const min = y.aggregations!.find((a) => a.type === 'min')!;
    expect(min).toMatchObject({ value: 19.4, outcome: 'PASS', validators: [{ operator: '>=', expected_value: 19 }] });
    expect(y.aggregations!.find((a) => a.type === 'avg')!.value).toBeCloseTo(19.8333, 3);
  });

  test('a one-column series numbers its samples on x', () => {
    const rec = fullRun('PASS');
    rec.phases.find((p) => p.name === 'sweep')!.measurements = [
      { name: 'ripple_trace', value: [[0.01], [0.02], [0.015]], dimensions: [{ name: 'ripple', units: 'V' }], outcome: 'PASS' },
    ];
    const m = measurement(body(rec), 'sweep', 'ripple_trace');
    expect(m.x_axis).toEqual({ data: [0, 1, 2], description: 'sample' });
    expect(m.y_axis).toEqual([{ data: [0.01, 0.02, 0.015], units: 'V', description: 'ripple' }]);
  });

  test('part_number: the run’s own, else the target’s, else absent', () => {
    const rec = fullRun('PASS');
    rec.unit.partNumber = 'PCB-7';
    expect(body(rec, 'FALLBACK').part_number).toBe('PCB-7');
    delete rec.unit.partNumber;
    expect(body(rec, 'FALLBACK').part_number).toBe('FALLBACK');
    expect(body(rec).part_number).toBeUndefined();
  });

  test('a phase’s error, failure code and group are in its docstring', () => {
    const b = body(fullRun());
    const failed = b.phases!.find((p) => p.name === 'rail_voltage[rail=3V3]' && p.retry_count === 0)!;
    expect(failed.docstring).toContain('failure code RAIL_3V3');
    expect(b.phases!.find((p) => p.name === 'power_on')!.docstring).toContain('setup phase');
  });
});
