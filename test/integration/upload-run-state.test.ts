/**
 * One run's upload state per target (`upload.forRun`, the run page's Uploads) in a
 * real station with real receivers on 127.0.0.1: delivered, refused (parked), waiting
 * on an unreachable target, in flight, never queued (a disabled target, a target added
 * after the run, an imported run, a run still running), rows of a target since removed,
 * a supervisor's retry seen through it, and bad input named by field.
 */
import { afterEach, expect, test } from 'vitest';
import type { RunUpload } from '#contract/upload.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { plainRun } from '../helpers/run-records.ts';
import { tempDir } from '../helpers/paths.ts';
import { loginAs } from '../helpers/people.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(opts: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const r = await startReceiver(opts);
  cleanups.push(() => r.close());
  return r;
}

async function call<T>(ts: TestStation, name: string, input: unknown): Promise<T> {
  const res = await ts.station.invoke(name, input);
  if (!res.ok) throw new Error(`${name}: ${res.error.kind}: ${res.error.message}`);
  return res.value as T;
}

const forRun = async (ts: TestStation, runId: string): Promise<RunUpload[]> =>
  (await call<{ runId: string; uploads: RunUpload[] }>(ts, 'upload.forRun', { runId })).uploads;
const byTarget = (uploads: RunUpload[]): Record<string, RunUpload> => Object.fromEntries(uploads.map((u) => [u.target, u]));

test('delivered, parked, waiting, sending and not queued, one row per target in settings order; a retry moves the parked row', async () => {
  const mes = await receiver();
  let accept = false;
  const plm = await receiver({ fault: () => (accept ? { kind: 'ok' } : { kind: 'status', status: 422, message: 'unknown part number' }) });
  const slow = await receiver({ fault: () => ({ kind: 'hang' }) });
  // Reserved, then let go: nothing listens there.
  const gone = await startReceiver();
  await gone.close();
  const folder = tempDir('passline-archive-');
  cleanups.push(() => folder.remove());

  const dataDir = tempDir('passline-station-');
  cleanups.push(() => dataDir.remove());
  const targets = [
    { id: 'mes', kind: 'http', url: mes.url },
    { id: 'plm', kind: 'http', url: plm.url },
    { id: 'lims', kind: 'http', url: gone.url, timeoutMs: 2000 },
    { id: 'slow', kind: 'http', url: slow.url, timeoutMs: 60_000 },
    { id: 'archive', kind: 'folder', path: folder.dir, enabled: false },
  ];
  // Retries far off: the waiting row stays waiting while the test looks at it.
  const settings = { uploadTargets: targets, uploadRetry: { firstDelayMs: 60_000, maxDelayMs: 120_000 } };
  const ts = await openTestStation({ procedureId: 'quick', dataDir: dataDir.dir, settings });
  let open: TestStation | null = ts;
  cleanups.push(() => open?.close({ keepData: true }));

  const runId = await ts.start('Q-1');
  const ended = await ts.ended(runId);
  const record = await ts.record(runId);
  await ts.events.waitFor('upload.delivered', (e) => e.runId === runId && e.data.target === 'mes');
  await ts.events.waitFor('upload.parked', (e) => e.runId === runId && e.data.target === 'plm');
  const failed = await ts.events.waitFor('upload.failed', (e) => e.runId === runId && e.data.target === 'lims');
  await slow.requestsReach(1);

  const uploads = await forRun(ts, runId);
  expect(uploads.map((u) => [u.target, u.state])).toEqual([
    ['mes', 'delivered'],
    ['plm', 'parked'],
    ['lims', 'queued'],
    ['slow', 'sending'],
    ['archive', 'not-queued'],
  ]);
  const u = byTarget(uploads);
  expect(u.mes).toEqual({
    target: 'mes',
    kind: 'http',
    label: mes.url,
    targetState: 'enabled',
    state: 'delivered',
    attempts: 1,
    lastError: null,
    queuedAt: record.endedAt,
    nextAttemptAt: null,
    updatedAt: u.mes!.deliveredAt,
    deliveredAt: expect.any(String),
    remoteRef: null,
    note: null,
  });
  expect(Date.parse(u.mes!.deliveredAt!)).toBeGreaterThanOrEqual(Date.parse(ended.ts));
  expect(u.plm).toMatchObject({
    state: 'parked',
    attempts: 1,
    lastError: 'HTTP 422 Unprocessable Entity: unknown part number',
    nextAttemptAt: null,
    deliveredAt: null,
  });
  expect(u.lims).toMatchObject({ state: 'queued', targetState: 'enabled', attempts: 1, lastError: failed.data.error, deliveredAt: null });
  expect(u.lims!.lastError).toMatch(/^connection refused by 127\.0\.0\.1:\d+ \(is the receiver running\?\)/);
  // The whole target waits too (unreachable): the later of the run's backoff and the target's pause.
  expect(Date.parse(u.lims!.nextAttemptAt!)).toBeGreaterThanOrEqual(Date.parse(failed.data.nextAttemptAt));
  expect(Date.parse(u.lims!.nextAttemptAt!) - Date.now()).toBeGreaterThan(30_000);
  expect(u.slow).toMatchObject({ state: 'sending', attempts: 0, lastError: null, nextAttemptAt: null });
  expect(u.archive).toEqual({
    target: 'archive',
    kind: 'folder',
    label: 'archive',
    targetState: 'disabled',
    state: 'not-queued',
    attempts: 0,
    lastError: null,
    queuedAt: null,
    nextAttemptAt: null,
    updatedAt: null,
    deliveredAt: null,
    remoteRef: null,
    note: 'the target is disabled',
  });

  // A supervisor sends the parked run again once the target takes the part number.
  accept = true;
  await loginAs((name, input) => ts.station.invoke(name, input), 'supervisor');
  expect(await call(ts, 'upload.retry', { target: 'plm', runIds: [runId] })).toEqual({ count: 1 });
  await ts.events.waitFor('upload.delivered', (e) => e.runId === runId && e.data.target === 'plm');
  expect(byTarget(await forRun(ts, runId)).plm).toMatchObject({ state: 'delivered', attempts: 2, lastError: null, deliveredAt: expect.any(String) });

  // An imported run was never queued anywhere.
  const imported = plainRun('IMP-1');
  expect(await call(ts, 'runs.import', { format: 'native', content: JSON.stringify(imported) })).toEqual({ imported: [imported.id], skipped: [] });
  const importedUploads = await forRun(ts, imported.id);
  expect(importedUploads.map((x) => [x.target, x.state, x.note])).toEqual([
    ['mes', 'not-queued', 'this run was never queued here: it was imported, or ended before any target was set up'],
    ['plm', 'not-queued', 'this run was never queued here: it was imported, or ended before any target was set up'],
    ['lims', 'not-queued', 'this run was never queued here: it was imported, or ended before any target was set up'],
    ['slow', 'not-queued', 'this run was never queued here: it was imported, or ended before any target was set up'],
    ['archive', 'not-queued', 'the target is disabled'],
  ]);

  // Restart with other targets: one added (the old run was not queued for it), the others removed (their rows stay).
  await ts.close({ keepData: true });
  open = null;
  const added = { id: 'qms', kind: 'folder', path: folder.dir };
  const again = await openTestStation({ procedureId: 'quick', dataDir: dataDir.dir, settings: { ...settings, uploadTargets: [targets[0], added] } });
  open = again;
  const after = await forRun(again, runId);
  expect(after.map((x) => [x.target, x.kind, x.targetState, x.state, x.note])).toEqual([
    ['mes', 'http', 'enabled', 'delivered', null],
    ['qms', 'folder', 'enabled', 'not-queued', 'the target was added or enabled after this run ended'],
    ['plm', 'unknown', 'removed', 'delivered', null],
    ['lims', 'unknown', 'removed', 'queued', null],
    ['slow', 'unknown', 'removed', 'queued', null],
  ]);
  // Nobody sends for a removed target: no next attempt to show.
  expect(byTarget(after).lims).toMatchObject({ attempts: 1, nextAttemptAt: null, label: 'lims' });
});

