/**
 * The station as the operator screen drives it: createStation on a fresh data dir,
 * real runner processes, commands through invoke(), results read back from SQLite.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RunRecord, RunSummary } from '#contract/records.ts';
import type { StationSnapshot } from '#contract/commands.ts';
import { DB_FILE, SCHEMA_VERSION } from '#station/store/db.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { FIXTURE_SEQUENCES, SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';

const open: TestStation[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function station(opts: Parameters<typeof openTestStation>[0]): Promise<TestStation> {
  const s = await openTestStation(opts);
  open.push(s);
  return s;
}

// One demo station serves the demo tests in turn, as one station serves an operator's shift.
let shared: TestStation;
const demo = async () => {
  await shared.station.ready();
  return shared;
};

/** Answers the demo's LED question when it is asked. */
async function answerLed(t: TestStation, runId: string, answer: boolean): Promise<void> {
  const opened = await t.events.waitFor('prompt.opened', (e) => e.runId === runId);
  expect(opened.data.prompt).toMatchObject({ message: 'Is the power LED green?', kind: 'yes-no', phase: 'led_check' });
  const res = await t.station.invoke('prompt.answer', { promptId: opened.data.prompt.id, answer });
  expect(res).toEqual({ ok: true, value: {} });
}

describe('the demo procedure', () => {
  beforeAll(async () => {
    shared = await openTestStation({ procedureId: 'demo-board', sequenceFolder: SHIPPED_SEQUENCES });
  });
  afterAll(() => shared.close());

  test('a full run passes, with the prompt answered through prompt.answer', async () => {
    const t = await demo();
    expect(t.station.snapshot().sockets[0]).toMatchObject({ state: 'ready', runner: 'ready', run: null });
    const runId = await t.start('DEMO-0001');
    await answerLed(t, runId, true);
    const ended = await t.ended(runId);
    expect(ended.data).toMatchObject({ outcome: 'PASS', failing: [] });

    const rec = await t.record(runId);
    expect(rec).toMatchObject({
      outcome: 'PASS',
      unit: { serialNumber: 'DEMO-0001', partNumber: 'DEMO-PCB-01' },
      procedure: { id: 'demo-board', version: '1.0.0' },
    });
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['fixture_check', 'PASS'],
      ['power_on', 'PASS'],
      ['rail_3v3', 'PASS'],
      ['rail_5v0', 'PASS'],
      ['led_check', 'PASS'],
      ['firmware_version', 'PASS'],
      ['power_off', 'PASS'],
    ]);
    expect(rec.phases.find((p) => p.name === 'led_check')!.measurements).toMatchObject([{ name: 'led_green', value: true, outcome: 'PASS' }]);
    expect(rec.durationMs).toBe(ended.data.durationMs);

    // The live view agrees with the record, and the history lists the run.
    const snap = t.station.snapshot();
    expect(snap.sockets[0]).toMatchObject({ state: 'result', prompt: null, run: { runId, outcome: 'PASS' } });
    const list = await t.station.invoke('runs.list', { limit: 1 });
    expect(list.ok && (list.value as { runs: RunSummary[] }).runs.map((r) => [r.id, r.outcome])).toEqual([[runId, 'PASS']]);

    // Events of the run link to it: phases to run.started, measurements to their phase.
    const runEvents = t.events.events.filter((e) => e.runId === runId);
    const started = runEvents.find((e) => e.kind === 'run.started')!;
    for (const e of runEvents.filter((x) => x.kind === 'run.phaseStarted' || x.kind === 'run.ended')) expect(e.parentSeq).toBe(started.seq);
    const seqs = runEvents.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(runEvents.at(-1)!.kind).toBe('run.ended');
  });

  test('a DEMO-FAIL unit fails on v_3v3, and says so', async () => {
    const t = await demo();
    const runId = await t.start('DEMO-FAIL-7');
    await answerLed(t, runId, true);
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('FAIL');
    expect(ended.data.failing).toHaveLength(1);
    expect(ended.data.failing[0]).toMatchObject({ phase: 'rail_3v3', name: 'v_3v3', units: 'V' });
    expect(ended.data.failing[0]!.reason).toMatch(/^3\.0\d+ V is below the lower limit 3\.2 V$/);
    const rec = await t.record(runId);
    const rail = rec.phases.find((p) => p.name === 'rail_3v3')!;
    expect(rail.outcome).toBe('FAIL');
    expect(rail.measurements[0]).toMatchObject({ name: 'v_3v3', outcome: 'FAIL', validator: { kind: 'range', lower: 3.2, upper: 3.4 } });
    // The other phases still ran (stopOnFailure is off in the demo).
    expect(rec.phases.filter((p) => p.outcome === 'PASS').map((p) => p.name)).toEqual([
      'fixture_check',
      'power_on',
      'rail_5v0',
      'led_check',
      'firmware_version',
      'power_off',
    ]);
  });

  test('an operator answering No fails the LED check', async () => {
    const t = await demo();
    const runId = await t.start('DEMO-0002');
    await answerLed(t, runId, false);
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('FAIL');
    expect(ended.data.failing).toMatchObject([{ phase: 'led_check', name: 'led_green', value: false }]);
  });

  test('a serial number of the wrong form is refused, showing the expected form', async () => {
    const t = await demo();
    const before = t.station.snapshot();
    const res = await t.station.invoke('run.start', { serialNumber: 'PCB-1234' });
    expect(res).toEqual({
      ok: false,
      error: {
        kind: 'serial.invalid',
        message: '"PCB-1234" is not a serial number for Demo board functional test. Expected the form DEMO-0001',
        details: { field: 'serialNumber', pattern: '^DEMO-[A-Z0-9]+(-[A-Z0-9]+)*$', example: 'DEMO-0001' },
        // The same message as a catalog key with its data: the screens show it in their language.
        key: 'station.serialInvalid',
        params: { serial: 'PCB-1234', procedure: 'Demo board functional test', expected: 'DEMO-0001' },
      },
    });
    // Nothing was started or stored.
    expect(t.station.snapshot().sockets).toEqual(before.sockets);
    expect(t.station.snapshot().seq).toBe(before.seq);
  });

  test.each([
    [
      'a zero-width space',
      'DEMO-\u200b0001',
      'The serial number "DEMO-0001" contains an invisible character (zero-width space, U+200B) after "DEMO-". Check the scanner’s settings, or type the serial number by hand.',
    ],
    [
      'a direction mark',
      '\u200eDEMO-0001',
      'The serial number "DEMO-0001" contains an invisible character (left-to-right mark, U+200E) at the start. Check the scanner’s settings, or type the serial number by hand.',
    ],
    [
      'small letters',
      'demo-0001',
      '"demo-0001" is in small letters: serial numbers for Demo board functional test are in capitals, like DEMO-0001. Is Caps Lock on?',
    ],
  ])('a serial with %s is refused saying so, not only with the expected form', async (_what, serialNumber, message) => {
    const t = await demo();
    const res = await t.station.invoke('run.start', { serialNumber });
    expect(res).toMatchObject({ ok: false, error: { kind: 'serial.invalid', message } });
  });

  test.each([
    ['a missing serial number', {}, /^serialNumber: /],
    ['a serial number of the wrong type', { serialNumber: 42 }, /^serialNumber: Invalid input: expected string, received number$/],
    ['an empty serial number', { serialNumber: '   ' }, /^serialNumber: scan or type a serial number$/],
    ['a socket the station does not have', { serialNumber: 'DEMO-0001', socket: 7 }, /^socket: there is no socket 7 \(this station has 1\)$/],
    ['a negative socket', { serialNumber: 'DEMO-0001', socket: -1 }, /^socket: /],
    ['an extra field', { serialNumber: 'DEMO-0001', colour: 'red' }, /"colour"/],
  ])('run.start with %s is invalid-input naming the field', async (_what, input, message) => {
    const t = await demo();
    const res = await t.station.invoke('run.start', input);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.kind).toBe('invalid-input');
    expect(res.error.message).toMatch(message);
  });

  test('unknown commands and bad prompt answers are refused clearly', async () => {
    const t = await demo();
    expect(await t.station.invoke('run.explode', {})).toEqual({ ok: false, error: { kind: 'invalid-input', message: 'unknown command "run.explode"' } });
    const noPrompt = await t.station.invoke('prompt.answer', { promptId: 'nope', answer: true });
    expect(noPrompt).toMatchObject({ ok: false, error: { kind: 'prompt.unknown' } });

    const runId = await t.start('DEMO-0003');
    const opened = await t.events.waitFor('prompt.opened', (e) => e.runId === runId);
    const wrongType = await t.station.invoke('prompt.answer', { promptId: opened.data.prompt.id, answer: 'green' });
    expect(wrongType.ok).toBe(false);
    if (!wrongType.ok) {
      expect(wrongType.error.kind).toBe('invalid-input');
      expect(wrongType.error.message).toMatch(/^answer: /);
    }
    // A second scan while busy is refused, naming the unit under test.
    expect(await t.station.invoke('run.start', { serialNumber: 'DEMO-0004' })).toMatchObject({
      ok: false,
      error: { kind: 'busy', message: 'socket 1 is testing DEMO-0003: finish or abort this unit first' },
    });
    await answerLed(t, runId, true);
    expect((await t.ended(runId)).data.outcome).toBe('PASS');
  });

  test('abort during the prompt is cooperative: ABORTED, earlier phases kept, teardown ran, runner not restarted', async () => {
    const t = await demo();
    const runId = await t.start('DEMO-0005');
    await t.events.waitFor('prompt.opened', (e) => e.runId === runId);
    const t0 = performance.now();
    expect(await t.station.invoke('run.abort', { socket: 0 })).toEqual({ ok: true, value: { aborted: true } });
    const ended = await t.ended(runId);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(ended.data).toMatchObject({ outcome: 'ABORTED', outcomeReason: 'operator aborted the run' });

    const rec = await t.record(runId);
    expect(rec.outcome).toBe('ABORTED');
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['fixture_check', 'PASS'],
      ['power_on', 'PASS'],
      ['rail_3v3', 'PASS'],
      ['rail_5v0', 'PASS'],
      ['led_check', 'ABORTED'],
      ['firmware_version', 'SKIP'],
      ['power_off', 'PASS'],
    ]);
    // The prompt is gone from the screen, and the runner that was asked nicely was not killed.
    expect(t.station.snapshot().sockets[0]).toMatchObject({ prompt: null, state: 'result', runner: 'ready' });
    const started = t.events.ofKind('run.started', runId)[0]!;
    expect(t.events.ofKind('runner.changed').filter((e) => e.seq > started.seq)).toEqual([]);
    // Aborting again has nothing to abort.
    expect(await t.station.invoke('run.abort', {})).toEqual({ ok: true, value: { aborted: false } });
  });
});

