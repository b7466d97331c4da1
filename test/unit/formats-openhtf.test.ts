/**
 * OpenHTF JSON test records: both real records in ../shared/reference/openhtf import
 * with every phase and measurement; our export has the structure of those records
 * and reads back to the same run.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunRecord } from '#contract/records.ts';
import { fromOpenHtf, parseOpenHtf, parseValidatorText, toOpenHtf, validatorText } from '#station/formats/openhtf.ts';
import { importedBytes } from '#station/formats/attachment-bytes.ts';
import { AttachmentStore } from '#station/store/attachments.ts';
import { fullRun, withAttachments } from '../helpers/run-records.ts';
import { tempDir } from '../helpers/paths.ts';

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
    expect(rec.phases.flatMap((p) => p.logs)).toHaveLength(raw.log_records.length);
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

  test('an inline attachment becomes an attachment of its phase: bytes decoded, sha1 checked, sha256 computed', () => {
    const raw = JSON.parse(read(FILES[1]!)) as { phases: { name: string; attachments: Record<string, { mimetype: string; sha1: string; data: string }> }[] };
    const inline = raw.phases.find((p) => p.name === 'phase_file_attachment')!.attachments['sample_file.txt']!;
    const files = importedBytes();
    const rec = parseOpenHtf(read(FILES[1]!), files);
    const phase = rec.phases.find((p) => p.name === 'phase_file_attachment')!;
    const bytes = Buffer.from(inline.data, 'base64');
    expect(createHash('sha1').update(bytes).digest('hex')).toBe(inline.sha1);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(phase.attachments).toEqual([{ name: 'sample_file.txt', mediaType: 'text/plain', size: 28, sha256 }]);
    expect(files.bytes.get(sha256)).toEqual(bytes);
    expect(bytes.toString('utf8')).toBe('OpenHTF + TofuPilot = ❤️');
    expect(files.warnings).toEqual([]);
    // Nothing about it in the log any more: it is kept.
    expect(phase.logs.filter((l) => l.message.includes('attachment "'))).toEqual([]);
  });

  test('an attachment whose bytes do not match its sha1 is refused, named in the phase log and the warnings; the rest imports', () => {
    const raw = JSON.parse(read(FILES[1]!)) as { phases: { name: string; attachments: Record<string, Obj> }[] };
    const p = raw.phases.find((x) => x.name === 'phase_file_attachment')!;
    p.attachments['sample_file.txt']!.data = Buffer.from('OpenHTF + TofuPilot = :(').toString('base64');
    p.attachments['no_bytes.bin'] = { mimetype: 'application/octet-stream', sha1: '0'.repeat(40) };
    p.attachments['not_base64.txt'] = { mimetype: 'text/plain', data: 'not base64!' };
    const files = importedBytes();
    const rec = fromOpenHtf(raw, undefined, files);
    const phase = rec.phases.find((x) => x.name === 'phase_file_attachment')!;
    expect(phase.attachments).toBeUndefined();
    expect(files.bytes.size).toBe(0);
    const sha1 = createHash('sha1').update('OpenHTF + TofuPilot = :(').digest('hex');
    const want = [
      `attachment "sample_file.txt" (text/plain, sha1 fc61f255e9566c2bd2e8d5e80072ee5eb5296542) refused: its bytes do not match the record's sha1 (fc61f255e9566c2bd2e8d5e80072ee5eb5296542; the bytes give ${sha1})`,
      `attachment "no_bytes.bin" (application/octet-stream, sha1 ${'0'.repeat(40)}) is in the OpenHTF record without its bytes (written with inline_attachments=False): not kept`,
      'attachment "not_base64.txt" (text/plain) refused: its data is not base64',
    ];
    expect(phase.logs.filter((l) => l.message.startsWith('attachment ')).map((l) => [l.level, l.message])).toEqual(want.map((m) => ['warning', m]));
    expect(files.warnings).toEqual(want.map((m) => `phase phase_file_attachment: ${m}`));
    expect(rec.phases).toHaveLength(raw.phases.length);
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

describe('attachments in the OpenHTF export', () => {
  const t = tempDir('passline-openhtf-files-');
  afterAll(t.remove);
  const store = new AttachmentStore(t.dir);

  test("inline as OpenHTF writes them: {mimetype, sha1, data} in the reference record's key order, the bytes whole", () => {
    const rec = fullRun('PASS');
    const bytes = withAttachments(rec, store);
    const ref = JSON.parse(read(FILES[1]!)) as { phases: { attachments: Record<string, Obj> }[] };
    const refKeys = Object.keys(Object.values(ref.phases[2]!.attachments)[0]!);
    const out = toOpenHtf(rec, store) as { phases: { attachments: Record<string, { mimetype: string; sha1: string; data: string }> }[]; metadata: Obj };
    expect(Object.keys(out.phases[1]!.attachments)).toEqual(['scope.png', 'ramp.csv']);
    // Two files of one name in a phase: the second is keyed ramp_2.csv style.
    expect(Object.keys(out.phases[6]!.attachments)).toEqual(['notes.txt', 'notes_2.txt']);
    for (const p of out.phases)
      for (const a of Object.values(p.attachments)) {
        expect(Object.keys(a)).toEqual(refKeys);
        const b = Buffer.from(a.data, 'base64');
        expect(a.sha1).toBe(createHash('sha1').update(b).digest('hex'));
        expect(bytes.get(createHash('sha256').update(b).digest('hex'))).toEqual(b);
      }
  });

  test('without the files, or for a file the station lacks, the bytes are left out and the record says so by name', () => {
    const rec = fullRun('PASS');
    withAttachments(rec, store);
    const none = toOpenHtf(rec) as { phases: { attachments: Obj }[]; metadata: { passline: { phases: { attachments?: Obj[] }[] } } };
    expect(none.phases.map((p) => Object.keys(p.attachments).length)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(none.metadata.passline.phases[1]!.attachments).toEqual([
      { name: 'scope.png', media_type: 'image/png', size: 308, sha256: rec.phases[1]!.attachments![0]!.sha256, left_out: 'not included in this export' },
      { name: 'ramp.csv', media_type: 'text/csv', size: 38, sha256: rec.phases[1]!.attachments![1]!.sha256, left_out: 'not included in this export' },
    ]);
    const missing = 'd'.repeat(64);
    rec.phases[0]!.attachments = [{ name: 'gone.bin', mediaType: 'application/octet-stream', size: 3, sha256: missing }];
    const some = toOpenHtf(rec, store) as typeof none;
    expect(some.phases[0]!.attachments).toEqual({});
    expect(some.metadata.passline.phases[0]!.attachments).toEqual([
      { name: 'gone.bin', media_type: 'application/octet-stream', size: 3, sha256: missing, left_out: `no attachment ${missing} on this station` },
    ]);
    expect(Object.keys(some.phases[1]!.attachments)).toEqual(['scope.png', 'ramp.csv']);
    // Read back: listed as the run had them, no bytes for them, and the reason kept for the import to tell.
    const files = importedBytes();
    const back = fromOpenHtf(JSON.parse(JSON.stringify(some)), undefined, files);
    expect(back.phases[0]!.attachments).toEqual(rec.phases[0]!.attachments);
    expect(files.bytes.has(missing)).toBe(false);
    expect(files.leftOut.get(missing)).toBe(`no attachment ${missing} on this station`);
  });

  test('bytes that do not match the sha256 Passline listed are refused, naming the file; the listing stays', () => {
    const rec = fullRun('PASS');
    withAttachments(rec, store);
    const out = toOpenHtf(rec, store) as { phases: { attachments: Record<string, { sha1: string; data: string }> }[] };
    // Bytes and sha1 changed together: only Passline's sha256 catches it.
    const forged = Buffer.from('not the scope trace');
    out.phases[1]!.attachments['scope.png'] = {
      ...out.phases[1]!.attachments['scope.png']!,
      data: forged.toString('base64'),
      sha1: createHash('sha1').update(forged).digest('hex'),
    };
    const files = importedBytes();
    const back = fromOpenHtf(JSON.parse(JSON.stringify(out)), undefined, files);
    const sha = rec.phases[1]!.attachments![0]!.sha256;
    expect(back.phases[1]!.attachments).toEqual(rec.phases[1]!.attachments);
    expect(files.refused.has(sha)).toBe(true);
    expect(files.bytes.has(sha)).toBe(false);
    expect(files.warnings).toEqual([
      `phase rail_voltage[rail=3V3]: attachment "scope.png" refused: its bytes do not match the sha256 Passline listed (${sha}; the bytes give ${createHash('sha256').update(forged).digest('hex')})`,
    ]);
  });
});

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

  const t = tempDir('passline-openhtf-roundtrip-');
  afterAll(t.remove);
  const store = new AttachmentStore(t.dir);

  test.each(['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const)('a %s run comes back field by field, its attachments with their bytes', (outcome) => {
    const rec = fullRun(outcome);
    const sent = withAttachments(rec, store);
    rec.procedure.description = 'Board functional test';
    rec.phases[3]!.subtest = 'identity checks';
    rec.phases[3]!.measurements[0]!.docstring = 'Firmware version read over the debug port';
    rec.phases[3]!.measurements.push({ name: 'mode', value: 'Auto', validator: { kind: 'regex', pattern: '^auto$', flags: 'i' }, outcome: 'PASS' });
    const files = importedBytes();
    const back = fromOpenHtf(JSON.parse(JSON.stringify(toOpenHtf(rec, store))), undefined, files);
    const want = withoutColumns(rec);
    // Field by field, so a difference names its place.
    expect({ ...back, phases: [] }).toEqual({ ...want, phases: [] });
    expect(back.phases).toHaveLength(want.phases.length);
    back.phases.forEach((p, i) => {
      const w = want.phases[i]!;
      expect({ ...p, measurements: [] }, `phase ${i} ${w.name}`).toEqual({ ...w, measurements: [] });
      p.measurements.forEach((m, k) => expect(m, `phase ${i} ${w.name}, measurement ${w.measurements[k]!.name}`).toEqual(w.measurements[k]));
    });
    // The receiver's side: every file arrived, its bytes giving the sha256 the record lists.
    expect(files.warnings).toEqual([]);
    expect([...files.bytes.keys()].sort()).toEqual([...sent.keys()].sort());
    for (const [sha, b] of files.bytes) {
      expect(createHash('sha256').update(b).digest('hex')).toBe(sha);
      expect(b).toEqual(sent.get(sha));
    }
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
