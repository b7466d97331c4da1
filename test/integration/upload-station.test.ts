/**
 * The upload queue inside a real station: targets from settings, a finished run
 * queued in the transaction that ends it and delivered, the operator's and the
 * supervisor's view in the snapshot, the supervisor's commands through invoke,
 * and settings mistakes named by field.
 */
import { afterEach, expect, test } from 'vitest';
import type { StationSnapshot } from '#contract/commands.ts';
import type { ParkedRun, UploadStatus } from '#contract/upload.ts';
import { parseSettings } from '#station/settings/settings.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { PEOPLE, loginAs, type Invoke } from '../helpers/people.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { startFakeTofuPilot } from '../helpers/tofupilot-server.ts';
import { SHIPPED_SEQUENCES } from '../helpers/paths.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(fault?: Parameters<typeof startReceiver>[0]): Promise<{ ts: TestStation; r: Receiver }> {
  const r = await startReceiver(fault);
  cleanups.push(() => r.close());
  const ts = await openTestStation({
    procedureId: 'quick',
    settings: { uploadTargets: [{ id: 'mes', kind: 'http', url: r.url, token: 't' }], uploadRetry: { firstDelayMs: 10, maxDelayMs: 100 } },
  });
  cleanups.push(() => ts.close());
  return { ts, r };
}

async function call<T>(ts: TestStation, name: string, input: unknown): Promise<T> {
  const res = await ts.station.invoke(name, input);
  if (!res.ok) throw new Error(`${name}: ${res.error.kind}: ${res.error.message}`);
  return res.value as T;
}

test('a finished run is queued with its end and arrives at the target; the snapshot shows online and nothing waiting', async () => {
  const { ts, r } = await setup();
  const runId = await ts.start('Q-1');
  await ts.ended(runId);
  await ts.events.waitFor('upload.delivered', (e) => e.runId === runId);
  expect(JSON.parse(r.runs.get(runId)![0]!.body)).toEqual(await ts.record(runId));
  await ts.events.waitFor('upload.queueChanged', (e) => e.data.waitingRuns === 0 && e.data.targets[0]!.delivered === 1);
  const snap = await call<StationSnapshot>(ts, 'station.snapshot', {});
  expect(snap.upload).toMatchObject({ online: true, waitingRuns: 0, parkedRuns: 0, targets: [{ id: 'mes', kind: 'http', state: 'idle', delivered: 1 }] });
  expect(await call<UploadStatus>(ts, 'upload.status', {})).toEqual(snap.upload);
});

test("a run's attachments reach TofuPilot from the station's own files: the bytes whole (sha256 as in the record) and linked to the run", async () => {
  const tp = await startFakeTofuPilot({ key: 'tp-key' });
  cleanups.push(() => tp.close());
  const ts = await openTestStation({
    procedureId: 'example-series',
    sequenceFolder: SHIPPED_SEQUENCES,
    settings: {
      uploadTargets: [{ id: 'tofupilot', kind: 'tofupilot', url: tp.url, apiKey: 'tp-key', defaultProcedureId: 'proc-uuid', partNumber: 'PCB-01' }],
      uploadRetry: { firstDelayMs: 10, maxDelayMs: 100 },
    },
  });
  cleanups.push(() => ts.close());
  const runId = await ts.start('EX-41');
  await ts.ended(runId, 15_000);
  await ts.events.waitFor('upload.delivered', (e) => e.runId === runId, { timeoutMs: 15_000 });
  const attached = (await ts.record(runId)).phases.flatMap((p) => p.attachments ?? []);
  expect(attached.map((a) => a.name)).toEqual(['ramp.csv']);
  // One run created in TofuPilot, and the PATCH links the upload to it.
  expect(tp.calls.filter((c) => c.method === 'POST' && c.path === '/api/v2/runs')).toHaveLength(1);
  expect(JSON.parse(tp.calls.find((c) => c.method === 'POST' && c.path === '/api/v2/runs')!.body)).toMatchObject({ serial_number: 'EX-41' });
  const got = tp.attachmentsOf('tp-run-1');
  expect(got.map((u) => [u.name, u.contentType, u.sha256, u.bytes!.byteLength])).toEqual(attached.map((a) => [a.name, a.mediaType, a.sha256, a.size]));
  // Byte for byte what attachments.get answers on the station.
  const local = await call<{ base64: string }>(ts, 'attachments.get', { sha256: attached[0]!.sha256 });
  expect(got[0]!.bytes).toEqual(Buffer.from(local.base64, 'base64'));
});

