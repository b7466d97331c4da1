/**
 * The store as a supervisor relies on it: history search and paging, a unit's attempts,
 * a backup taken while a run goes on, and a full or read-only disk that refuses new runs
 * with a clear message while everything stored stays readable. The disk tests use a
 * real small filesystem (tmpfs), which needs root, as the station machines and CI have.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { createStation, type Station } from '#station/station.ts';
import { loginAs } from '../helpers/people.ts';
import { SettingsSchema } from '#contract/settings.ts';
import type { RunSummary } from '#contract/records.ts';
import { SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { EventRecorder } from '../helpers/events.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function seed(dir: string, n: number): RunsRepo {
  const db = openDatabase(dir);
  cleanups.push(() => db.close());
  const repo = new RunsRepo(db);
  for (let i = 0; i < n; i++) {
    const startedAt = new Date(Date.UTC(2026, 0, 1, 8, 0, i)).toISOString();
    repo.insertRun({
      id: `run-${String(i).padStart(4, '0')}`,
      stationId: 's1',
      socket: 0,
      appVersion: '0.1.0',
      ...(i % 3 === 0 ? { operatorId: 'op-anna' } : { operatorId: 'op-ben' }),
      procedure: { id: i % 2 ? 'board-a' : 'board-b', name: 'Board', version: '1', hash: 'h' },
      unit: { serialNumber: `SN-${String(i % 50).padStart(3, '0')}`, partNumber: i % 4 === 0 ? 'PN-X' : 'PN-Y' },
      startedAt,
    });
    repo.finishRun(`run-${String(i).padStart(4, '0')}`, { outcome: i % 5 === 0 ? 'FAIL' : 'PASS', endedAt: startedAt, durationMs: 1000 }, [], []);
  }
  return repo;
}

describe('history search', () => {
  test('every filter, newest first, and paging that neither skips nor repeats', () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const repo = seed(t.dir, 200);
    const all: RunSummary[] = [];
    let before: string | undefined;
    for (;;) {
      const page = repo.listRuns({ limit: 30, before });
      if (page.length === 0) break;
      all.push(...page);
      before = page.at(-1)!.startedAt;
    }
    expect(all).toHaveLength(200);
    expect(new Set(all.map((r) => r.id)).size).toBe(200);
    expect(all.map((r) => r.startedAt)).toEqual([...all.map((r) => r.startedAt)].sort().reverse());

    expect(repo.listRuns({ limit: 500, serialPrefix: 'SN-01' }).every((r) => r.serialNumber.startsWith('SN-01'))).toBe(true);
    expect(repo.listRuns({ limit: 500, serialPrefix: 'SN-01' })).toHaveLength(40);
    // Anywhere in the serial, any case: SN-001, SN-010…SN-019 hold "01"; "n-04" is SN-040…SN-049.
    expect(new Set(repo.listRuns({ limit: 500, serial: '01' }).map((r) => r.serialNumber))).toEqual(
      new Set(['SN-001', 'SN-010', 'SN-011', 'SN-012', 'SN-013', 'SN-014', 'SN-015', 'SN-016', 'SN-017', 'SN-018', 'SN-019']),
    );
    expect(new Set(repo.listRuns({ limit: 500, serial: 'n-04' }).map((r) => r.serialNumber)).size).toBe(10);
    expect(repo.listRuns({ limit: 500, serial: 'sn-007' }).map((r) => r.serialNumber)).toEqual(['SN-007', 'SN-007', 'SN-007', 'SN-007']);
    expect(repo.listRuns({ limit: 500, serial: '"; DROP' })).toEqual([]);
    expect(repo.listRuns({ limit: 2, serial: 'sn-00' }).map((r) => r.startedAt)).toEqual(
      repo
        .listRuns({ limit: 500, serial: 'sn-00' })
        .slice(0, 2)
        .map((r) => r.startedAt),
    );
    // The trigram index answers it, not a scan of the runs.
    const plan = repo.db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT id FROM runs WHERE serial_number IN (SELECT serial FROM serial_search WHERE serial_search MATCH ?) ORDER BY started_at DESC LIMIT 50',
      )
      .all('"sn-007"') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/VIRTUAL TABLE INDEX/);
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/runs_serial/);
    expect(repo.listRuns({ limit: 500, partNumber: 'PN-X' })).toHaveLength(50);
    expect(repo.listRuns({ limit: 500, procedureId: 'board-a' })).toHaveLength(100);
    expect(repo.listRuns({ limit: 500, operatorId: 'op-anna' })).toHaveLength(67);
    expect(repo.listRuns({ limit: 500, outcome: 'FAIL' })).toHaveLength(40);
    const range = repo.listRuns({ limit: 500, from: '2026-01-01T08:01:00.000Z', to: '2026-01-01T08:02:00.000Z' });
    expect(range).toHaveLength(60);
    expect(range.at(-1)!.startedAt).toBe('2026-01-01T08:01:00.000Z');
    expect(repo.listRuns({ limit: 500, partNumber: 'PN-X', outcome: 'FAIL', operatorId: 'op-anna' }).map((r) => r.id)).toEqual([
      'run-0180',
      'run-0120',
      'run-0060',
      'run-0000',
    ]);
    expect(repo.listRuns({ limit: 1 })[0]).toMatchObject({ partNumber: 'PN-Y', operatorId: 'op-ben' });
  });

  test('a unit page lists every attempt of that serial, oldest first', () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const repo = seed(t.dir, 200);
    expect(repo.unitHistory('SN-007').map((r) => r.id)).toEqual(['run-0007', 'run-0057', 'run-0107', 'run-0157']);
    expect(repo.unitHistory('SN-nope')).toEqual([]);
  });

  test('bad filters are refused naming the field', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const station = await createStation({
      dataDir: t.dir,
      settings: SettingsSchema.parse({ sequenceFolder: SHIPPED_SEQUENCES, procedureId: 'example-limits' }),
      log: () => {},
    });
    cleanups.push(() => station.close());
    expect(await station.invoke('runs.list', { from: 'yesterday' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-input', message: expect.stringMatching(/^from: /) },
    });
    expect(await station.invoke('runs.list', { limit: 0 })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-input', message: expect.stringMatching(/^limit: /) },
    });
    expect(await station.invoke('units.history', { serialNumber: '  ' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-input', message: expect.stringMatching(/^serialNumber: /) },
    });
  });
});

async function station(dataDir: string, extra: Record<string, unknown> = {}): Promise<{ station: Station; events: EventRecorder }> {
  const s = await createStation({
    dataDir,
    settings: SettingsSchema.parse({ sequenceFolder: SHIPPED_SEQUENCES, procedureId: 'example-limits', ...extra }),
    log: () => {},
  });
  await s.ready();
  const events = new EventRecorder(s.bus, 0);
  cleanups.push(async () => {
    events.close();
    await s.close();
  });
  return { station: s, events };
}

async function runOnce(s: Station, events: EventRecorder, serialNumber: string): Promise<string> {
  const res = await s.invoke('run.start', { serialNumber });
  if (!res.ok) throw new Error(`${res.error.kind}: ${res.error.message}`);
  const runId = (res.value as { runId: string }).runId;
  await events.waitFor('run.ended', (e) => e.runId === runId);
  await s.ready();
  return runId;
}

describe('a unit page and a backup at the station', () => {
  test('units.history returns the attempts in order; a backup taken while the station runs is a complete, sound database', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const { station: s, events } = await station(t.dir);
    const ids = [await runOnce(s, events, 'EX-7'), await runOnce(s, events, 'EX-8'), await runOnce(s, events, 'EX-7')];
    const unit = await s.invoke('units.history', { serialNumber: 'EX-7' });
    expect(unit.ok && (unit.value as { runs: RunSummary[] }).runs.map((r) => r.id)).toEqual([ids[0], ids[2]]);

    await loginAs((name, input) => s.invoke(name, input), 'supervisor');
    const backup = await s.invoke('store.backup', {});
    expect(backup.ok).toBe(true);
    const { path, bytes } = (backup as { value: { path: string; bytes: number } }).value;
    expect(bytes).toBeGreaterThan(0);
    const copy = new DatabaseSync(path, { readOnly: true });
    cleanups.push(() => copy.close());
    expect(copy.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect((copy.prepare('SELECT id FROM runs ORDER BY started_at').all() as { id: string }[]).map((r) => r.id)).toEqual(ids);
  });
});

/** A real small filesystem for the data folder. */
function tinyDisk(sizeMb: number): string {
  const t = tempDir('passline-disk-');
  const dir = join(t.dir, 'mnt');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir]);
    t.remove();
  });
  return dir;
}

