/**
 * A damaged station database, made as a failing disk makes it (bytes overwritten in the
 * header or in the middle, a file cut short, a write-ahead log from another database,
 * garbage in one row): the real station starts, says what happened and what was saved,
 * keeps the damaged file aside untouched and carries on in a new database with every run
 * that could still be read; a delivered run is not sent again.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createStation, type Station } from '#station/station.ts';
import { PeopleRepo } from '#station/auth/people.ts';
import { PEOPLE, loginAs } from '../helpers/people.ts';
import { DB_FILE, SCHEMA_VERSION, openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { InventoryRepo } from '#station/store/inventory-repo.ts';
import { SettingsSchema } from '#contract/settings.ts';
import type { RunRecord, RunSummary } from '#contract/records.ts';
import { plainRun } from '../helpers/run-records.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';

const RUNS = 60;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const serialOf = (i: number): string => `SN-${String(i).padStart(3, '0')}`;

/** A station database as a station leaves it: 60 finished runs queued for `mes`, the even ones delivered, events, audit rows. */
function seed(dir: string, n = RUNS, suffix = ''): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(dir);
  const repo = new RunsRepo(db);
  const inventory = new InventoryRepo(db);
  const ids = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const rec = plainRun(serialOf(i) + suffix, { phases: 3, perPhase: 6, startMs: Date.UTC(2026, 0, 5) + i * 60_000 });
    repo.insertRecord(rec, ['mes']);
    ids.set(rec.id, rec.unit.serialNumber);
    const ev = {
      seq: i + 1,
      parentSeq: null,
      ts: rec.startedAt,
      runId: rec.id,
      socket: 0,
      kind: 'scan.received',
      data: { marker: `EVT-${i}`, pad: 'e'.repeat(600) },
    };
    repo.appendEvents([ev as never], () => JSON.stringify(ev));
    if (i % 10 === 0) inventory.audit('op-7', 'operator.login', { i });
  }
  db.exec(`UPDATE outbox SET state = 'delivered', remote_ref = 'ref-' || run_id WHERE rowid % 2 = 0`);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return ids;
}

/**
 * The station's supervisor, stored before the damage as an admin would have added them (the
 * damaged file takes no writes, so nobody could be added after). They still log in normally.
 */
async function seedSupervisor(dir: string): Promise<void> {
  const db = openDatabase(dir);
  await new PeopleRepo(db).add({ ...PEOPLE.supervisor, role: 'supervisor' });
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

async function asSupervisor(station: Station): Promise<void> {
  const r = await station.invoke('session.login', { badge: PEOPLE.supervisor.badge, pin: PEOPLE.supervisor.pin });
  if (!r.ok) throw new Error(r.error.message);
}

function overwrite(file: string, offset: number, bytes: number, fill = 0xa5): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(bytes, fill), 0, bytes, offset);
  closeSync(fd);
}

/** The byte offset of a leaf page of `table` (the middle one): what one bad sector takes. */
function leafPage(file: string, table: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  const pages = (db.prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`).all(table) as { pageno: number }[]).map(
    (r) => r.pageno,
  );
  db.close();
  return (pages[Math.floor(pages.length / 2)]! - 1) * 4096;
}

/** Where a text first occurs in the file: the page a failing sector would take with it. */
function offsetOf(file: string, text: string): number {
  const at = readFileSync(file).indexOf(Buffer.from(text));
  if (at < 0) throw new Error(`${text} not in ${file}`);
  return at;
}

interface Started {
  station: Station;
  dataDir: string;
  outbox: string;
  logs: string[];
}

async function start(dataDir: string, outbox: string, extra: { checkAtStartBytes?: number } = {}): Promise<Started> {
  const logs: string[] = [];
  const settings = SettingsSchema.parse({
    sequenceFolder: FIXTURE_SEQUENCES,
    procedureId: 'quick',
    sockets: 1,
    uploadTargets: [{ id: 'mes', kind: 'folder', path: outbox }],
  });
  const station = await createStation({ dataDir, settings, log: (level, message) => logs.push(`${level}: ${message}`), ...extra });
  cleanups.push(() => station.close());
  await station.ready();
  return { station, dataDir, outbox, logs };
}

async function value<T>(station: Station, name: string, input: unknown): Promise<T> {
  const r = await station.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.kind}: ${r.error.message}`);
  return r.value as T;
}