test('a parked run through the commands: listed with the reason, retried and dropped by the supervisor logged in', async () => {
  let accept = false;
  const { ts } = await setup({ fault: () => (accept ? { kind: 'ok' } : { kind: 'status', status: 422, message: 'operator unknown' }) });
  const a = await ts.start('Q-2');
  await ts.events.waitFor('upload.parked', (e) => e.runId === a);
  const b = await ts.start('Q-3');
  await ts.events.waitFor('upload.parked', (e) => e.runId === b);
  // The operator's screen may not; a supervisor may, and who it was comes from the login, never from the input.
  const asOperator = await ts.station.invoke('upload.retry', { runIds: [a] });
  expect(asOperator).toMatchObject({
    ok: false,
    error: { kind: 'forbidden', message: 'upload.retry needs the role supervisor (you are logged in as an operator)' },
  });
  const invoke: Invoke = (name, input) => ts.station.invoke(name, input);
  await loginAs(invoke, 'supervisor');
  const named = await invoke('upload.retry', { by: 'NOBODY-AT-ALL', runIds: [a] });
  expect(named).toMatchObject({ ok: false, error: { kind: 'invalid-input', message: 'by: who acts is taken from your login; leave by out' } });
  const { runs } = await call<{ runs: ParkedRun[] }>(ts, 'upload.listParked', {});
  expect(runs.map((p) => [p.serialNumber, p.reason]).sort()).toEqual([
    ['Q-2', 'HTTP 422 Unprocessable Entity: operator unknown'],
    ['Q-3', 'HTTP 422 Unprocessable Entity: operator unknown'],
  ]);
  const unknownRun = await invoke('upload.drop', { runIds: ['nope'] });
  expect(unknownRun).toMatchObject({
    ok: false,
    error: { kind: 'not-found', message: 'nothing to drop: no parked or pending upload for any target, run(s) nope' },
  });

  accept = true;
  expect(await call(ts, 'upload.retry', { target: 'mes', runIds: [a] })).toEqual({ count: 1 });
  await ts.events.waitFor('upload.delivered', (e) => e.runId === a);
  expect(await call(ts, 'upload.drop', { runIds: [b], reason: 'test unit' })).toEqual({ count: 1 });
  expect(await call(ts, 'upload.listParked', {})).toEqual({ runs: [] });
  const retried = ts.events.ofKind('upload.retried')[0]!;
  expect(retried.data).toEqual({ by: PEOPLE.supervisor.badge, target: 'mes', runIds: [a] });
  expect(ts.events.ofKind('upload.dropped')[0]!.data).toEqual({ by: PEOPLE.supervisor.badge, target: null, runIds: [b], reason: 'test unit' });
});

test('settings: upload target mistakes are named by field, and the rest of the settings stand', () => {
  const { settings, problems } = parseSettings(
    {
      stationName: 'Line 2',
      uploadTargets: [
        { id: 'mes', kind: 'http', url: 'ftp://mes/runs' },
        { id: 'mes', kind: 'folder', path: '/srv/drop', format: 'csv' },
        { id: 'db', kind: 'postgres', connectionString: 'mysql://x' },
        { id: 'tp', kind: 'tofupilot' },
      ],
      uploadRetry: { firstDelayMs: 60_000, maxDelayMs: 1000 },
    },
    '/data/settings.json',
  );
  // One line per field, each saying what stood in (no last good copy here: the default).
  expect(problems).toEqual([
    '/data/settings.json: uploadTargets.0.url: url must be an http:// or https:// URL; uploadTargets.1.format: Invalid option: expected one of "native"|"ocp"|"openhtf"; uploadTargets.2.connectionString: connectionString must start with postgres:// or postgresql://; uploadTargets.3.apiKey: Invalid input: expected string, received undefined — used the default uploadTargets (no targets): there is no last good copy yet',
    '/data/settings.json: uploadRetry.maxDelayMs: maxDelayMs must be at least firstDelayMs — used the default uploadRetry ({"firstDelayMs":15000,"maxDelayMs":3600000,"jitter":0.2}): there is no last good copy yet',
  ]);
  expect(settings.stationName).toBe('Line 2');
  expect(settings.uploadTargets).toEqual([]);
  expect(settings.uploadRetry).toEqual({ firstDelayMs: 15_000, maxDelayMs: 3_600_000, jitter: 0.2 });
  const dup = parseSettings(
    {
      uploadTargets: [
        { id: 'a', kind: 'folder', path: '/x' },
        { id: 'a', kind: 'folder', path: '/y' },
      ],
    },
    's.json',
  );
  expect(dup.problems).toEqual([
    's.json: uploadTargets.1.id: target id "a" is used twice: each target needs its own id — used the default uploadTargets (no targets): there is no last good copy yet',
  ]);
});
