/**
 * Teardown after a killed runner: a main phase that spins past its timeout, an abort
 * that has to kill the runner and phase code that calls process.exit all end the run
 * with its teardown run in the fresh runner, recorded in the same run, before the safe
 * state. The supply is a TCP simulator, so what the run left on stays on until someone
 * switches it off: the teardown sees it still on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { SimLab, until } from '../helpers/sim-bench.ts';
import type { RunRecord } from '#contract/records.ts';

let ts: TestStation;
let lab: SimLab;
beforeAll(async () => {
  lab = new SimLab();
  const psu = await lab.tcp('psu');
  ts = await openTestStation({ procedureId: 'teardown-kill', settings: { instruments: { psu: `${psu.address}?driver=psu` } } });
});
afterAll(async () => {
  await ts?.close();
  await lab?.close();
});

async function runWith(serial: string, params: Record<string, string>, during?: (runId: string) => Promise<void>): Promise<RunRecord> {
  const res = await ts.station.invoke('run.start', { serialNumber: serial, params });
  if (!res.ok) throw new Error(res.error.message);
  const runId = (res.value as { runId: string }).runId;
  await during?.(runId);
  await ts.ended(runId, 20_000);
  await ts.station.ready();
  return ts.record(runId);
}

const byName = (r: RunRecord) => Object.fromEntries(r.phases.map((p) => [p.name, p]));

describe('teardown after a killed runner', () => {
  test('a main phase that spins past its timeout: ERROR, the teardown runs in the same run with the supply still on, then the next unit', async () => {
    let refused = '';
    const r = await runWith('K-busy', { mode: 'busy' }, async (runId) => {
      await ts.events.waitFor('socket.changed', (e) => e.data.state === 'cleanup', { afterSeq: ts.events.ofKind('run.started', runId)[0]!.seq });
      // A scan while it cleans up is refused with that reason.
      const next = await ts.station.invoke('run.start', { serialNumber: 'K-next' });
      refused = next.ok ? 'accepted' : next.error.message;
      expect(ts.station.snapshot().sockets[0]!.message).toBe('Cleaning up…');
    });
    expect(refused).toBe('Cleaning up… socket 1 is running the teardown of K-busy, whose run was stopped; scan again when it is done');
    expect(r.outcome).toBe('ERROR');
    expect(r.outcomeReason).toBe('phase main_phase did not end within its timeout (400 ms); the runner was restarted');
    const p = byName(r);
    expect(p.main_phase!.error?.kind).toBe('timeout');
    // The main phases after the one cut do not run; the teardown does.
    expect(p.long_phase).toBeUndefined();
    expect(p.power_off!.outcome).toBe('PASS');
    expect(p.power_off!.measurements.map((m) => [m.name, m.value])).toEqual([
      ['was_on', true],
      ['output_off', true],
    ]);
    // runIf sees the phases the killed runner ran; the unit is the run's.
    expect(p.teardown_note!.outcome).toBe('PASS');
    expect(p.teardown_note!.logs.map((l) => l.message)).toContain('teardown of K-busy');
    // The same run in the live stream: the teardown's events carry its id.
    expect(ts.events.ofKind('run.phaseEnded', r.id).map((e) => e.data.phase.name)).toEqual(['power_on', 'main_phase', 'power_off', 'teardown_note']);
    expect(lab.bench.psuOutput).toBe(false);

    const next = await runWith('K-pass', {});
    expect(next.outcome).toBe('PASS');
  });

  test('an abort that has to kill the runner: ABORTED, the teardown still runs', async () => {
    const r = await runWith('K-spin', { mode: 'spin' }, async (runId) => {
      await ts.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'long_phase');
      await ts.station.invoke('run.abort', { socket: 0 });
    });
    expect(r.outcome).toBe('ABORTED');
    const p = byName(r);
    expect(p.long_phase!.outcome).toBe('ABORTED');
    expect(p.after_main).toBeUndefined();
    expect(p.power_off!).toMatchObject({ outcome: 'PASS' });
    expect(p.power_off!.measurements[0]).toMatchObject({ name: 'was_on', value: true });
  });

  test('phase code that calls process.exit: ERROR (runner crashed), the teardown runs', async () => {
    const r = await runWith('K-exit', { mode: 'exit' });
    expect(r.outcome).toBe('ERROR');
    expect(r.outcomeReason).toBe('the runner process crashed (exit code 3) during the run');
    const p = byName(r);
    expect(p.main_phase!.error?.kind).toBe('runner-crashed');
    expect(p.power_off!.outcome).toBe('PASS');
    expect(p.power_off!.measurements[0]).toMatchObject({ name: 'was_on', value: true });
  });

  test('a teardown that hangs too is cut; the station switches the supply off and takes the next unit', async () => {
    const r = await runWith('K-hang', { mode: 'busy', tmode: 'hang' });
    expect(r.outcome).toBe('ERROR');
    expect(r.outcomeReason).toBe('phase main_phase did not end within its timeout (400 ms); the runner was restarted');
    const p = byName(r);
    expect(p.power_off!.outcome).toBe('ERROR');
    expect(p.power_off!.error?.kind).toBe('timeout');
    await until(() => lab.bench.psuOutput === false, 'supply off after the teardown was cut');
    const next = await runWith('K-pass-2', {});
    expect(next.outcome).toBe('PASS');
  });
});