describe('fixture procedures', () => {
  test('two sockets test two units at once, each into its own record', async () => {
    const t = await station({ procedureId: 'quick', sockets: 2 });
    expect(t.station.snapshot().sockets.map((s) => s.state)).toEqual(['ready', 'ready']);
    const a = await t.start('Q-1', 0);
    const b = await t.start('Q-2', 1);
    const [ea, eb] = await Promise.all([t.ended(a), t.ended(b)]);
    expect([ea.data.outcome, eb.data.outcome]).toEqual(['PASS', 'PASS']);
    expect([ea.socket, eb.socket]).toEqual([0, 1]);
    const [ra, rb] = await Promise.all([t.record(a), t.record(b)]);
    expect(ra).toMatchObject({ socket: 0, unit: { serialNumber: 'Q-1' }, outcome: 'PASS' });
    expect(rb).toMatchObject({ socket: 1, unit: { serialNumber: 'Q-2' }, outcome: 'PASS' });
    expect(ra.phases.map((p) => p.name)).toEqual(['first', 'second', 'third']);
    expect(rb.phases.map((p) => p.name)).toEqual(['first', 'second', 'third']);
    // They really ran at the same time: B started before A ended.
    expect(rb.startedAt < ra.endedAt!).toBe(true);
    // Every event of a run carries its own socket.
    for (const e of t.events.events.filter((x) => x.runId === a)) expect(e.socket).toBe(0);
    for (const e of t.events.events.filter((x) => x.runId === b)) expect(e.socket).toBe(1);
    // Each runner logged its own unit.
    expect(ra.phases[2]!.logs.map((l) => l.message)).toEqual(['done with Q-1']);
    expect(rb.phases[2]!.logs.map((l) => l.message)).toEqual(['done with Q-2']);
  });

  test('the run is journaled as it goes: RUNNING from its start, each phase durable when it ends', async () => {
    const t = await station({ procedureId: 'quick' });
    // Another connection to the file sees only what was committed.
    const reader = new DatabaseSync(join(t.dataDir, DB_FILE), { readOnly: true });
    try {
      const row = (id: string) => reader.prepare('SELECT outcome FROM runs WHERE id = ?').get(id) as { outcome: string } | undefined;
      const phases = (id: string) => (reader.prepare('SELECT name FROM phases WHERE run_id = ? ORDER BY idx').all(id) as { name: string }[]).map((p) => p.name);
      const runId = await t.start('Q-30');
      expect(row(runId)).toEqual({ outcome: 'RUNNING' });
      await t.events.waitFor('run.phaseEnded', (e) => e.runId === runId && e.data.phase.name === 'first');
      expect(row(runId)).toEqual({ outcome: 'RUNNING' });
      expect(phases(runId)).toEqual(['first']);
      await t.events.waitFor('run.phaseEnded', (e) => e.runId === runId && e.data.phase.name === 'second');
      expect(phases(runId)).toEqual(['first', 'second']);
      await t.ended(runId);
      expect(row(runId)).toEqual({ outcome: 'PASS' });
      expect(phases(runId)).toEqual(['first', 'second', 'third']);
    } finally {
      reader.close();
    }
  });

  test('a declared measurement that is never set is UNSET and fails its phase; NaN fails with a reason', async () => {
    const t = await station({ procedureId: 'unset' });
    const runId = await t.start('U-1');
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('FAIL');
    const rec = await t.record(runId);
    const [forgets, nan] = rec.phases;
    expect(forgets).toMatchObject({ name: 'forgets', outcome: 'FAIL' });
    expect(forgets!.measurements).toEqual([
      expect.objectContaining({ name: 'v_measured', value: 0.5, outcome: 'PASS' }),
      expect.objectContaining({ name: 'v_forgotten', value: null, units: 'V', outcome: 'UNSET', reason: 'declared but never measured' }),
    ]);
    expect(nan).toMatchObject({ name: 'not_a_number', outcome: 'FAIL' });
    expect(nan!.measurements).toEqual([expect.objectContaining({ name: 'gain', value: null, units: 'dB', outcome: 'FAIL', reason: 'not a number (NaN)' })]);
    expect(ended.data.failing.map((f) => [f.phase, f.name])).toEqual([
      ['forgets', 'v_forgotten'],
      ['not_a_number', 'gain'],
    ]);
  });

  test('a procedure that fails to load: the snapshot shows file:line, and run.start is refused with it', async () => {
    const t = await station({ procedureId: 'not-exported' });
    const yaml = join(FIXTURE_SEQUENCES, 'not-exported', 'procedure.yaml');
    const message = `${yaml}:8: phases.1.name: phase "missing_phase" is not exported by phases.ts`;
    const snap: StationSnapshot = t.station.snapshot();
    expect(snap.procedure).toBeNull();
    expect(snap.procedureError).toMatchObject({ kind: 'sequence.invalid', message });
    expect(snap.sockets[0]).toMatchObject({ state: 'error', message });
    const res = await t.station.invoke('run.start', { serialNumber: 'X-1' });
    expect(res).toMatchObject({ ok: false, error: { kind: 'sequence.invalid', message } });
  });

  test('an unknown procedure id is reported and refuses runs', async () => {
    const t = await station({ procedureId: 'no-such-procedure' });
    const message = `no procedure with id "no-such-procedure" in ${FIXTURE_SEQUENCES}`;
    expect(t.station.snapshot().procedureError).toMatchObject({ kind: 'sequence.invalid', message });
    expect(await t.station.invoke('run.start', { serialNumber: 'X-1' })).toMatchObject({ ok: false, error: { kind: 'sequence.invalid', message } });
  });
});

