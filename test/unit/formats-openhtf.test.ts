/**
 * OpenHTF JSON test records: both real records in ../shared/reference/openhtf import
 * with every phase and measurement; our export has the structure of those records
 * and reads back to the same run.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import type { RunRecord } from '#contract/records.ts';
import { fromOpenHtf, parseOpenHtf, parseValidatorText, toOpenHtf, validatorText } from '#station/formats/openhtf.ts';
import { fullRun } from '../helpers/run-records.ts';

const REF = new URL('../../../shared/reference/openhtf/', import.meta.url);
const FILES = ['PCB01A69658.openhtf_test.2025-01-20_15-32-06-058.json', 'test_result.json'];

type Obj = Record<string, unknown>;
const read = (name: string) => readFileSync(new URL(name, REF), 'utf8');

describe('importing the reference OpenHTF records', () => {
  test.each(FILES)('%s: every phase and measurement, with values, outcomes, units and limits', (name) => {
    const text = read(name);
    const raw = JSON.parse(text) as Obj & { phases: (Obj & { measurements: Record<string, Obj> })[]; log_records: unknown[] };
    const rec = parseOpenHtf(text);
    expect(rec.unit.serialNumber).toBe(raw.dut_id);
    expect(rec.stationId).toBe(raw.station_id);
    expect(rec.outcome).toBe('PASS');
    expect(Date.parse(rec.startedAt)).toBe(raw.start_time_millis);
    expect(Date.parse(rec.endedAt!)).toBe(raw.end_time_millis);
    expect(rec.phases.map((p) => [p.name, p.outcome, Date.parse(p.startedAt), Date.parse(p.endedAt)])).toEqual(
      raw.phases.map((p) => [p.name, p.outcome, p.start_time_millis, p.end_time_millis]),
    );
    rec.phases.forEach((p, i) => {
      const ms = Object.values(raw.phases[i]!.measurements);
      expect(p.measurements.map((m) => [m.name, m.value, m.outcome])).toEqual(ms.map((m) => [m.name, m.measured_value ?? null, m.outcome]));
      p.measurements.forEach((m, k) => {
        const units = ms[k]!.units as { suffix: string } | undefined;
        expect(m.units).toBe(units?.suffix);
        // Each limit text maps to a validator that prints back to the same text.
        const texts = ms[k]!.validators as string[] | undefined;
        if (texts?.length === 1) expect(validatorText(m.validator!)).toBe(texts[0]);
      });
    });
    // Every test-level log record lands in a phase.
    const logs = rec.phases.flatMap((p) => p.logs).filter((l) => !l.message.startsWith('attachment '));
    expect(logs).toHaveLength(raw.log_records.length);
  });

  test('limits become real validators', () => {
    const rec = parseOpenHtf(read(FILES[0]!));
    const byName = new Map(rec.phases.flatMap((p) => p.measurements).map((m) => [m.name, m]));
    expect(byName.get('input_voltage')).toMatchObject({ value: 4.83, units: 'V', outcome: 'PASS', validator: { kind: 'range', lower: 4.5, upper: 5 } });
    expect(byName.get('current_protection_triggered')!.validator).toEqual({ kind: 'range', upper: 1.5 });
    expect(byName.get('numeric2')!.validator).toEqual({ kind: 'range', lower: 95 });
    expect(byName.get('led_status')!.validator).toEqual({ kind: 'equals', value: true, caseSensitive: true });
    expect(byName.get('firmware_version')!.validator).toEqual({ kind: 'regex', pattern: '^1\\.4\\.3$' });
    expect(rec.procedure).toMatchObject({ id: 'FVT4', name: 'Battery Assembly Testing' });
    expect(rec.unit).toEqual({ serialNumber: 'PCB01A69658', partNumber: 'BAT1', revision: '3.2', batch: '11-24' });
  });

  test('an inline attachment is named in its phase log (Passline keeps no attachment files yet)', () => {
    const rec = parseOpenHtf(read(FILES[1]!));
    const phase = rec.phases.find((p) => p.name === 'phase_file_attachment')!;
    expect(phase.logs.map((l) => l.message)).toContain(
      'attachment "sample_file.txt" (text/plain, 28 bytes, sha1 fc61f255e9566c2bd2e8d5e80072ee5eb5296542) was in the OpenHTF record; Passline keeps no attachment files yet',
    );
  });

  test('the same file imports under the same id (a repeated import finds it stored)', () => {
    expect(parseOpenHtf(read(FILES[1]!)).id).toBe(parseOpenHtf(read(FILES[1]!)).id);
    expect(parseOpenHtf(read(FILES[1]!)).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('what is not an OpenHTF record is refused with the reason', () => {
    expect(() => parseOpenHtf('{"dut_id": "x"}')).toThrow('OpenHTF import: "phases" is missing or not a list: this is not an OpenHTF test record');
    expect(() => parseOpenHtf('[1,2')).toThrow(/OpenHTF import: the file is not JSON/);
    expect(() => fromOpenHtf({ phases: [] })).toThrow('OpenHTF import: "start_time_millis" is missing or not a number');
  });
});

describe('exporting to OpenHTF', () => {
  test('has the structure of the reference records: same keys, same order, same types', () => {
    const ref = JSON.parse(read(FILES[0]!)) as Obj & { phases: Obj[] };
    const out = toOpenHtf(fullRun('FAIL')) as Obj & { phases: (Obj & { measurements: Record<string, Obj> })[]; log_records: Obj[] };
    expect(Object.keys(out)).toEqual(Object.keys(ref));
    for (const p of out.phases) expect(Object.keys(p)).toEqual(Object.keys(ref.phases[0]!));
    for (const k of Object.keys(ref)) expect(typeOf(out[k])).toBe(typeOf(ref[k]));
    expect(Object.keys(out.phases[0]!.options as Obj)).toEqual(Object.keys(ref.phases[0]!.options as Obj));
    const refLog = (ref.log_records as Obj[])[0]!;
    for (const l of out.log_records) expect(Object.keys(l)).toEqual(Object.keys(refLog));
    const v = out.phases[1]!.measurements.v_3v3!;
    expect(v).toEqual({
      name: 'v_3v3',
      outcome: 'FAIL',
      validators: ['3.2 <= Marginal:3.22 <= x <= Marginal:3.38 < 3.4'],
      units: { name: 'volt', code: 'VLT', suffix: 'V' },
      measured_value: 3.05,
    });
    expect(out.outcome).toBe('FAIL');
  });

  test.each(['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const)('a %s run reads back with its phases and measurements', (outcome) => {
    const rec = fullRun(outcome);
    const back = fromOpenHtf(JSON.parse(JSON.stringify(toOpenHtf(rec))));
    expect(back.id).toBe(rec.id);
    expect(back.outcome).toBe(outcome);
    expect(back.outcomeReason).toBe(rec.outcomeReason);
    expect(back.unit).toEqual(rec.unit);
    expect(back.procedure).toEqual(rec.procedure);
    expect(back.operatorId).toBe(rec.operatorId);
    expect(back.phases.map((p) => [p.name, p.attempt, p.startedAt, p.endedAt])).toEqual(rec.phases.map((p) => [p.name, p.attempt, p.startedAt, p.endedAt]));
    back.phases.forEach((p, i) => {
      const orig = rec.phases[i]!;
      // ABORTED is not an OpenHTF phase outcome: it reads back as ERROR.
      expect(p.outcome).toBe(orig.outcome === 'ABORTED' ? 'ERROR' : orig.outcome);
      expect(p.measurements.map((m) => [m.name, m.value, m.units ?? m.dimensions?.at(-1)?.units])).toEqual(
        orig.measurements.map((m) => [m.name, m.value, m.units ?? m.dimensions?.at(-1)?.units]),
      );
      expect(p.logs.map((l) => [l.level, l.ts, l.message])).toEqual(orig.logs.map((l) => [l.level, l.ts, l.message]));
    });
    const flat = (r: RunRecord) => r.phases.flatMap((p) => p.measurements);
    // Limits survive where OpenHTF can say them.
    expect(flat(back).find((m) => m.name === 'v_3v3')!.validator).toEqual(flat(rec).find((m) => m.name === 'v_3v3')!.validator);
    expect(flat(back).find((m) => m.name === 'firmware')!.validator).toEqual({ kind: 'regex', pattern: '^1\\.4\\.\\d+$' });
  });
});

test.each([
  '4.5 <= x <= 5',
  'x <= 1.5',
  '95 <= x',
  'x == True',
  "'x' matches /^1\\.4\\.3$/",
  '3.2 <= Marginal:3.22 <= x <= Marginal:3.38 <= 3.4',
  "'x' is equal to 'ok'",
  "'x' is within 0.1% of 10.",
  '1e-05 <= x <= 0.001',
])('validator text %s reads and prints back the same', (text) => {
  expect(validatorText(parseValidatorText(text))).toBe(text);
});

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

describe('Passline → OpenHTF → Passline', () => {
  /** What OpenHTF cannot say: a log line's column (its record has file and line), fractions of a millisecond. */
  const withoutColumns = (r: RunRecord): RunRecord => ({
    ...r,
    phases: r.phases.map((p) => ({
      ...p,
      durationMs: Date.parse(p.endedAt) - Date.parse(p.startedAt),
      logs: p.logs.map((l) => (l.source ? { ...l, source: l.source.replace(/^(.*:\d+):\d+$/, '$1') } : l)),
    })),
  });

  test.each(['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const)('a %s run comes back field by field', (outcome) => {
    const rec = fullRun(outcome);
    rec.procedure.description = 'Board functional test';
    rec.phases[3]!.subtest = 'identity checks';
    rec.phases[3]!.measurements[0]!.docstring = 'Firmware version read over the debug port';
    rec.phases[3]!.measurements.push({ name: 'mode', value: 'Auto', validator: { kind: 'regex', pattern: '^auto$', flags: 'i' }, outcome: 'PASS' });
    const back = fromOpenHtf(JSON.parse(JSON.stringify(toOpenHtf(rec))));
    const want = withoutColumns(rec);
    // Field by field, so a difference names its place.
    expect({ ...back, phases: [] }).toEqual({ ...want, phases: [] });
    expect(back.phases).toHaveLength(want.phases.length);
    back.phases.forEach((p, i) => {
      const w = want.phases[i]!;
      expect({ ...p, measurements: [] }, `phase ${i} ${w.name}`).toEqual({ ...w, measurements: [] });
      p.measurements.forEach((m, k) => expect(m, `phase ${i} ${w.name}, measurement ${w.measurements[k]!.name}`).toEqual(w.measurements[k]));
    });
  });

  test('OpenHTF sees its own vocabulary: CONTINUE for a failed phase, SKIPPED measurements, failure codes in outcome details', () => {
    const out = toOpenHtf(fullRun('FAIL')) as Obj & { phases: (Obj & { measurements: Record<string, Obj> })[]; outcome_details: Obj[]; metadata: Obj };
    const failed = out.phases[1]!;
    expect(failed).toMatchObject({ outcome: 'FAIL', result: { phase_result: 'CONTINUE' } });
    expect(out.phases[3]!.measurements.optional_probe!.outcome).toBe('SKIPPED');
    expect(out.outcome_details.map((d) => d.code)).toEqual(expect.arrayContaining(['LOW_3V3', 'RAIL_3V3']));
    expect(out.phases[4]!.measurements.gain_vs_freq!.validators).toEqual(['All values pass: 18 <= x <= 22', 'min of values: 19 <= x']);
    expect(out.metadata.test_version).toBe(fullRun('FAIL').procedure.version);
  });

  test('the files the procedure hash covers go in metadata.passline.procedure_files and come back whole, or not at all', () => {
    const rec = fullRun('PASS');
    const out = toOpenHtf(rec) as Obj & { metadata: Obj & { passline: Obj } };
    expect(out.metadata.procedure_hash).toBe(rec.procedure.hash);
    expect(out.metadata.passline.procedure_files).toEqual(rec.procedure.files);
    expect(fromOpenHtf(JSON.parse(JSON.stringify(out))).procedure.files).toEqual(rec.procedure.files);
    // A list with a damaged entry would name the wrong version: it is left out, the run still reads.
    const damaged = JSON.parse(JSON.stringify(out)) as typeof out;
    (damaged.metadata.passline.procedure_files as Obj[])[1]!.sha256 = 'not a hash';
    const back = fromOpenHtf(damaged);
    expect(back.procedure.hash).toBe(rec.procedure.hash);
    expect('files' in back.procedure).toBe(false);
    // A run without a list (recorded before Passline kept one) writes none.
    const { files: _files, ...older } = rec.procedure;
    expect((toOpenHtf({ ...rec, procedure: older }) as { metadata: { passline?: Obj } }).metadata.passline).not.toHaveProperty('procedure_files');
  });
});