async function until(f: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function setup(): { dir: string; outbox: string; path: string } {
  const tmp = tempDir('passline-damage-');
  cleanups.push(() => tmp.remove());
  const outbox = join(tmp.dir, 'outbox');
  mkdirSync(outbox);
  const dir = join(tmp.dir, 'data');
  return { dir, outbox, path: join(dir, DB_FILE) };
}

/** What a user checks after a salvage: the message, the counts, the file aside, History, the upload folder, the audit row. */
async function expectSalvaged(t: Started, ids: Map<string, string>, damagedSha: string, expectAll: boolean) {
  const snap = t.station.snapshot();
  expect(snap.database.state).toBe('salvaged');
  expect(snap.procedureError).toBeNull();
  const aside = snap.database.aside!;
  expect(aside).toMatch(/passline\.db\.corrupt-/);
  // Moved aside untouched.
  expect(sha(aside)).toBe(damagedSha);
  const { salvaged, total, unreadable } = snap.database.runs!;
  expect(snap.database.message).toContain(`Salvaged ${salvaged} runs of ${total}`);
  expect(snap.database.message).toContain(`${unreadable} could not be read`);
  expect(snap.database.message).toContain(aside);
  expect(salvaged + unreadable).toBe(total);
  if (expectAll) expect({ salvaged, total, unreadable }).toEqual({ salvaged: RUNS, total: RUNS, unreadable: 0 });
  else {
    expect(total).toBe(RUNS);
    expect(salvaged).toBeGreaterThan(0);
    expect(unreadable).toBeGreaterThan(0);
  }

  // History lists what was saved; each run reads whole.
  const { runs } = await value<{ runs: RunSummary[] }>(t.station, 'runs.list', { limit: 500 });
  expect(runs).toHaveLength(salvaged);
  for (const r of runs) {
    expect(ids.get(r.id)).toBe(r.serialNumber);
    const rec = await value<RunRecord>(t.station, 'runs.get', { runId: r.id });
    if (expectAll) expect(rec.phases).toHaveLength(3);
  }

  // The audit trail says it, with the counts.
  const db = new DatabaseSync(t.dataDir + '/' + DB_FILE, { readOnly: true });
  const audit = db.prepare(`SELECT details FROM audit WHERE action = 'store.salvaged'`).all() as { details: string }[];
  expect(audit).toHaveLength(1);
  expect(JSON.parse(audit[0]!.details)).toMatchObject({ aside, runs: { salvaged, total, unreadable } });

  // Delivered runs stay delivered; the rest are sent (again): a delivered run is never sent twice.
  const delivered = new Set((db.prepare(`SELECT run_id FROM outbox WHERE remote_ref IS NOT NULL`).all() as { run_id: string }[]).map((r) => r.run_id));
  await until(() => Number((db.prepare(`SELECT count(*) AS n FROM outbox WHERE state != 'delivered'`).get() as { n: number }).n) === 0, 'the outbox to drain');
  const sent = readdirSync(t.outbox).map((f) => f.replace(/^.*_([^_]+)\.json$/, '$1'));
  db.close();
  expect(sent.filter((id) => delivered.has(id))).toEqual([]);
  expect(new Set([...sent, ...delivered])).toEqual(new Set(runs.map((r) => r.id)));

  // And the station tests units in the new database.
  const { runId } = await value<{ runId: string }>(t.station, 'run.start', { serialNumber: 'Q-1' });
  await until(async () => (await value<RunRecord>(t.station, 'runs.get', { runId })).outcome !== 'RUNNING', 'the new run to end');
  expect((await value<RunRecord>(t.station, 'runs.get', { runId })).outcome).toBe('PASS');
}

describe('a damaged station database', () => {
  test('a header overwritten: every run is salvaged', async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    overwrite(path, 0, 100);
    const damaged = sha(path);
    const t = await start(dir, outbox);
    await expectSalvaged(t, ids, damaged, true);
  });

  test('pages in the middle overwritten (the event log): every run is salvaged, the event numbers go on above the old ones', async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    overwrite(path, leafPage(path, 'events'), 4096);
    const damaged = sha(path);
    const t = await start(dir, outbox);
    expect(t.station.snapshot().seq).toBeGreaterThan(RUNS);
    await expectSalvaged(t, ids, damaged, true);
  });

  test('a run page overwritten: the runs on it could not be read, the others are salvaged', async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    overwrite(path, leafPage(path, 'runs'), 4096);
    const damaged = sha(path);
    const t = await start(dir, outbox);
    await expectSalvaged(t, ids, damaged, false);
  });

  test('a file cut short: what is before the cut is salvaged, the count says how many are lost', async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    truncateSync(path, leafPage(path, 'runs') + 100);
    const damaged = sha(path);
    const t = await start(dir, outbox);
    await expectSalvaged(t, ids, damaged, false);
  });

  test("another database's write-ahead log beside the file: the file's own runs are salvaged, none of the other's", async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    const other = join(dir, '..', 'other');
    seed(other, 20, '-OTHER');
    const o = new DatabaseSync(join(other, DB_FILE));
    o.exec('PRAGMA wal_autocheckpoint = 0');
    o.exec(`UPDATE runs SET operator_id = 'someone else'`);
    copyFileSync(join(other, `${DB_FILE}-wal`), `${path}-wal`);
    o.close();
    const damaged = sha(path);
    const t = await start(dir, outbox);
    expect(existsSync(`${t.station.snapshot().database.aside!}-wal`)).toBe(true);
    await expectSalvaged(t, ids, damaged, true);
  });

  test('garbage in one row: that run says it cannot be read, the other 59 read and export', async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    const victim = [...ids].find(([, s]) => s === serialOf(7))![0];
    // Inside the measurements of the run's first phase: the b-tree stays sound, the value does not.
    const db0 = new DatabaseSync(path);
    const m = (db0.prepare('SELECT measurements FROM phases WHERE run_id = ? AND idx = 0').get(victim) as { measurements: string }).measurements.replace(
      'm0_0',
      'mark7',
    );
    db0.prepare('UPDATE phases SET measurements = ? WHERE run_id = ? AND idx = 0').run(m, victim);
    db0.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db0.close();
    overwrite(path, offsetOf(path, m) + 10, 64, 0x7b);
    const check = new DatabaseSync(path, { readOnly: true });
    expect(check.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    check.close();

    const t = await start(dir, outbox);
    expect(t.station.snapshot().database.state).toBe('ok');
    const bad = await t.station.invoke('runs.get', { runId: victim });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'db.corrupted' } });
    expect(!bad.ok && bad.error.message).toBe(
      `Run ${victim} (serial ${serialOf(7)}) cannot be read: the measurements of its phase 0 "phase_0" are damaged in the station database. Other runs are not affected.`,
    );
    for (const [id, serial] of ids) if (id !== victim) expect((await value<RunRecord>(t.station, 'runs.get', { runId: id })).unit.serialNumber).toBe(serial);
    const exp = await value<{ count: number; content: string; skipped?: { runId: string }[] }>(t.station, 'runs.export', {
      format: 'native',
      from: '2026-01-01T00:00:00Z',
    });
    expect(exp.count).toBe(RUNS - 1);
    expect(exp.content.trim().split('\n')).toHaveLength(RUNS - 1);
    expect(exp.skipped).toEqual([{ runId: victim, message: !bad.ok ? bad.error.message : '' }]);
    // One bad row is not a damaged database: the station goes on writing and testing.
    expect(t.station.snapshot().database.state).toBe('ok');
  });

  test('damage found while open (the background check of a big file): no more writes, no runs, no backup; the next start salvages', async () => {
    const { dir, outbox, path } = setup();
    const ids = seed(dir);
    await seedSupervisor(dir);
    overwrite(path, leafPage(path, 'runs'), 4096);
    // Too big to check before the start (a 1-byte limit): checked beside it.
    const t = await start(dir, outbox, { checkAtStartBytes: 1 });
    await until(() => t.station.snapshot().database.state === 'damaged', 'the background check');
    const snap = t.station.snapshot();
    expect(snap.database.message).toMatch(
      /^The station database is damaged \(.+\)\. No new run can start; nothing more is written into it\. Restart the station/,
    );
    expect(snap.procedureError).toBeNull();
    const before = [sha(path), existsSync(`${path}-wal`) ? sha(`${path}-wal`) : ''];
    expect(await t.station.invoke('run.start', { serialNumber: 'Q-1' })).toMatchObject({ ok: false, error: { kind: 'db.corrupted' } });
    expect(await t.station.invoke('scan.submit', { text: 'Q-2' })).toMatchObject({ ok: false, error: { kind: 'db.corrupted' } });
    await asSupervisor(t.station);
    const backup = await t.station.invoke('store.backup', {});
    expect(backup).toMatchObject({ ok: false, error: { kind: 'db.corrupted' } });
    expect(!backup.ok && backup.error.message).toMatch(/^No backup made: The station database is damaged/);
    await new Promise((r) => setTimeout(r, 100));
    expect([sha(path), existsSync(`${path}-wal`) ? sha(`${path}-wal`) : '']).toEqual(before);
    await t.station.close();
    cleanups.pop();

    const again = await start(dir, outbox);
    expect(again.station.snapshot().database).toMatchObject({ state: 'salvaged', runs: { total: RUNS } });
    expect(again.station.snapshot().database.runs!.unreadable).toBeGreaterThan(0);
    expect((await value<{ runs: RunSummary[] }>(again.station, 'runs.list', { limit: 500 })).runs.every((r) => ids.has(r.id))).toBe(true);
  });

  test('a newer database: its own message, not a procedure problem, and no empty backup', async () => {
    const { dir, outbox, path } = setup();
    mkdirSync(dir, { recursive: true });
    const newer = new DatabaseSync(path);
    newer.exec(`CREATE TABLE runs_next (id TEXT); INSERT INTO runs_next VALUES ('kept'); PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
    newer.close();
    const t = await start(dir, outbox);
    const snap = t.station.snapshot();
    expect(snap.procedureError).toBeNull();
    expect(snap.database.state).toBe('newer-version');
    expect(snap.database.message).toMatch(/written by a newer Passline/);
    // The file is left untouched: the station runs on a stand-in, where a supervisor can be set up to try.
    await loginAs((name, input) => t.station.invoke(name, input), 'supervisor');
    const backup = await t.station.invoke('store.backup', {});
    expect(backup).toMatchObject({ ok: false, error: { kind: 'db.newer-version' } });
    expect(existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')) : []).toEqual([]);
  });
});
