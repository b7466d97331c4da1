/**
 * What a broken phase leaves in the record, on a real station with a real runner: a
 * measurement procedure.yaml does not declare is kept but never passes (the phase is
 * ERROR: the procedure is at fault, not the unit), and a phase that throws is recorded
 * with the file and line of the throw in the procedure's code, the stack in its log.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PhaseRecord, RunRecord } from '#contract/records.ts';
import { NOT_DECLARED } from '#station/engine/engine.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';

const phaseOf = (rec: RunRecord, name: string): PhaseRecord => rec.phases.find((p) => p.name === name)!;

describe('a measurement procedure.yaml does not declare', () => {
  let t: TestStation;
  let rec: RunRecord;
  let runId: string;
  beforeAll(async () => {
    t = await openTestStation({ procedureId: 'undeclared' });
    runId = await t.start('UND-1');
    await t.ended(runId);
    rec = await t.record(runId);
  });
  afterAll(() => t.close());

  test('is kept, unchecked (UNSET, no limits, the reason in words), and its phase is ERROR naming the name, the declared ones and the line', () => {
    const typo = phaseOf(rec, 'typo');
    expect(typo.outcome).toBe('ERROR');
    expect(typo.error).toEqual({
      kind: 'undeclared-measurement',
      message: 'measurement "v_3v33" is not declared in procedure.yaml for this phase (it declares v_3v3)',
      source: 'phases.ts:5',
    });
    expect(typo.measurements).toEqual([
      expect.objectContaining({ name: 'v_3v3', value: null, outcome: 'UNSET', reason: 'declared but never measured' }),
      { name: 'v_3v33', value: 3.3, units: 'V', outcome: 'UNSET', undeclared: true, reason: NOT_DECLARED },
    ]);
  });

  test('several in one phase are named together; a series is kept with its points and the line that started it', () => {
    const none = phaseOf(rec, 'no_declarations');
    expect(none).toMatchObject({
      outcome: 'ERROR',
      error: {
        kind: 'undeclared-measurement',
        message: 'measurements "note", "count" are not declared in procedure.yaml for this phase (it declares no measurements)',
        source: 'phases.ts:9',
      },
    });
    expect(none.measurements.map((m) => [m.name, m.value, m.outcome, m.undeclared])).toEqual([
      ['note', 'fixture B', 'UNSET', true],
      ['count', 2, 'UNSET', true],
    ]);
    const series = phaseOf(rec, 'undeclared_series');
    expect(series).toMatchObject({ outcome: 'ERROR', error: { kind: 'undeclared-measurement', source: 'phases.ts:14' } });
    expect(series.measurements).toEqual([
      {
        name: 'iv',
        value: [
          [0.1, 2],
          [0.2, 4],
        ],
        outcome: 'UNSET',
        undeclared: true,
        reason: NOT_DECLARED,
      },
    ]);
  });

  test('declared without limits is the way to keep a value for information: it passes', () => {
    expect(phaseOf(rec, 'declared_fine')).toMatchObject({ outcome: 'PASS', measurements: [{ name: 'note', value: 'fixture B', outcome: 'PASS' }] });
  });

  test('the run is ERROR, not PASS and not FAIL; the live stream marks the measurement as undeclared for the operator screen', async () => {
    expect(rec.outcome).toBe('ERROR');
    expect(rec.outcomeReason).toBe('typo: measurement "v_3v33" is not declared in procedure.yaml for this phase (it declares v_3v3)');
    const live = t.events.ofKind('run.measured', runId).flatMap((e) => e.data.measurements);
    expect(live.find((m) => m.name === 'v_3v33')).toMatchObject({ outcome: 'UNSET', undeclared: true, reason: NOT_DECLARED });
  });
});

describe('a phase that throws', () => {
  let t: TestStation;
  let rec: RunRecord;
  beforeAll(async () => {
    t = await openTestStation({ procedureId: 'throws-where' });
    const runId = await t.start('THROW-1');
    await t.ended(runId);
    rec = await t.record(runId);
  });
  afterAll(() => t.close());

  test('is recorded with the file and line of the throw, the message as it was, and the stack in its log', () => {
    const p = phaseOf(rec, 'throws_here');
    expect(p.outcome).toBe('ERROR');
    expect(p.error).toMatchObject({ kind: 'exception', message: 'relay K3 did not close', source: 'phases.ts:6' });
    // The module's cache-busting query (?v=…) is not part of the file name a reader looks for.
    expect(p.error!.stack).toMatch(/^Error: relay K3 did not close\n\s+at throws_here \(file:\/\/\S+\/throws-where\/phases\.ts:6:9\)/);
    expect(p.logs).toEqual([{ level: 'error', ts: expect.any(String), message: p.error!.stack, source: 'phases.ts:6' }]);
  });

  test('a throw in a helper module beside phases.ts names that file; a throw inside Node names the phase line that called it', () => {
    expect(phaseOf(rec, 'throws_in_helper').error).toMatchObject({
      kind: 'exception',
      message: 'relay K4 is not fitted on this fixture',
      source: 'relays.ts:3',
    });
    expect(phaseOf(rec, 'throws_in_library').error).toMatchObject({ kind: 'exception', source: 'phases.ts:15' });
  });

  test('a thrown value that is not an Error has no stack to name a line from: the message and a log line say what was thrown', () => {
    const p = phaseOf(rec, 'throws_a_string');
    expect(p.error).toEqual({ kind: 'exception', message: 'not an Error' });
    expect(p.logs.map((l) => [l.level, l.message, l.source])).toEqual([['error', 'the phase threw not an Error', undefined]]);
  });
});