describe('OpenHTF records from before mid-2017 (no phase outcome, only result.phase_result)', () => {
  const old = JSON.parse(readFileSync(new URL('../fixtures/openhtf/pre-2017-record.json', import.meta.url), 'utf8')) as Obj;

  test('phase outcomes are derived as OpenHTF derived them: CONTINUE passes unless a measurement failed', () => {
    const rec = fromOpenHtf(old);
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['trigger_phase', 'PASS'],
      ['hello_world', 'FAIL'],
      ['set_measurements', 'PASS'],
      ['skipped_one', 'SKIP'],
      ['stop_here', 'ERROR'],
    ]);
    expect(rec.phases.every((p) => p.error === undefined || p.outcome === 'ERROR')).toBe(true);
    expect(rec.phases[4]!.error!.message).toBe('the phase stopped the test (PhaseResult.STOP)');
    expect(rec.outcome).toBe('FAIL');
    expect(rec.procedure).toMatchObject({ name: 'MyTest', version: '1.0.0', description: 'OpenHTF Example Test' });
    expect(rec.phases[1]!.measurements.find((m) => m.name === 'widget_color')!.docstring).toBe('Color of the widget');
  });

  test('a pre-2017 run whose measurements all passed is a PASS, every phase PASS', () => {
    const passing = structuredClone(old) as Obj & { phases: Obj[] };
    passing.phases = passing.phases.slice(0, 3);
    const hello = passing.phases[1] as { measurements: Record<string, Obj> };
    hello.measurements.widget_type!.outcome = 'PASS';
    delete hello.measurements.unset_meas;
    delete passing.outcome;
    const rec = fromOpenHtf(passing);
    expect(rec.phases.map((p) => p.outcome)).toEqual(['PASS', 'PASS', 'PASS']);
    expect(rec.outcome).toBe('PASS');
  });

  test('an unset measurement fails its phase unless the test allowed unset measurements', () => {
    const allowed = structuredClone(old) as Obj & { metadata: { config: Obj }; phases: Obj[] };
    allowed.metadata.config.allow_unset_measurements = true;
    (allowed.phases[1] as { measurements: Record<string, Obj> }).measurements.widget_type!.outcome = 'PASS';
    expect(fromOpenHtf(allowed).phases[1]!.outcome).toBe('PASS');
  });
});

test.each(["'x' is in ['A', 'B']", "'x' is in [2, 4, 8]", "'x' is in ['on', True, 3.5] (any case)", "'x' is equal to 'acme' (any case)", "'x' matches /^a/i"])(
  'validator text %s reads back as the same validator, not custom',
  (text) => {
    const v = parseValidatorText(text);
    expect(v.kind).not.toBe('custom');
    expect(validatorText(v)).toBe(text);
  },
);