describe('a station whose database cannot be used', () => {
  test('a damaged file: the station starts in a new database, says so and where the file is kept, and runs', async () => {
    const tmp = tempDir('passline-station-');
    writeFileSync(join(tmp.dir, DB_FILE), 'garbage, not SQLite '.repeat(100));
    const t = await station({ procedureId: 'quick', dataDir: tmp.dir });
    try {
      const snap = t.station.snapshot();
      expect(snap.procedureError).toBeNull();
      expect(snap.database.state).toBe('salvaged');
      expect(snap.database.message).toMatch(
        /^The station database was damaged \(file is not a database\)\. Nothing could be read from it\. Testing goes on in a new database; the damaged file was kept as .*passline\.db\.corrupt-.*\.$/,
      );
      const runId = await t.start('Q-1');
      expect((await t.ended(runId)).data.outcome).toBe('PASS');
    } finally {
      await t.close();
      open.splice(open.indexOf(t), 1);
      tmp.remove();
    }
  });

  test('a newer database: runs are refused with db.newer-version and the file keeps its data', async () => {
    const tmp = tempDir('passline-station-');
    const path = join(tmp.dir, DB_FILE);
    const newer = new DatabaseSync(path);
    newer.exec(`CREATE TABLE runs_next (id TEXT); INSERT INTO runs_next VALUES ('kept'); PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
    newer.close();
    const t = await station({ procedureId: 'quick', dataDir: tmp.dir });
    try {
      expect(t.station.snapshot().database).toMatchObject({ state: 'newer-version' });
      expect(await t.station.invoke('run.start', { serialNumber: 'Q-1' })).toMatchObject({ ok: false, error: { kind: 'db.newer-version' } });
    } finally {
      await t.close();
      open.splice(open.indexOf(t), 1);
    }
    const check = new DatabaseSync(path, { readOnly: true });
    expect(check.prepare('SELECT id FROM runs_next').all()).toEqual([{ id: 'kept' }]);
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION + 1 });
    check.close();
    tmp.remove();
  });
});

export type { RunRecord };
