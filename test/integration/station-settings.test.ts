/**
 * The Settings screen's commands on a real station: a supervisor's act only, the schema's
 * refusal naming the field (and nothing saved), live upload targets, masked secrets,
 * restart-only fields, the audit entry, and a test run to one target.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { CommandOutput } from '#contract/commands.ts';
import type { AuditEntry } from '#contract/audit.ts';
import { SECRET_MASK } from '#contract/station-settings.ts';
import { LAST_GOOD_FILE } from '#station/settings/settings.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { loginAs, type Invoke } from '../helpers/people.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SECRET = 'very-secret-token-1234';

async function open(settings: Record<string, unknown> = {}): Promise<{ ts: TestStation; invoke: Invoke }> {
  const ts = await openTestStation({
    procedureId: 'quick',
    settings: {
      uploadTargets: [{ id: 'mes', kind: 'http', url: 'http://127.0.0.1:9/runs', token: SECRET, enabled: false }],
      uploadRetry: { firstDelayMs: 10, maxDelayMs: 100 },
      ...settings,
    },
  });
  cleanups.push(() => ts.close());
  const invoke: Invoke = (name, input) => ts.station.invoke(name, input);
  return { ts, invoke };
}

async function call<K extends 'settings.get' | 'settings.update' | 'upload.testTarget'>(invoke: Invoke, name: K, input: unknown): Promise<CommandOutput<K>> {
  const r = await invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.kind}: ${r.error.message}`);
  return r.value as CommandOutput<K>;
}

const settingsFile = (ts: TestStation) => join(ts.dataDir, 'settings.json');

test('an operator may neither read nor change the settings', async () => {
  const { ts, invoke } = await open();
  await loginAs(invoke, 'operator');
  for (const [name, input] of [
    ['settings.get', {}],
    ['settings.update', { changes: { stationName: 'Mine' } }],
    ['upload.testTarget', { target: { id: 'x', kind: 'folder', path: '/tmp' } }],
  ] as const) {
    const r = await invoke(name, input);
    expect(r.ok ? null : r.error.kind, name).toBe('forbidden');
  }
  expect(existsSync(settingsFile(ts))).toBe(false);
});

test("a supervisor's bad value is refused naming the field, and nothing is saved or changed", async () => {
  const { ts, invoke } = await open();
  await loginAs(invoke, 'supervisor');
  const r = await invoke('settings.update', {
    changes: {
      stationName: 'Line 3 / ICT',
      uploadTargets: [
        { id: 'mes', kind: 'http', url: 'http://127.0.0.1:9/runs', token: SECRET_MASK, enabled: false },
        { id: 'lake', kind: 'http', url: 'ftp://nowhere' },
      ],
    },
  });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.kind).toBe('invalid-input');
  expect(r.error.message).toMatch(/^uploadTargets\.1\.url: url must be an http:\/\/ or https:\/\/ URL/);
  expect(existsSync(settingsFile(ts))).toBe(false);
  expect(ts.station.snapshot().station.name).toBe('Passline station');
  expect(ts.station.snapshot().upload.targets.map((t) => t.id)).toEqual(['mes']);
});

test('a new folder upload target takes effect with no restart: the next run lands in the folder', async () => {
  const { ts, invoke } = await open();
  const folder = tempDir('passline-drop-');
  cleanups.push(() => folder.remove());
  await loginAs(invoke, 'supervisor');
  const got = await call(invoke, 'settings.get', {});
  const out = await call(invoke, 'settings.update', {
    changes: { uploadTargets: [...got.settings.uploadTargets, { id: 'drop', kind: 'folder', path: folder.dir }], stationName: 'Line 3' },
    reason: 'MES watches this share',
  });
  expect(out).toEqual({ applied: ['uploadTargets', 'stationName'], needsRestart: [] });
  expect(ts.station.snapshot().station.name).toBe('Line 3');
  expect(ts.station.snapshot().upload.targets.map((t) => [t.id, t.state])).toEqual([
    ['mes', 'disabled'],
    ['drop', 'idle'],
  ]);
  const runId = await ts.start('Q-77');
  await ts.ended(runId);
  await ts.events.waitFor('upload.delivered', (e) => e.runId === runId && e.data.target === 'drop');
  expect(readdirSync(folder.dir)).toEqual([`Q-77_${runId}.json`]);
  // Saved, and the last good copy is the same.
  const saved = JSON.parse(readFileSync(settingsFile(ts), 'utf8')) as { uploadTargets: { id: string; token?: string }[] };
  expect(saved.uploadTargets.map((t) => t.id)).toEqual(['mes', 'drop']);
  const lastGood = JSON.parse(readFileSync(join(ts.dataDir, LAST_GOOD_FILE), 'utf8')) as { settings: unknown };
  expect(lastGood.settings).toEqual(saved);
});

test('secrets never come back in clear, and a masked secret sent back keeps the stored one', async () => {
  const { ts, invoke } = await open({
    uploadTargets: [
      {
        id: 'mes',
        kind: 'http',
        url: 'http://127.0.0.1:9/runs',
        token: SECRET,
        headers: { 'X-Api-Key': 'header-key-7', 'X-Tenant': 'plant-4' },
        enabled: false,
      },
      { id: 'pg', kind: 'postgres', connectionString: 'postgres://line:pg-password-9@127.0.0.1:9/plant', enabled: false },
    ],
  });
  await loginAs(invoke, 'supervisor');
  const got = await call(invoke, 'settings.get', {});
  const text = JSON.stringify(got);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('pg-password-9');
  expect(text).not.toContain('header-key-7');
  expect(got.settings.uploadTargets[0]).toMatchObject({ token: SECRET_MASK, headers: { 'X-Api-Key': SECRET_MASK, 'X-Tenant': 'plant-4' } });
  expect(got.settings.uploadTargets[1]).toMatchObject({ connectionString: `postgres://line:${SECRET_MASK}@127.0.0.1:9/plant` });
  expect(got.secrets).toEqual([
    { path: 'uploadTargets.0.token', set: true },
    { path: 'uploadTargets.0.headers.X-Api-Key', set: true },
    { path: 'uploadTargets.1.connectionString', set: true },
  ]);
  // The screen sends back what it read, with one other field changed.
  const [mes, pg] = got.settings.uploadTargets;
  await call(invoke, 'settings.update', { changes: { uploadTargets: [{ ...mes!, timeoutMs: 5000 }, pg!] } });
  const saved = JSON.parse(readFileSync(settingsFile(ts), 'utf8')) as { uploadTargets: Record<string, unknown>[] };
  expect(saved.uploadTargets[0]).toMatchObject({ token: SECRET, timeoutMs: 5000, headers: { 'X-Api-Key': 'header-key-7', 'X-Tenant': 'plant-4' } });
  expect(saved.uploadTargets[1]).toMatchObject({ connectionString: 'postgres://line:pg-password-9@127.0.0.1:9/plant' });
  expect(JSON.stringify(await call(invoke, 'settings.get', {}))).not.toContain(SECRET);
});

test('stationId and sockets are saved and answered as needing a restart; the running station keeps its own', async () => {
  const { ts, invoke } = await open();
  await loginAs(invoke, 'supervisor');
  const out = await call(invoke, 'settings.update', { changes: { stationId: 'ict-3', sockets: 2, retentionDays: 30 } });
  expect(out).toEqual({ applied: ['retentionDays'], needsRestart: ['stationId', 'sockets'] });
  expect(ts.station.snapshot().station.id).toBe('station-1');
  expect(ts.station.snapshot().sockets).toHaveLength(1);
  const got = await call(invoke, 'settings.get', {});
  expect(got.settings).toMatchObject({ stationId: 'ict-3', sockets: 2, retentionDays: 30 });
  expect(got.pendingRestart).toEqual(['stationId', 'sockets']);
  expect(got.restartFields).toEqual(expect.arrayContaining(['stationId', 'sockets', 'listenHost', 'listenPort', 'tls', 'allowedHosts', 'sequenceFolder']));
  expect(got.restartFields).not.toContain('uploadTargets');
});

test('settings.changed is audited with the author, the reason and the redacted diff', async () => {
  const { invoke } = await open();
  const badge = await loginAs(invoke, 'supervisor');
  const got = await call(invoke, 'settings.get', {});
  await call(invoke, 'settings.update', {
    changes: {
      uploadTargets: [{ ...got.settings.uploadTargets[0]!, token: 'a-new-secret-5678', headers: { Authorization: 'Basic header-secret-1' } }],
      requireBadgeLogin: false,
      sessionIdleMinutes: 30,
    },
    reason: 'new MES token',
  });
  const r = await invoke('audit.list', { action: 'settings.changed' });
  if (!r.ok) throw new Error(r.error.message);
  const [entry] = (r.value as { entries: AuditEntry[] }).entries;
  expect(entry).toMatchObject({ actor: badge, action: 'settings.changed' });
  const details = entry!.details as { reason: string; applied: string[]; diff: { path: string; before?: unknown; after?: unknown }[] };
  expect(details.reason).toBe('new MES token');
  expect(details.applied).toEqual(['uploadTargets', 'sessionIdleMinutes']);
  expect(details.diff).toEqual([
    { path: 'uploadTargets[0].token', before: expect.stringMatching(/^\(secret [0-9a-f]{8}\)$/), after: expect.stringMatching(/^\(secret [0-9a-f]{8}\)$/) },
    { path: 'uploadTargets[0].headers.Authorization', after: expect.stringMatching(/^\(secret [0-9a-f]{8}\)$/) },
    { path: 'sessionIdleMinutes', before: 15, after: 30 },
  ]);
  expect(JSON.stringify(entry)).not.toMatch(/very-secret|a-new-secret|header-secret/);
});

test("upload.testTarget sends a synthetic run and reports the target's refusal; nothing is queued or stored", async () => {
  const { ts, invoke } = await open();
  await loginAs(invoke, 'supervisor');
  const refusing = await startReceiver({ fault: () => ({ kind: 'status', status: 422, message: 'unknown part number' }) });
  cleanups.push(() => refusing.close());
  const bad = await call(invoke, 'upload.testTarget', { target: { id: 'mes2', kind: 'http', url: refusing.url } });
  expect(bad.ok).toBe(false);
  expect(bad.error).toMatch(/422|unknown part number/);

  const folder = tempDir('passline-test-drop-');
  cleanups.push(() => folder.remove());
  const good = await call(invoke, 'upload.testTarget', { target: { id: 'drop', kind: 'folder', path: folder.dir } });
  expect(good).toMatchObject({ ok: true, runId: expect.stringMatching(/^passline-test-/) });
  expect(readdirSync(folder.dir)).toEqual([`PASSLINE-TEST-RUN_${good.runId}.json`]);
  const missing = await call(invoke, 'upload.testTarget', { target: { id: 'drop', kind: 'folder', path: join(folder.dir, 'not-there') } });
  expect(missing.ok).toBe(false);
  expect(missing.error).toContain('not-there');

  const runs = await invoke('runs.list', {});
  expect(runs.ok && (runs.value as { runs: unknown[] }).runs).toEqual([]);
  expect(ts.station.snapshot().upload.waitingRuns).toBe(0);
});
