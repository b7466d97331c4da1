/**
 * Exchange formats through the station's commands, on real stations and real
 * SQLite files: native JSON export → import into another station → export is
 * byte-for-byte the same (lossless), ranges export as JSON lines, OpenHTF records
 * import into the history, and every run exports as valid OCP TV.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import type { RunRecord, RunSummary } from '#contract/records.ts';
import type { CommandOutput } from '#contract/commands.ts';
import { checkOcpStream } from '#station/formats/ocp-check.ts';
import { nativeJson, parseNative } from '#station/formats/native.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { FIXTURE_SEQUENCES, SHIPPED_SEQUENCES } from '../helpers/paths.ts';
import { fullRun } from '../helpers/run-records.ts';
import { schemaProblems } from '../helpers/ocp-schema.ts';

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
    const ts = await openTestStation({ procedureId, sequenceFolder: folder });
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
    const target = await openTestStation({ procedureId: 'quick' });
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
    const ts = await openTestStation({ procedureId: 'quick' });
    stations.push(ts);
    for (const outcome of ['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const) {
      const rec = fullRun(outcome);
      const text = nativeJson(rec);
      await call(ts, 'runs.import', { format: 'native', content: text });
      expect(await ts.record(rec.id)).toEqual(rec);
      expect((await call<Export>(ts, 'runs.export', { format: 'native', runId: rec.id })).content).toBe(text);
    }
  });

  test('a range exports as JSON lines, imports whole, and a second import skips what is there', async () => {
    const source = made[0]!.ts;
    const ts = await openTestStation({ procedureId: 'quick' });
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
    const ts = await openTestStation({ procedureId: 'quick' });
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
