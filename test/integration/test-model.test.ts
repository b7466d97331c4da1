/**
 * The shipped example procedures, one per feature of the test model, run on a real
 * station (runner process, SQLite journal). Each asserts what a test engineer reads in
 * the stored record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { SHIPPED_SEQUENCES } from '../helpers/paths.ts';
import type { PhaseRecord, RunRecord } from '#contract/records.ts';

let ts: TestStation | null = null;
afterEach(async () => {
  await ts?.close();
  ts = null;
});

async function run(procedureId: string, serial = 'EX-1', answer?: (kind: string, message: string) => unknown): Promise<RunRecord> {
  ts = await openTestStation({ procedureId, sequenceFolder: SHIPPED_SEQUENCES });
  expect(ts.station.snapshot().procedureError).toBeNull();
  const off = ts.station.bus.subscribe((e) => {
    if (e.kind === 'prompt.opened' && answer) {
      const a = answer(e.data.prompt.kind, e.data.prompt.message);
      if (a !== undefined) void ts!.station.invoke('prompt.answer', { promptId: e.data.prompt.id, answer: a });
    }
  });
  const id = await ts.start(serial);
  await ts.ended(id, 15_000);
  off();
  return ts.record(id);
}

const phase = (r: RunRecord, name: string, attempt?: number): PhaseRecord => {
  const p = r.phases.filter((x) => x.name === name && (attempt === undefined || x.attempt === attempt)).at(-1);
  if (!p) throw new Error(`no phase ${name} in ${r.phases.map((x) => x.name).join(', ')}`);
  return p;
};

describe('example procedures', () => {
  it('limits: every validator kind passes on its example values, marginal is flagged', async () => {
    const r = await run('example-limits');
    expect(r.outcome).toBe('PASS');
    const m = phase(r, 'numeric_limits').measurements;
    expect(m.find((x) => x.name === 'marginal')).toMatchObject({ outcome: 'PASS', marginal: true, reason: '4.8 V is marginal: below 4.85 V' });
    expect(phase(r, 'custom_check').measurements[0]).toMatchObject({ outcome: 'PASS', validator: { kind: 'custom', description: 'a unicast MAC address (aa:bb:cc:dd:ee:ff)' } });
    expect(phase(r, 'tolerances').measurements.map((x) => x.validator?.kind)).toEqual(['equals', 'equals', 'equals']);
  });

  it('flow: a retried phase keeps both attempts, a timeout is ERROR and the run goes on, conditions skip, teardown runs', async () => {
    const r = await run('example-flow');
    expect(phase(r, 'flaky_contact', 1).outcome).toBe('FAIL');
    expect(phase(r, 'flaky_contact', 2).outcome).toBe('PASS');
    expect(phase(r, 'slow_sensor').outcome).toBe('ERROR');
    expect(phase(r, 'slow_sensor').error).toMatchObject({ kind: 'timeout' });
    expect(phase(r, 'only_if_contact').outcome).toBe('PASS');
    expect(phase(r, 'only_for_variant_b').outcome).toBe('SKIP');
    expect(phase(r, 'only_for_variant_b').logs[0]?.message).toContain("runIf \"params.variant === 'B'\" is false");
    expect(phase(r, 'disconnect_fixture').outcome).toBe('PASS');
    expect(r.outcome).toBe('ERROR');
    expect(r.outcomeReason).toBe('slow_sensor: phase timed out after 300 ms');
  });

  it('parameterised: one instance per rail, each with its own limits', async () => {
    const r = await run('example-parameterised');
    expect(r.outcome).toBe('PASS');
    const a = phase(r, 'rail_voltage[rail=3V3]');
    const b = phase(r, 'rail_voltage[rail=5V0]');
    expect(a.params).toMatchObject({ rail: '3V3', channel: 1 });
    expect(a.measurements[0]!.validator).toMatchObject({ lower: 3.2, upper: 3.4 });
    expect(b.measurements[0]!.validator).toMatchObject({ lower: 4.85, upper: 5.15 });
    expect(b.measurements[0]!.value).toBeCloseTo(5, 1);
  });

  it('series: points stored whole with axes, aggregates computed and validated', async () => {
    const r = await run('example-series');
    expect(r.outcome).toBe('PASS');
    const ramp = phase(r, 'power_up_ramp').measurements[0]!;
    expect(ramp.dimensions).toEqual([
      { name: 'time', units: 's' },
      { name: 'voltage', units: 'V' },
    ]);
    expect(Array.isArray(ramp.value) && ramp.value.length).toBe(41);
    expect(ramp.aggregates?.count).toBe(41);
    expect(ramp.aggregates?.max).toBeGreaterThan(11.8);
    const iv = phase(r, 'iv_curve').measurements[0]!;
    expect(Array.isArray(iv.value) && iv.value.length).toBe(11);
  });

  it('prompts: every kind is answered, bound answers become measurements, a timed-out question is given up', async () => {
    const answers: Record<string, unknown> = { confirm: true, 'yes-no': true, 'pass-fail': true, number: 12, choice: 'grey', 'multi-choice': ['cable', 'manual'] };
    const r = await run('example-prompts', 'EX-1', (kind, message) => {
      if (message.startsWith('Optional')) return undefined; // let it time out
      return kind === 'text' ? 'LBL-123456' : answers[kind];
    });
    expect(r.outcome).toBe('PASS');
    expect(phase(r, 'visual_checks').measurements.find((m) => m.name === 'led_green')).toMatchObject({ value: true, outcome: 'PASS' });
    expect(phase(r, 'readings').measurements.find((m) => m.name === 'ripple_mv')).toMatchObject({ value: 12, units: 'mV', outcome: 'PASS' });
    expect(phase(r, 'quick_question').logs.map((l) => l.message)).toContain('no answer; not a problem for this question');
    const closed = ts!.events.events.filter((e) => e.kind === 'prompt.closed');
    expect(closed.map((e) => (e.kind === 'prompt.closed' ? e.data.reason : ''))).toEqual(['timeout']);
  });

  it('prompts: an answer of the wrong form is refused with the field named and the question stays open', async () => {
    ts = await openTestStation({ procedureId: 'example-prompts', sequenceFolder: SHIPPED_SEQUENCES });
    const id = await ts.start('EX-2');
    const opened = await ts.events.waitFor('prompt.opened');
    const bad = await ts.station.invoke('prompt.answer', { promptId: opened.data.prompt.id, answer: 'maybe' });
    expect(bad).toEqual({
      ok: false,
      error: {
        kind: 'invalid-input',
        message: 'answer: this question is confirmed with OK',
        details: { field: 'answer' },
        // The screens show the problem in their language; the English message keeps the field in front.
        key: 'station.answerConfirm',
        params: {},
      },
    });
    expect(ts.station.snapshot().sockets[0]!.prompt?.id).toBe(opened.data.prompt.id);
    await ts.station.invoke('run.abort', { socket: 0 });
    expect((await ts.ended(id)).data.outcome).toBe('ABORTED');
  });

  it('soak: ticks on its period for its duration, the series is recorded, teardown leaves the supply off', async () => {
    const r = await run('example-soak');
    expect(r.outcome).toBe('PASS');
    const m = phase(r, 'burn_in').measurements[0]!;
    expect(Array.isArray(m.value) && m.value.length).toBeGreaterThanOrEqual(5);
    expect(phase(r, 'burn_in').durationMs).toBeGreaterThanOrEqual(2990);
    const progress = ts!.events.events.filter((e) => e.kind === 'run.progressed');
    expect(progress.length).toBeGreaterThan(3);
  });

  it('soak: the kill switch stops it early, with the reason in the log', async () => {
    ts = await openTestStation({ procedureId: 'example-soak', sequenceFolder: SHIPPED_SEQUENCES });
    const res = await ts.station.invoke('run.start', { serialNumber: 'EX-3', params: { 'burn_in.maxCurrentA': 0.01 } });
    expect(res.ok).toBe(true);
    const runId = (res as { value: { runId: string } }).value.runId;
    await ts.ended(runId);
    const r = await ts.record(runId);
    const soak = phase(r, 'burn_in');
    expect(soak.logs.some((l) => l.message.includes('stopping the soak'))).toBe(true);
    expect(soak.logs.some((l) => l.message.startsWith('soak stopped by its kill switch after 1 ticks'))).toBe(true);
    // One point is fewer than the declared count: the stopped soak fails the unit.
    expect(soak.outcome).toBe('FAIL');
    expect(soak.measurements[0]!.reason).toBe('count 1 is below the lower limit 2');
    expect(soak.durationMs).toBeLessThan(1000);
  });
});

describe('attachments', () => {
  it('a phase attaches a file: stored once by hash, listed on the phase, readable back', async () => {
    const r = await run('example-series');
    const [a] = phase(r, 'power_up_ramp').attachments ?? [];
    expect(a).toMatchObject({ name: 'ramp.csv', mediaType: 'text/csv' });
    const got = await ts!.station.invoke('attachments.get', { sha256: a!.sha256 });
    expect(got.ok).toBe(true);
    const text = Buffer.from((got as { value: { base64: string } }).value.base64, 'base64').toString('utf8');
    expect(text.split('\n')[0]).toBe('time_s,voltage_v');
    expect(text.split('\n')).toHaveLength(42);
    expect(Buffer.byteLength(text)).toBe(a!.size);
  });
  it('an unknown attachment is not-found; a malformed hash is refused naming the field', async () => {
    ts = await openTestStation({ procedureId: 'example-limits', sequenceFolder: SHIPPED_SEQUENCES });
    expect(await ts.station.invoke('attachments.get', { sha256: 'a'.repeat(64) })).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(await ts.station.invoke('attachments.get', { sha256: 'xyz' })).toMatchObject({ ok: false, error: { kind: 'invalid-input', message: 'sha256: a sha256 in hex' } });
  });
});