describe('a full or read-only disk', () => {
  test('full: new runs are refused with the reason, stored runs stay readable, and it recovers when space is freed', async () => {
    const dir = tinyDisk(24);
    const { station: s, events } = await station(dir, { minFreeBytes: 4 * 1024 * 1024 });
    const first = await runOnce(s, events, 'EX-1');
    // Fill the disk to under the station's floor.
    const filler = join(dir, 'filler.bin');
    const free = Number(execFileSync('df', ['--output=avail', '-B1', dir]).toString().trim().split('\n')[1]);
    writeFileSync(filler, Buffer.alloc(free - 2 * 1024 * 1024));
    const refused = await s.invoke('run.start', { serialNumber: 'EX-2' });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        kind: 'disk.full',
        message: expect.stringMatching(/^The station disk is full \(\d+ MB free\): no new run can start until space is freed\. Stored results are intact\.$/),
      },
    });
    expect(s.snapshot().storage.state).toBe('full');
    const rec = await s.invoke('runs.get', { runId: first });
    expect(rec).toMatchObject({ ok: true, value: { id: first, outcome: 'PASS' } });
    rmSync(filler);
    await runOnce(s, events, 'EX-3');
    expect(s.snapshot().storage.state).not.toBe('full');
  });

  test('read-only: the station starts, says so, refuses runs, and history stays readable', async () => {
    const dir = tinyDisk(32);
    const first = await (async () => {
      const s = await createStation({
        dataDir: dir,
        settings: SettingsSchema.parse({ sequenceFolder: SHIPPED_SEQUENCES, procedureId: 'example-limits', minFreeBytes: 1 }),
        log: () => {},
      });
      await s.ready();
      const ev = new EventRecorder(s.bus, 0);
      const id = await runOnce(s, ev, 'EX-1');
      ev.close();
      await s.close();
      return id;
    })();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    cleanups.push(() => void execFileSync('mount', ['-o', 'remount,rw', dir]));
    const { station: s } = await station(dir, { minFreeBytes: 1 });
    expect(s.snapshot().storage).toMatchObject({
      state: 'read-only',
      message: 'The station database is read-only: no new run can start. Stored results are intact.',
    });
    expect(await s.invoke('run.start', { serialNumber: 'EX-2' })).toMatchObject({
      ok: false,
      error: { kind: 'disk.full', message: 'The station database is read-only: no new run can start. Stored results are intact.' },
    });
    const got = await s.invoke('runs.get', { runId: first });
    expect(got, JSON.stringify(got)).toMatchObject({ ok: true, value: { id: first, outcome: 'PASS' } });
  });
});
