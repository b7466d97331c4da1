/**
 * Every change and privileged act leaves an entry, as a supervisor reads them on the Audit
 * screen: a real station on a real SQLite file, restarted on the same data, its procedure
 * folder edited on disk, and the trail shipped to a real PostgreSQL server.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { AuditEntry } from '#contract/audit.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { ADMIN, PEOPLE, loginAs, setUpPeople, type Invoke } from '../helpers/people.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(dataDir: string, settings: Record<string, unknown> = {}, sequenceFolder = FIXTURE_SEQUENCES): Promise<TestStation> {
  const t = await openTestStation({ procedureId: 'quick', dataDir, sequenceFolder, settings });
  cleanups.push(() => t.close({ keepData: true }));
  return t;
}

async function trail(invoke: Invoke, filter: Record<string, unknown> = {}): Promise<AuditEntry[]> {
  const r = await invoke('audit.list', { limit: 1000, ...filter });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { entries: AuditEntry[] }).entries;
}

const actions = (entries: AuditEntry[]): string[] => entries.map((e) => e.action).reverse();

describe('the audit trail of a station', () => {
  test('start and stop with the version and settings hash; a settings change between starts is recorded with its diff, secrets as fingerprints only', async () => {
    const data = tempDir('passline-trail-');
    cleanups.push(data.remove);
    const first = await open(data.dir, {
      uploadTargets: [{ id: 'mes', kind: 'http', url: 'http://127.0.0.1:9/runs', token: 'first-secret-token', enabled: false }],
    });
    await first.close({ keepData: true });
    const second = await open(data.dir, {
      sockets: 1,
      uploadTargets: [{ id: 'mes', kind: 'http', url: 'http://127.0.0.1:9/runs', token: 'second-secret-token', enabled: false }],
    });
    const invoke: Invoke = (name, input) => second.station.invoke(name, input);
    await loginAs(invoke, 'supervisor');
    const entries = await trail(invoke);
    expect(actions(entries).slice(0, 4)).toEqual(['station.started', 'procedure.changed', 'station.stopped', 'settings.changed']);
    const [started1, , stopped, changed, started2] = [...entries].reverse();
    expect(started1!.details).toMatchObject({ appVersion: expect.any(String), settingsHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(stopped!.details).toMatchObject({ settingsHash: (started1!.details as { settingsHash: string }).settingsHash });
    expect(started2!.action).toBe('station.started');
    const diff = (changed!.details as { diff: { path: string; before: unknown; after: unknown }[] }).diff;
    expect(diff).toEqual([
      { path: 'uploadTargets[0].token', before: expect.stringMatching(/^\(secret [0-9a-f]{8}\)$/), after: expect.stringMatching(/^\(secret [0-9a-f]{8}\)$/) },
    ]);
    expect(diff[0]!.before).not.toBe(diff[0]!.after);
    // No secret in the file at all.
    expect(readFileSync(join(data.dir, 'passline.db')).includes('second-secret-token')).toBe(false);
    expect((await invoke('audit.verify', {})) as unknown).toMatchObject({ ok: true, value: { ok: true, firstBad: null } });
  });

  test('a procedure edited on disk: procedure.changedOutside names the file whose hash changed, with before and after', async () => {
    const data = tempDir('passline-trail-');
    const seq = tempDir('passline-seq-');
    cleanups.push(data.remove, seq.remove);
    cpSync(join(FIXTURE_SEQUENCES, 'quick'), join(seq.dir, 'quick'), { recursive: true });
    const t = await open(data.dir, {}, seq.dir);
    const invoke: Invoke = (name, input) => t.station.invoke(name, input);
    const phases = join(seq.dir, 'quick', 'phases.ts');
    writeFileSync(phases, `${readFileSync(phases, 'utf8')}\n// tuned by the test engineer\n`);
    await loginAs(invoke, 'supervisor');
    let changes: AuditEntry[] = [];
    // The station reloads an edited folder by itself (a quarter second after the last change).
    for (let i = 0; i < 150 && changes.length < 1; i++) {
      changes = await trail(invoke, { action: 'procedure.changedOutside', procedureId: 'quick' });
      if (changes.length < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(changes).toHaveLength(1);
    expect(changes[0]!.details).toMatchObject({ files: ['phases.ts'], words: [] });
    const diff = (changes[0]!.details as { diff: { path: string; before: unknown; after: unknown }[] }).diff;
    expect(diff).toEqual(
      expect.arrayContaining([
        { path: 'hash', before: expect.any(String), after: expect.any(String) },
        { path: 'files["phases.ts"]', before: expect.stringMatching(/^[0-9a-f]{64}$/), after: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ]),
    );
    expect(changes[0]!.procedureId).toBe('quick');
  });

  test('logins and failed logins, people and token changes, calibration, each with who did it; filtered and exported as the Audit screen asks', async () => {
    const data = tempDir('passline-trail-');
    cleanups.push(data.remove);
    const t = await open(data.dir);
    const invoke: Invoke = (name, input) => t.station.invoke(name, input);
    await setUpPeople(invoke);
    await invoke('tokens.create', { name: 'dashboard', scope: 'events:read' });
    await invoke('people.update', { badge: PEOPLE.operator.badge, name: 'Olu O.' });
    await invoke('session.login', { badge: PEOPLE.supervisor.badge, pin: '0000' });
    await invoke('session.login', { badge: PEOPLE.technician.badge, pin: PEOPLE.technician.pin });
    await invoke('calibration.set', { maker: 'Passline Sim', model: 'DMM-6500S', serial: 'SIM0001', dueDate: '2030-01-31' });
    await loginAs(invoke, 'supervisor');
    const entries = await trail(invoke);
    const by = (action: string) => entries.filter((e) => e.action === action).map((e) => e.actor);
    expect(by('setup.adminCreated')).toEqual([ADMIN.badge]);
    expect(by('people.added')).toEqual([ADMIN.badge, ADMIN.badge, ADMIN.badge]);
    expect(by('tokens.created')).toEqual([ADMIN.badge]);
    expect(by('session.loginFailed')).toEqual([PEOPLE.supervisor.badge]);
    expect(by('calibration.set')).toEqual([PEOPLE.technician.badge]);
    expect(entries.find((e) => e.action === 'people.updated')!.details).toEqual({
      badge: 'OP-1',
      diff: [{ path: 'name', before: 'Olu Operator', after: 'Olu O.' }],
    });
    // Filters as the Audit screen sends them.
    expect((await trail(invoke, { actor: PEOPLE.technician.badge })).map((e) => e.action)).toEqual(['calibration.set', 'session.loggedIn']);
    expect((await trail(invoke, { action: 'session.' })).every((e) => e.action.startsWith('session.'))).toBe(true);
    const csv = await invoke('audit.export', { format: 'csv', action: 'people.' });
    expect(csv).toMatchObject({ ok: true, value: { count: 4, mediaType: 'text/csv; charset=utf-8' } });
    expect((csv as { value: { content: string } }).value.content.split(/\r?\n/)[0]).toBe('seq,at,actor,action,procedure_id,details,prev_hash,hash');
  });
});

describe('the trail in PostgreSQL', () => {
  let server: Postgres;
  beforeAll(async () => {
    server = await startPostgres({ fsync: false });
  }, 60_000);
  afterAll(() => server?.stop());

  test('a station with a PostgreSQL target ships its trail, in order, once, into the audit table beside the runs', async () => {
    const data = tempDir('passline-trail-');
    cleanups.push(data.remove);
    const t = await open(data.dir, {
      stationId: 'ST-TRAIL',
      uploadTargets: [{ id: 'fleet', kind: 'postgres', connectionString: server.url, schema: 'trail' }],
    });
    const invoke: Invoke = (name, input) => t.station.invoke(name, input);
    await setUpPeople(invoke, ['supervisor']);
    const local = await trail(invoke);
    const c = new pg.Client(server.url);
    await c.connect();
    cleanups.push(() => c.end());
    let rows: { seq: string; action: string; hash: string }[] = [];
    for (let i = 0; i < 100; i++) {
      rows = (
        await c.query<{ seq: string; action: string; hash: string }>("SELECT seq, action, hash FROM trail.audit WHERE station_id = 'ST-TRAIL' ORDER BY seq")
      ).rows;
      if (rows.length >= local.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.map((r) => [Number(r.seq), r.action, r.hash])).toEqual([...local].reverse().map((e) => [e.seq, e.action, e.hash]));
  });
});
