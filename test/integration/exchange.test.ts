/**
 * Exchange formats through the station's commands, on real stations and real
 * SQLite files: native JSON export → import into another station → export is
 * byte-for-byte the same (lossless), ranges export as JSON lines, OpenHTF records
 * import into the history, and every run exports as valid OCP TV.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Attachment, NativeRun, RunRecord, RunSummary } from '#contract/records.ts';
import type { CommandOutput } from '#contract/commands.ts';
import { checkOcpStream } from '#station/formats/ocp-check.ts';
import { nativeJson, nativeLines, parseNative } from '#station/formats/native.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { loginAs } from '../helpers/people.ts';
import { FIXTURE_SEQUENCES, SHIPPED_SEQUENCES } from '../helpers/paths.ts';
import { fullRun } from '../helpers/run-records.ts';
import { schemaProblems } from '../helpers/ocp-schema.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

type Export = CommandOutput<'runs.export'>;

async function call<T>(ts: TestStation, name: string, input: unknown): Promise<T> {
  const r = await ts.station.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.kind}: ${r.error.message}`);
  return r.value as T;
}

const stations: TestStation[] = [];
afterAll(async () => {
  for (const s of stations) await s.close();
});

/** Runs on real procedures: limits, series, parameterised phases, an unset measurement, a throw, undeclared measurements, throws with their lines. */
const made: { ts: TestStation; runIds: string[] }[] = [];
/** Export and import are a supervisor's: each station of these tests is driven by one, logged in. */
async function openSupervised(opts: Parameters<typeof openTestStation>[0]): Promise<TestStation> {
  const ts = await openTestStation(opts);
  await loginAs((name, input) => ts.station.invoke(name, input), 'supervisor');
  return ts;
}

beforeAll(async () => {
  for (const [folder, procedureId, serials] of [
    [SHIPPED_SEQUENCES, 'example-limits', ['EX-11', 'EX-12']],
    [SHIPPED_SEQUENCES, 'example-series', ['EX-21']],
    [SHIPPED_SEQUENCES, 'example-parameterised', ['EX-31']],
    [FIXTURE_SEQUENCES, 'unset', ['UNSET-1']],
    [FIXTURE_SEQUENCES, 'throws', ['THROW-1']],
    [FIXTURE_SEQUENCES, 'undeclared', ['UND-1']],
    [FIXTURE_SEQUENCES, 'throws-where', ['THROW-2']],
  ] as const) {
    const ts = await openSupervised({ procedureId, sequenceFolder: folder });
    stations.push(ts);
    const runIds: string[] = [];
    for (const serial of serials) {
      const id = await ts.start(serial);
      await ts.ended(id, 30_000);
      runIds.push(id);
    }
    made.push({ ts, runIds });
  }
}, 120_000);

