/**
 * Phase code misbehaving in every way the runner process exists for: a busy loop
 * that never sees its AbortSignal, a promise that never settles, an exception, a
 * runner that exits or is killed. The station stays responsive, records what
 * happened, keeps what finished, and the next run works.
 *
 * Wall-clock bounds here are the user-visible guarantees only (abort within 1 s,
 * a stuck phase ends by its timeout + 1 s), with headroom for a loaded CI machine.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { StationEventOf } from '#contract/events.ts';
import { WATCHDOG_GRACE_MS } from '#station/sockets/socket.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';

const open: TestStation[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function station(procedureId: string): Promise<TestStation> {
  const s = await openTestStation({ procedureId });
  open.push(s);
  return s;
}

/** Slack for scheduling on a busy 2-core machine, on top of each guarantee. */
const SLACK_MS = 600;

/** After a forced end: the runner comes back (a new process) and the next run passes. */
async function nextRunWorks(t: TestStation, after: StationEventOf<'run.ended'>, serial: string): Promise<void> {
  // A fresh runner: it may be the one that ran the teardown before the run ended.
  const startedSeq = t.events.ofKind('run.started', after.runId ?? undefined)[0]!.seq;
  const ready = await t.events.waitFor('runner.changed', (e) => e.data.state === 'ready', { afterSeq: startedSeq });
  const before = t.events
    .ofKind('runner.changed')
    .filter((e) => e.data.state === 'ready' && e.seq < startedSeq)
    .at(-1);
  expect(ready.data.pid).toBeDefined();
  expect(ready.data.pid).not.toBe(before?.data.pid);
  await t.station.ready();
  const runId = await t.start(serial);
  const ended = await t.ended(runId);
  expect(ended.data.outcome).toBe('PASS');
}

describe('abort', () => {
  test('ends a run within 1 s even when the phase busy-loops ignoring its AbortSignal', async () => {
    const t = await station('busy-loop');
    const runId = await t.start('SPIN-1');
    // The station must know the phase started: that is what it kills and records.
    await t.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'spin');
    const t0 = performance.now();
    expect(await t.station.invoke('run.abort', {})).toEqual({ ok: true, value: { aborted: true } });
    // The phase is cut at once; the run ends after its teardown, run in the fresh runner.
    await t.events.waitFor('run.phaseEnded', (e) => e.runId === runId && e.data.phase.name === 'spin');
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(1000);
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('ABORTED');

    const rec = await t.record(runId);
    expect(rec.outcome).toBe('ABORTED');
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['first', 'PASS'],
      ['spin', 'ABORTED'],
      ['cleanup', 'PASS'],
    ]);
    expect(rec.phases[0]!.measurements).toMatchObject([{ name: 'ok', value: true, outcome: 'PASS' }]);
    expect(rec.phases[1]!.error).toMatchObject({ kind: 'aborted' });

    await nextRunWorks(t, ended, 'OK-1');
  });

  test('a scan right after a forced abort is either refused as "getting ready" or runs to its end, never stuck', async () => {
    const t = await station('busy-loop');
    const runId = await t.start('SPIN-3');
    await t.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'spin');
    await t.station.invoke('run.abort', {});
    // The operator scans the next unit the moment the result shows, before the killed runner is gone.
    const next = await new Promise<Awaited<ReturnType<typeof t.station.invoke>>>((resolve) => {
      const off = t.station.bus.subscribe((e) => {
        if (e.kind === 'run.ended' && e.runId === runId) {
          off();
          // Next turn of the event loop, as a command from the UI arrives.
          setImmediate(() => resolve(t.station.invoke('run.start', { serialNumber: 'OK-4' })));
        }
      });
    });
    if (next.ok) {
      const ended = await t.ended((next.value as { runId: string }).runId);
      expect(ended.data.outcome).toBe('PASS');
    } else {
      expect(next.error).toEqual({ kind: 'engine.unavailable', message: 'socket 0 is getting ready; scan again in a moment' });
      await t.station.ready();
      const again = await t.start('OK-4');
      expect((await t.ended(again)).data.outcome).toBe('PASS');
    }
  });

  test('the station answers commands while a phase busy-loops (it runs in the runner, not here)', async () => {
    const t = await station('busy-loop');
    const runId = await t.start('SPIN-2');
    await t.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'spin');
    // Answered at all while the runner spins: the phase cannot block the station.
    const snap = await t.station.invoke('station.snapshot', {});
    expect(snap).toMatchObject({ ok: true, value: { sockets: [{ state: 'running' }] } });
    await t.station.invoke('run.abort', {});
    await t.ended(runId);
  });
});

