/**
 * Teardown runs after every kind of ending (pass, fail, error, timeout, abort) and
 * leaves the supply off; the main phase's ending decides the run's outcome.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import type { RunOutcome } from '#contract/records.ts';

let ts: TestStation;
beforeAll(async () => {
  ts = await openTestStation({ procedureId: 'teardown-always' });
});
afterAll(async () => {
  await ts.close();
});

async function runWith(mode: string, abortAfterStart = false) {
  const res = await ts.station.invoke('run.start', { serialNumber: `T-${mode}`, params: { mode } });
  if (!res.ok) throw new Error(res.error.message);
  const runId = (res.value as { runId: string }).runId;
  if (abortAfterStart) {
    await ts.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'main_phase');
    await ts.station.invoke('run.abort', { socket: 0 });
  }
  await ts.ended(runId);
  await ts.station.ready();
  return ts.record(runId);
}

describe('teardown after every ending', () => {
  test.each<[string, RunOutcome, string, boolean]>([
    ['pass', 'PASS', 'PASS', false],
    ['fail', 'FAIL', 'FAIL', false],
    ['throw', 'ERROR', 'ERROR', false],
    ['timeout', 'ERROR', 'ERROR', false],
    ['wait', 'ABORTED', 'ABORTED', true],
  ])('main phase %s → run %s; teardown PASS with the supply off', async (mode, runOutcome, mainOutcome, abort) => {
    const r = await runWith(mode, abort);
    expect(r.outcome).toBe(runOutcome);
    const byName = Object.fromEntries(r.phases.map((p) => [p.name, p]));
    expect(byName.main_phase!.outcome).toBe(mainOutcome);
    expect(byName.power_off!.outcome).toBe('PASS');
    expect(byName.power_off!.measurements[0]).toMatchObject({ name: 'output_off', value: true });
    // After an abort the remaining main phases are skipped; otherwise they run.
    expect(byName.after_main!.outcome).toBe(abort ? 'SKIP' : 'PASS');
  });

  test('a timeout names its cause; an exception its message', async () => {
    const t = await runWith('timeout');
    expect(t.phases.find((p) => p.name === 'main_phase')!.error).toEqual({ kind: 'timeout', message: 'phase timed out after 400 ms' });
    const e = await runWith('throw');
    expect(e.phases.find((p) => p.name === 'main_phase')!.error).toMatchObject({ kind: 'exception', message: 'fixture exploded' });
    expect(e.outcomeReason).toBe('main_phase: fixture exploded');
  });
});