describe('native JSON', () => {
  test('export → import into another station → export: byte for byte the same, for every run', async () => {
    const target = await openSupervised({ procedureId: 'quick' });
    stations.push(target);
    let count = 0;
    for (const { ts, runIds } of made) {
      for (const runId of runIds) {
        const first = await call<Export>(ts, 'runs.export', { format: 'native', runId });
        expect(first.mediaType).toBe('application/json');
        expect(first.fileName).toMatch(new RegExp(`_${runId}\\.json$`));
        const imported = await call<{ imported: string[]; skipped: string[] }>(target, 'runs.import', { format: 'native', content: first.content });
        expect(imported).toEqual({ imported: [runId], skipped: [] });
        const again = await call<Export>(target, 'runs.export', { format: 'native', runId });
        expect(again.content).toBe(first.content);
        expect(await target.record(runId)).toEqual(await ts.record(runId));
        count++;
      }
    }
    expect(count).toBe(8);
  });

  test('a record using every field survives the store unchanged', async () => {
    const ts = await openSupervised({ procedureId: 'quick' });
    stations.push(ts);
    for (const outcome of ['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const) {
      const rec = fullRun(outcome);
      const text = nativeJson(rec);
      await call(ts, 'runs.import', { format: 'native', content: text });
      expect(await ts.record(rec.id)).toEqual(rec);
      expect((await call<Export>(ts, 'runs.export', { format: 'native', runId: rec.id })).content).toBe(text);
    }
  });

  test('the files of the procedure hash come back with the record; a record from before they were listed has none', async () => {
    const ts = await openSupervised({ procedureId: 'quick' });
    stations.push(ts);
    const rec = fullRun('PASS');
    expect(rec.procedure.files?.length).toBeGreaterThan(0);
    const { files: _files, ...procedure } = rec.procedure;
    const older = { ...fullRun('FAIL'), procedure };
    await call(ts, 'runs.import', { format: 'native', content: nativeLines([rec, older]) });
    expect((await ts.record(rec.id)).procedure.files).toEqual(rec.procedure.files);
    const back = parseNative((await call<Export>(ts, 'runs.export', { format: 'native', runId: older.id })).content)[0]!;
    expect(back.procedure).toEqual(procedure);
    expect('files' in back.procedure).toBe(false);
  });

  test('a range exports as JSON lines, imports whole, and a second import skips what is there', async () => {
    const source = made[0]!.ts;
    const ts = await openSupervised({ procedureId: 'quick' });
    stations.push(ts);
    const range = await call<Export>(source, 'runs.export', { format: 'native', from: '2000-01-01T00:00:00.000Z' });
    expect(range.count).toBe(2);
    expect(range.mediaType).toBe('application/x-ndjson');
    expect(range.content.trimEnd().split('\n')).toHaveLength(2);
    expect(parseNative(range.content).map((r) => r.unit.serialNumber)).toEqual(['EX-11', 'EX-12']);
    expect(await call(ts, 'runs.import', { format: 'native', content: range.content })).toEqual({ imported: made[0]!.runIds, skipped: [] });
    expect(await call(ts, 'runs.import', { format: 'native', content: range.content })).toEqual({ imported: [], skipped: made[0]!.runIds });
    // Nothing after the end of the range.
    const none = await call<Export>(source, 'runs.export', { format: 'native', to: '2000-01-01T00:00:00.000Z' });
    expect(none).toMatchObject({ count: 0, content: '' });
  });

  test('a bad record is refused, naming where and which field', async () => {
    const ts = made[0]!.ts;
    const rec = fullRun('PASS') as unknown as Record<string, unknown>;
    const bad = JSON.stringify({ ...rec, unit: { partNumber: 'x' } });
    const r = await ts.station.invoke('runs.import', { format: 'native', content: `${JSON.stringify(fullRun('PASS'))}\n${bad}\n` });
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    expect(!r.ok && r.error.message).toBe(
      'native import: line 2 is not a Passline run record: unit.serialNumber: Invalid input: expected string, received undefined',
    );
    const running = await ts.station.invoke('runs.import', { format: 'native', content: JSON.stringify({ ...rec, outcome: 'RUNNING' }) });
    expect(!running.ok && running.error.message).toMatch(/only finished runs can be stored whole \(outcome RUNNING\)/);
    const ocp = await ts.station.invoke('runs.export', { format: 'ocp', from: '2000-01-01' });
    expect(!ocp.ok && ocp.error.message).toBe('runId: ocp and openhtf export one run at a time: give runId');
  });
});

describe('attachments leave the station and arrive whole', () => {
  type Got = { ok: true; value: { sha256: string; size: number; base64: string } } | { ok: false; error: { kind: string; message: string } };
  const get = (ts: TestStation, sha256: string) => ts.station.invoke('attachments.get', { sha256 }) as Promise<Got>;
  const bytesOf = async (ts: TestStation, sha256: string): Promise<Buffer> => {
    const r = await get(ts, sha256);
    if (!r.ok) throw new Error(`attachments.get ${sha256}: ${r.error.message}`);
    return Buffer.from(r.value.base64, 'base64');
  };
  /** The run of example-series: its power_up_ramp phase attaches ramp.csv. */
  const source = () => made[1]!;
  const attachmentsOf = (r: RunRecord): Attachment[] => r.phases.flatMap((p) => p.attachments ?? []);

  test.each(['native', 'openhtf'] as const)(
    '%s: runs.export → runs.import on a second station → attachments.get answers with the same bytes, their sha256 as listed',
    async (format) => {
      const { ts, runIds } = source();
      const [runId] = runIds;
      const listed = attachmentsOf(await ts.record(runId!));
      expect(listed.map((a) => a.name)).toEqual(['ramp.csv']);
      const target = await openSupervised({ procedureId: 'quick' });
      stations.push(target);
      expect(await get(target, listed[0]!.sha256)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
      const out = await call<Export>(ts, 'runs.export', { format, runId });
      expect(out.warnings).toBeUndefined();
      expect(await call(target, 'runs.import', { format, content: out.content })).toEqual({ imported: [runId], skipped: [] });
      expect(attachmentsOf(await target.record(runId!))).toEqual(listed);
      for (const a of listed) {
        const arrived = await bytesOf(target, a.sha256);
        expect(createHash('sha256').update(arrived).digest('hex')).toBe(a.sha256);
        expect(arrived.byteLength).toBe(a.size);
        expect(arrived).toEqual(await bytesOf(ts, a.sha256));
      }
    },
  );

  test('native: the bytes sit beside the record (attachmentData by sha256), the file passes the published JSON Schema, and a range carries them too', async () => {
    const { ts, runIds } = source();
    const out = await call<Export>(ts, 'runs.export', { format: 'native', runId: runIds[0] });
    const file = JSON.parse(out.content) as NativeRun;
    const [a] = attachmentsOf(file);
    expect(Object.keys(file.attachmentData!)).toEqual([a!.sha256]);
    expect(Buffer.from(file.attachmentData![a!.sha256]!, 'base64')).toEqual(await bytesOf(ts, a!.sha256));
    // The last keys, after the record's own.
    expect(Object.keys(file).slice(-1)).toEqual(['attachmentData']);
    const schema = JSON.parse(readFileSync(`${REPO_ROOT}docs/schemas/run-record.schema.json`, 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
    const range = await call<Export>(ts, 'runs.export', { format: 'native', from: '2000-01-01T00:00:00.000Z' });
    expect((JSON.parse(range.content.trimEnd()) as NativeRun).attachmentData).toEqual(file.attachmentData);
  });

  test('exported without attachments: the file says which were left out; the import names each, and attachments.get says not-found', async () => {
    const { ts, runIds } = source();
    const out = await call<Export>(ts, 'runs.export', { format: 'native', runId: runIds[0], attachments: false });
    const file = JSON.parse(out.content) as NativeRun;
    const [a] = attachmentsOf(file);
    expect(file.attachmentData).toBeUndefined();
    expect(file.attachmentsLeftOut).toEqual({ [a!.sha256]: 'not included in this export (exported without attachments)' });
    const target = await openSupervised({ procedureId: 'quick' });
    stations.push(target);
    expect(await call(target, 'runs.import', { format: 'native', content: out.content })).toEqual({
      imported: [runIds[0]],
      skipped: [],
      warnings: [
        `run ${runIds[0]}: attachment "ramp.csv" of phase power_up_ramp (sha256 ${a!.sha256.slice(0, 12)}…) has no bytes in the file (not included in this export (exported without attachments)) and none on this station: listed, but attachments.get will not find it`,
      ],
    });
    expect(attachmentsOf(await target.record(runIds[0]!))).toEqual([a]);
    expect(await get(target, a!.sha256)).toMatchObject({ ok: false, error: { kind: 'not-found', message: `no attachment ${a!.sha256} on this station` } });
    // The bytes arrive later with a full export: the run is there already, the file is stored.
    const full = await call<Export>(ts, 'runs.export', { format: 'native', runId: runIds[0] });
    expect(await call(target, 'runs.import', { format: 'native', content: full.content })).toEqual({ imported: [], skipped: [runIds[0]] });
    expect(await bytesOf(target, a!.sha256)).toEqual(await bytesOf(ts, a!.sha256));
  });

  test('bytes that do not give the sha256 they are filed under are refused, naming the attachment; the run imports', async () => {
    const { ts, runIds } = source();
    const file = JSON.parse((await call<Export>(ts, 'runs.export', { format: 'native', runId: runIds[0] })).content) as NativeRun;
    const [a] = attachmentsOf(file);
    const forged = Buffer.from('time_s,voltage_v\n0,9.9\n');
    file.attachmentData![a!.sha256] = forged.toString('base64');
    const target = await openSupervised({ procedureId: 'quick' });
    stations.push(target);
    const r = await call<{ imported: string[]; warnings?: string[] }>(target, 'runs.import', { format: 'native', content: JSON.stringify(file) });
    expect(r.imported).toEqual([runIds[0]]);
    expect(r.warnings).toEqual([
      `run ${runIds[0]}: attachment "ramp.csv" of phase power_up_ramp (sha256 ${a!.sha256.slice(0, 12)}…) refused: its bytes do not match its sha256 (they give ${createHash('sha256').update(forged).digest('hex')})`,
    ]);
    expect(await get(target, a!.sha256)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  test('a file the station no longer has is left out of the export and named, in the file and in the answer', async () => {
    const ts = await openSupervised({ procedureId: 'quick' });
    stations.push(ts);
    const rec = fullRun('PASS');
    const sha256 = 'e'.repeat(64);
    rec.phases[1]!.attachments = [{ name: 'scope.png', mediaType: 'image/png', size: 5, sha256 }];
    await call(ts, 'runs.import', { format: 'native', content: nativeJson(rec) });
    for (const format of ['native', 'openhtf'] as const) {
      const out = await call<Export>(ts, 'runs.export', { format, runId: rec.id });
      expect(out.warnings).toEqual([
        `run ${rec.id}: attachment "scope.png" of phase rail_voltage[rail=3V3] (sha256 eeeeeeeeeeee…) left out: no attachment ${sha256} on this station`,
      ]);
      expect(out.content).toContain(`no attachment ${sha256} on this station`);
    }
  });
});

describe('OCP TV and OpenHTF through the station', () => {
  test('every stored run exports as OCP lines that pass the official schemas and the stream check', async () => {
    for (const { ts, runIds } of made) {
      for (const runId of runIds) {
        const out = await call<Export>(ts, 'runs.export', { format: 'ocp', runId });
        expect(out.fileName).toMatch(/\.ocp\.jsonl$/);
        expect(schemaProblems(out.content)).toEqual([]);
        expect(checkOcpStream(out.content)).toEqual([]);
      }
    }
  });

  test('both reference OpenHTF records import into the history with every phase and measurement', async () => {
    const ts = await openSupervised({ procedureId: 'quick' });
    stations.push(ts);
    const ref = new URL('../../../shared/reference/openhtf/', import.meta.url);
    for (const name of ['PCB01A69658.openhtf_test.2025-01-20_15-32-06-058.json', 'test_result.json']) {
      const text = readFileSync(new URL(name, ref), 'utf8');
      const raw = JSON.parse(text) as { dut_id: string; phases: { name: string; measurements: Record<string, { measured_value: unknown }> }[] };
      const { imported } = await call<{ imported: string[] }>(ts, 'runs.import', { format: 'openhtf', content: text });
      expect(imported).toHaveLength(1);
      const { runs } = await call<{ runs: RunSummary[] }>(ts, 'runs.list', { serialPrefix: raw.dut_id });
      expect(runs.map((r) => r.id)).toContain(imported[0]);
      const rec = await ts.record(imported[0]!);
      expect(rec.phases.map((p) => p.name)).toEqual(raw.phases.map((p) => p.name));
      expect(rec.phases.map((p) => p.measurements.map((m) => [m.name, m.value]))).toEqual(
        raw.phases.map((p) => Object.entries(p.measurements).map(([k, m]) => [k, m.measured_value ?? null])),
      );
      // It exports again like any run.
      const back = await call<Export>(ts, 'runs.export', { format: 'openhtf', runId: rec.id });
      expect((JSON.parse(back.content) as { dut_id: string }).dut_id).toBe(raw.dut_id);
      // Importing the same file again adds nothing.
      expect(await call(ts, 'runs.import', { format: 'openhtf', content: text })).toEqual({ imported: [], skipped: imported });
    }
    const measurements = (r: RunRecord) => r.phases.reduce((n, p) => n + p.measurements.length, 0);
    const all = await call<{ runs: RunSummary[] }>(ts, 'runs.list', {});
    const recs = await Promise.all(all.runs.map((r) => ts.record(r.id)));
    expect(recs.map((r) => [r.unit.serialNumber, r.phases.length, measurements(r)]).sort()).toEqual([
      ['0001', 3, 0],
      ['PCB01A69658', 11, 11],
    ]);
  });
});