describe('a phase that does not end', () => {
  test('a never-settling promise ends by timeoutMs + 1 s as ERROR (timeout); later phases still run', async () => {
    const t = await station('hang');
    const runId = await t.start('H-1');
    const started = await t.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'never');
    const t0 = performance.now();
    const phaseEnded = await t.events.waitFor('run.phaseEnded', (e) => e.runId === runId && e.data.phase.name === 'never');
    expect(performance.now() - t0).toBeLessThan(started.data.timeoutMs + WATCHDOG_GRACE_MS + SLACK_MS);
    expect(phaseEnded.data.phase).toMatchObject({ outcome: 'ERROR', error: { kind: 'timeout' } });

    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('ERROR');
    expect(ended.data.outcomeReason).toMatch(/^never: /);
    const rec = await t.record(runId);
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['first', 'PASS'],
      ['never', 'ERROR'],
      ['after', 'PASS'],
    ]);
  });

  test('a busy loop past its timeout is ended by the watchdog at timeoutMs + 1 s as ERROR (timeout)', async () => {
    const t = await station('busy-loop');
    const runId = await t.start('WATCHDOG-1');
    const started = await t.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'spin_short');
    const t0 = performance.now();
    await t.events.waitFor('run.phaseEnded', (e) => e.runId === runId && e.data.phase.name === 'spin_short');
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(started.data.timeoutMs + WATCHDOG_GRACE_MS + SLACK_MS);
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('ERROR');
    const rec = await t.record(runId);
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['first', 'PASS'],
      ['spin', 'PASS'],
      ['spin_short', 'ERROR'],
      ['cleanup', 'PASS'],
    ]);
    expect(rec.phases[2]!.error).toMatchObject({ kind: 'timeout' });
    await nextRunWorks(t, ended, 'OK-2');
  });
});

describe('a phase that throws', () => {
  test('is ERROR with the exception message; the run says which phase', async () => {
    const t = await station('throws');
    const runId = await t.start('T-1');
    const ended = await t.ended(runId);
    expect(ended.data).toMatchObject({ outcome: 'ERROR', outcomeReason: 'explode: relay K3 did not close' });
    const rec = await t.record(runId);
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['first', 'PASS'],
      ['explode', 'ERROR'],
    ]);
    expect(rec.phases[1]!.error).toMatchObject({ kind: 'exception', message: 'relay K3 did not close' });
    expect(rec.phases[1]!.error!.stack).toContain('phases.ts');
    // The runner survived: same process, next run on it.
    const runner = t.station.snapshot().sockets[0]!.runner;
    expect(runner).toBe('ready');
    expect(t.events.ofKind('runner.changed').filter((e) => e.data.state === 'restarting')).toEqual([]);
  });
});

describe('a phase that takes the runner down', () => {
  test.each([
    ['process.exit(3)', 'EXIT-1', 'exit code 3'],
    ['SIGKILL', 'KILL-1', 'signal SIGKILL'],
  ])('%s: the run is ERROR "runner process crashed", finished phases kept, the next run works', async (_how, serial, cause) => {
    const t = await station('crash');
    const runId = await t.start(serial);
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('ERROR');
    expect(ended.data.outcomeReason).toBe(`the runner process crashed (${cause}) during the run`);
    const rec = await t.record(runId);
    expect(rec.outcome).toBe('ERROR');
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['first', 'PASS'],
      ['crash', 'ERROR'],
    ]);
    expect(rec.phases[1]!.error).toEqual({ kind: 'runner-crashed', message: `runner process ended (${cause})` });
    expect(t.events.ofKind('runner.changed').some((e) => e.data.state === 'crashed')).toBe(true);
    await nextRunWorks(t, ended, 'OK-3');
  });
});

describe('phase code that forges messages to the station', () => {
  test('a malformed event is refused by name, a second end of a phase is ignored, an end pointing at what never came is kept as ERROR; the run cannot pass and the next one does', async () => {
    const t = await station('forged');
    const runId = await t.start('FORGE-1');
    const ended = await t.ended(runId);
    expect(ended.data.outcome).toBe('ERROR');
    expect(ended.data.outcomeReason).toContain("the station could not read all of the runner's record (phase forge:");
    const rec = await t.record(runId);
    expect(rec.phases.map((p) => [p.name, p.outcome, p.measurements.map((m) => [m.name, m.value])])).toEqual([
      ['forge', 'ERROR', [['a', 1.5]]],
      ['honest', 'PASS', [['b', 2.5]]],
    ]);
    expect(rec.phases[0]!.error?.message).toContain('never received measurement #9');
    const errors = t.logs.filter((l) => l.startsWith('error:'));
    expect(errors.some((l) => l.includes('runner sent a bad run.measured event') && l.includes('outcome'))).toBe(true);
    expect(errors.some((l) => l.includes('runner sent a bad station.started event'))).toBe(true);
    expect(errors.some((l) => l.includes('runner ended phase forge (attempt 1) a second time; the second end is ignored'))).toBe(true);
    // Nothing was mistaken for a full disk or a broken store: the next unit runs.
    const next = await t.start('OK-1');
    const nextEnded = await t.ended(next);
    expect(nextEnded.data.outcome).toBe('PASS');
    expect((await t.record(next)).phases.map((p) => p.measurements.map((m) => m.value))).toEqual([[1.5], [2.5]]);
  });
});

describe('a phase that logs and measures in a loop', () => {
  test('keeps the last 1000 log lines and the last reading, says what it dropped, and the station resolves the phase end without refusing anything', async () => {
    const t = await station('chatty');
    const runId = await t.start('C-1');
    const ended = await t.ended(runId, 60_000);
    expect(ended.data.outcome).toBe('PASS');
    const rec = await t.record(runId);
    const loop = rec.phases[0]!;
    expect(loop.measurements.map((m) => [m.name, m.value, m.outcome])).toEqual([['temp', 20 + (11_999 % 50) / 10, 'PASS']]);
    expect(loop.logs[0]!.message).toBe('11000 earlier log lines were not kept (limit 1000 per phase)');
    expect(loop.logs.slice(1).map((l) => l.message)).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${11_000 + i}`));
    expect(rec.phases[1]!.measurements.map((m) => m.value)).toEqual([true]);
    expect(t.logs.filter((l) => l.startsWith('error:'))).toEqual([]);
  }, 90_000);
});
