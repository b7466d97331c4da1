/**
 * What phase code sees of its context, on a real station with a real runner process, as
 * docs/sequences.md ("The phase context") says: ctx.unit with the fields the serial
 * pattern names, ctx.phase.attempt on a retry, module-level state that lives across runs
 * in the long-lived runner, ctx.log with its source line and ctx.attach.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PhaseRecord, RunRecord } from '#contract/records.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';

let t: TestStation;
beforeAll(async () => {
  t = await openTestStation({ procedureId: 'context' });
});
afterAll(() => t.close());

async function run(serial: string): Promise<RunRecord> {
  const runId = await t.start(serial);
  await t.ended(runId);
  return t.record(runId);
}

const values = (p: PhaseRecord | undefined) => Object.fromEntries((p?.measurements ?? []).map((m) => [m.name, m.value]));
const phase = (rec: RunRecord, name: string) => rec.phases.filter((p) => p.name === name).at(-1);

describe('the phase context', () => {
  test('ctx.unit carries every field the serial pattern names, not only the serial number', async () => {
    const rec = await run('CTX-B07-2611-1');
    expect(rec.unit).toMatchObject({ serialNumber: 'CTX-B07-2611-1', revision: 'B', batch: '07', dateCode: '2611' });
    expect(values(phase(rec, 'unit_fields'))).toEqual({ serial: 'CTX-B07-2611-1', revision: 'B', batch: '07', date_code: '2611' });
  });

  test('ctx.phase.attempt counts from 1; every retry is its own record', async () => {
    const rec = await run('CTX-A01-2611-2');
    expect(rec.phases.filter((p) => p.name === 'flaky').map((p) => [p.attempt, p.outcome, values(p).attempt])).toEqual([
      [1, 'FAIL', 1],
      [2, 'FAIL', 2],
      [3, 'PASS', 3],
    ]);
  });

  test('module-level state lives across runs in the long-lived runner; a setup phase resets what must not', async () => {
    const first = values(phase(await run('CTX-A01-2611-3'), 'across_runs'));
    const second = values(phase(await run('CTX-A01-2611-4'), 'across_runs'));
    expect(second.runs_in_this_runner).toBe(Number(first.runs_in_this_runner) + 1);
    expect(first.runs_since_setup).toBe(1);
    expect(second.runs_since_setup).toBe(1);
  });

  test('ctx.log lines carry the file and line that logged them; ctx.attach keeps a file by its hash', async () => {
    const p = phase(await run('CTX-A01-2611-5'), 'logs_and_files')!;
    expect(p.logs).toEqual([expect.objectContaining({ level: 'info', message: 'phase logs_and_files, attempt 1', source: 'context/phases.ts:31' })]);
    expect(p.attachments).toEqual([expect.objectContaining({ name: 'readout.csv', mediaType: 'text/csv', size: 18 })]);
  });
});