test('a run still running is not queued yet', async () => {
  // The hang fixture's second phase ignores its timeout until the watchdog cuts it: the run is RUNNING for seconds.
  const ts = await openTestStation({ procedureId: 'hang', settings: { uploadTargets: [{ id: 'mes', kind: 'folder', path: '/nonexistent-passline' }] } });
  cleanups.push(() => ts.close());
  const runId = await ts.start('H-1');
  await ts.events.waitFor('run.phaseStarted', (e) => e.runId === runId && e.data.name === 'never');
  expect(await forRun(ts, runId)).toMatchObject([{ target: 'mes', state: 'not-queued', note: 'the run is still running: it is queued when it ends' }]);
  await ts.ended(runId);
  expect(await forRun(ts, runId)).toMatchObject([
    { target: 'mes', state: expect.stringMatching(/^(queued|sending)$/), queuedAt: expect.any(String), note: null },
  ]);
});

test('bad input is named by field; an unknown run is not found', async () => {
  const ts = await openTestStation({ procedureId: 'quick' });
  cleanups.push(() => ts.close());
  expect(await ts.station.invoke('upload.forRun', {})).toMatchObject({
    ok: false,
    error: { kind: 'invalid-input', message: 'runId: Invalid input: expected string, received undefined' },
  });
  expect(await ts.station.invoke('upload.forRun', { runId: '  ' })).toMatchObject({
    ok: false,
    error: { kind: 'invalid-input', message: 'runId: give the id of a run' },
  });
  expect(await ts.station.invoke('upload.forRun', { runId: 42 })).toMatchObject({
    ok: false,
    error: { kind: 'invalid-input', message: 'runId: Invalid input: expected string, received number' },
  });
  expect(await ts.station.invoke('upload.forRun', { runId: 'x', target: 'mes' })).toMatchObject({
    ok: false,
    error: { kind: 'invalid-input', message: expect.stringContaining('target') },
  });
  expect(await ts.station.invoke('upload.forRun', { runId: 'no-such-run' })).toMatchObject({
    ok: false,
    error: { kind: 'not-found', message: 'no run with id no-such-run' },
  });
  // No target configured: a run has nothing to show.
  const runId = await ts.start('Q-3');
  await ts.ended(runId);
  expect(await ts.station.invoke('upload.forRun', { runId })).toEqual({ ok: true, value: { runId, uploads: [] } });
});
