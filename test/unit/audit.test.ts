/**
 * The audit trail on real SQLite files: the hash chain as docs/formats.md defines it
 * (recomputed here by hand, not with the code under test), the table's refusal of
 * changes, what verify finds after a tamperer goes around it, the filters and exports,
 * and the gaps a salvage of a damaged database leaves.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { AuditEntrySchema, AuditVerifySchema, type AuditEntry } from '#contract/audit.ts';
import { DB_FILE, migrate, openDatabase, openStore } from '#station/store/db.ts';
import { AuditLog, GENESIS, canonicalContent, diffValues, verifyAuditFile } from '#station/store/audit.ts';
import { InventoryRepo } from '#station/store/inventory-repo.ts';
import { salvageDatabase } from '#station/store/salvage.ts';
import { auditHandlers } from '#station/audit-handlers.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function freshDir(): string {
  const t = tempDir('passline-audit-');
  cleanups.push(t.remove);
  return t.dir;
}

function openLog(dir = freshDir()): { db: DatabaseSync; log: AuditLog; path: string } {
  const db = openDatabase(dir);
  cleanups.push(() => db.isOpen && db.close());
  return { db, log: new AuditLog(db), path: join(dir, DB_FILE) };
}

/** The documented hash, written from the docs: sha256 hex of prevHash, "\n", and the content's JSON with sorted keys. */
function docHash(
  prevHash: string,
  row: { seq: number; at: string; actor: string; action: string; procedureId: string | null; details: string | null },
): string {
  const content: Record<string, unknown> = {
    action: row.action,
    actor: row.actor,
    at: row.at,
    details: row.details,
    procedureId: row.procedureId,
    seq: row.seq,
  };
  const sorted = JSON.stringify(
    Object.fromEntries(
      Object.keys(content)
        .sort()
        .map((k) => [k, content[k]]),
    ),
  );
  return createHash('sha256').update(`${prevHash}\n${sorted}`, 'utf8').digest('hex');
}

type RawRow = { id: number; ts: string; actor: string; action: string; procedure_id: string | null; details: string | null; prev_hash: string; hash: string };
const rawRows = (db: DatabaseSync): RawRow[] =>
  db.prepare('SELECT id, ts, actor, action, procedure_id, details, prev_hash, hash FROM audit ORDER BY id').all() as unknown as RawRow[];

/** What a tamperer does: open the file, drop the protecting trigger, change a row. */
function tamper(path: string, sql: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
    db.exec(sql);
  } finally {
    db.close();
  }
}

function seed(log: AuditLog, n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(log.append({ actor: `SUP-${i % 3}`, action: i % 2 ? 'upload.retry' : 'calibration.set', details: { i } }));
  return out;
}

describe('the chain', () => {
  test('each entry carries the hash of the one before and its own, as the docs define them', () => {
    const { db, log } = openLog();
    const a = log.append({ actor: 'SUP-1', action: 'calibration.set', details: { serial: 'SIM0002', dueDate: '2030-01-31' }, procedureId: 'demo-board' });
    const b = log.append({ actor: 'token:ci', action: 'upload.drop', at: '2026-03-01T10:00:00+02:00' });
    const c = log.append({ actor: 'station', action: 'store.backup', details: { path: '/backups/x.db', bytes: 4096 } });
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(a.prevHash).toBe(GENESIS);
    expect(GENESIS).toBe('0'.repeat(64));
    expect(b.prevHash).toBe(a.hash);
    expect(c.prevHash).toBe(b.hash);
    // Times are stored as UTC ISO with ms, whatever offset they came with.
    expect(b.at).toBe('2026-03-01T08:00:00.000Z');
    const rows = rawRows(db);
    expect(rows.map((r) => r.details)).toEqual(['{"serial":"SIM0002","dueDate":"2030-01-31"}', 'null', '{"path":"/backups/x.db","bytes":4096}']);
    let prev = GENESIS;
    for (const r of rows) {
      expect(r.hash).toBe(docHash(prev, { seq: r.id, at: r.ts, actor: r.actor, action: r.action, procedureId: r.procedure_id, details: r.details }));
      prev = r.hash;
    }
    expect(rows[0]!.procedure_id).toBe('demo-board');
    expect(log.verify()).toEqual({ ok: true, entries: 3, firstBad: null, gaps: [] });
  });

  test('the hash covers the details text as stored, so it never depends on serialising again', () => {
    const { db, log } = openLog();
    // Key order as written ("b" before "a"), a string with a quote, a line break and non-ASCII.
    const e = log.append({ actor: 'SUP-1', action: 'procedure.changed', details: { b: 1, a: 'say "hi"\nÅ ✓' } });
    const stored = rawRows(db)[0]!.details!;
    expect(stored).toBe('{"b":1,"a":"say \\"hi\\"\\nÅ ✓"}');
    const content = canonicalContent({ seq: 1, at: e.at, actor: 'SUP-1', action: 'procedure.changed', procedureId: null, detailsText: stored });
    expect(content).toBe(`{"action":"procedure.changed","actor":"SUP-1","at":"${e.at}","details":${JSON.stringify(stored)},"procedureId":null,"seq":1}`);
    expect(e.hash).toBe(createHash('sha256').update(`${GENESIS}\n${content}`).digest('hex'));
    expect(e.details).toEqual({ b: 1, a: 'say "hi"\nÅ ✓' });
  });

  test('the table refuses UPDATE and DELETE', () => {
    const { db, log } = openLog();
    seed(log, 3);
    expect(() => db.exec(`UPDATE audit SET actor = 'nobody' WHERE id = 2`)).toThrow('the audit trail is append-only: an entry cannot be changed');
    expect(() => db.exec(`DELETE FROM audit WHERE id = 3`)).toThrow('the audit trail is append-only: an entry cannot be deleted');
    expect(() => db.exec(`DELETE FROM audit`)).toThrow(/append-only/);
    expect(rawRows(db)).toHaveLength(3);
    expect(log.verify().ok).toBe(true);
  });

  test('a changed row is named; so is the row after one whose hash was made to match; and a removed one', () => {
    const { db, log, path } = openLog();
    const entries = seed(log, 6);
    db.close();
    tamper(path, `UPDATE audit SET details = '{"i":99}' WHERE id = 3`);
    expect(verifyAuditFile(path)).toEqual({
      ok: false,
      entries: 6,
      firstBad: { seq: 3, reason: 'its content does not match its hash: it was changed after it was written' },
      gaps: [],
    });

    // A careful tamperer recomputes row 3's hash: row 4 no longer follows it.
    const db2 = new DatabaseSync(path);
    const r3 = db2.prepare('SELECT id, ts, actor, action, procedure_id, details, prev_hash FROM audit WHERE id = 3').get() as unknown as RawRow;
    const rehashed = docHash(r3.prev_hash, { seq: 3, at: r3.ts, actor: r3.actor, action: r3.action, procedureId: r3.procedure_id, details: r3.details });
    db2.prepare('UPDATE audit SET hash = ? WHERE id = 3').run(rehashed);
    db2.close();
    expect(verifyAuditFile(path).firstBad).toEqual({ seq: 4, reason: 'its prevHash is not the hash of entry 3: an entry before it was changed or replaced' });

    // Put back as it was, then remove row 5.
    tamper(path, `UPDATE audit SET details = '{"i":3}', hash = '${entries[2]!.hash}' WHERE id = 3`);
    expect(verifyAuditFile(path)).toMatchObject({ ok: true, entries: 6 });
    tamper(path, `DELETE FROM audit WHERE id = 5`);
    expect(verifyAuditFile(path)).toEqual({
      ok: false,
      entries: 5,
      firstBad: { seq: 6, reason: 'entry 5 is missing, and no salvage of the database explains it' },
      gaps: [],
    });
  });

  test('a forged first entry is found', () => {
    const { db, log, path } = openLog();
    seed(log, 2);
    db.close();
    // Row 1 replaced by one that hashes right but does not start from the genesis hash.
    const prev = 'f'.repeat(64);
    const at = '2026-01-01T00:00:00.000Z';
    const h = docHash(prev, { seq: 1, at, actor: 'x', action: 'y', procedureId: null, details: 'null' });
    tamper(path, `UPDATE audit SET prev_hash = '${prev}', ts = '${at}', actor = 'x', action = 'y', details = 'null', hash = '${h}' WHERE id = 1`);
    expect(verifyAuditFile(path).firstBad).toEqual({ seq: 1, reason: 'it is the first entry but does not start the chain (its prevHash is not 64 zeros)' });
  });
});

describe('writing', () => {
  test('inside a transaction the caller opened, the entry commits or rolls back with the change', () => {
    const { db, log } = openLog();
    db.exec('BEGIN IMMEDIATE');
    db.exec(`INSERT INTO calibration (maker, model, serial, due_date, updated_at, updated_by) VALUES ('M', 'X', 'S1', '2030-01-01', 't', 'SUP-1')`);
    log.append({ actor: 'SUP-1', action: 'calibration.set', details: { serial: 'S1' } });
    db.exec('ROLLBACK');
    expect(rawRows(db)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM calibration').get()).toEqual({ n: 0 });

    db.exec('BEGIN IMMEDIATE');
    log.append({ actor: 'SUP-1', action: 'calibration.set', details: { serial: 'S1' } });
    const second = log.append({ actor: 'SUP-1', action: 'calibration.set', details: { serial: 'S2' } });
    expect(db.isTransaction).toBe(true);
    db.exec('COMMIT');
    expect(second.seq).toBe(2);
    // Outside one it commits by itself.
    const third = log.append({ actor: 'SUP-2', action: 'store.backup' });
    expect(db.isTransaction).toBe(false);
    const other = new DatabaseSync(join(db.location()!), { readOnly: true });
    cleanups.push(() => other.close());
    expect(other.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 3 });
    expect(third.prevHash).toBe(second.hash);
    expect(log.verify().ok).toBe(true);
  });

  test('a failed insert leaves no transaction open and nothing written', () => {
    const { db, log } = openLog();
    log.append({ actor: 'a', action: 'x' });
    expect(() => log.append({ actor: 'a', action: 'x', seq: 1 })).toThrow('audit entry x: seq 1 is not after the last entry (1)');
    expect(() => log.append({ actor: 'a', action: 'x', at: 'soon' })).toThrow('audit entry x: "soon" is not a time');
    expect(db.isTransaction).toBe(false);
    expect(rawRows(db)).toHaveLength(1);
  });

  test('the writers that were there keep their action names and now chain', () => {
    const { db, log } = openLog();
    const inv = new InventoryRepo(db);
    inv.setCalibration({ maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2020-01-31' }, 'SUP-1');
    inv.setCalibration({ maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2030-01-31', note: 'recalibrated' }, 'SUP-2');
    inv.audit('0042', 'operator.login', { source: 'badge' });
    expect(log.list({ limit: 10 }).map((e) => [e.seq, e.actor, e.action, e.details])).toEqual([
      [3, '0042', 'operator.login', { source: 'badge' }],
      [2, 'SUP-2', 'calibration.set', { maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2030-01-31', before: '2020-01-31' }],
      [1, 'SUP-1', 'calibration.set', { maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2020-01-31', before: null }],
    ]);
    expect(log.verify()).toMatchObject({ ok: true, entries: 3 });
  });

  test('every AuditLog on a connection tells the same listeners, after the entry is committed', async () => {
    const { db, log } = openLog();
    const seen: number[] = [];
    const off = log.onAppend((e) => seen.push(e.seq));
    new InventoryRepo(db).audit('SUP-1', 'store.backup', { bytes: 1 });
    expect(seen).toEqual([1]);
    db.exec('BEGIN IMMEDIATE');
    log.append({ actor: 'SUP-1', action: 'x' });
    expect(seen).toEqual([1]);
    db.exec('COMMIT');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1, 2]);
    off();
    log.append({ actor: 'SUP-1', action: 'y' });
    expect(seen).toEqual([1, 2]);
  });

  test('on a database from before the chain, writing is refused with a reason a caller can log', () => {
    const db = new DatabaseSync(join(freshDir(), DB_FILE));
    cleanups.push(() => db.close());
    migrate(db, 100);
    // Constructing the repos that write the trail still works (a read-only stand-in opens them).
    const inv = new InventoryRepo(db);
    expect(() => inv.audit('SUP-1', 'store.backup', {})).toThrow(
      'the audit trail cannot record store.backup: this database is at schema 100, before the chained trail (120); it is migrated when the station opens it for writing',
    );
    expect(() => new AuditLog(db).verify()).toThrow(/cannot be verified: this database is at schema 100/);
    expect(db.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 0 });
  });
});

describe('reading', () => {
  function filled(): AuditLog {
    const { log } = openLog();
    const at = (m: number) => new Date(Date.UTC(2026, 4, 1, 8, m)).toISOString();
    log.append({ actor: 'SUP-1', action: 'upload.retry', at: at(0), details: { n: 1 } });
    log.append({ actor: 'SUP-2', action: 'upload.drop', at: at(1), procedureId: 'board-a' });
    log.append({ actor: 'SUP-1', action: 'calibration.set', at: at(2), procedureId: 'board-a' });
    log.append({ actor: 'SUP-1', action: 'uploader.x', at: at(3) });
    log.append({ actor: 'token:mes', action: 'upload.retry', at: at(4), procedureId: 'board-b' });
    return log;
  }

  test('filters by actor, action or action prefix, procedure and time; newest first', () => {
    const log = filled();
    const seqs = (f: Parameters<AuditLog['list']>[0]) => log.list(f).map((e) => e.seq);
    expect(seqs({ limit: 100 })).toEqual([5, 4, 3, 2, 1]);
    expect(seqs({ actor: 'SUP-1', limit: 100 })).toEqual([4, 3, 1]);
    expect(seqs({ action: 'upload.retry', limit: 100 })).toEqual([5, 1]);
    // A prefix ending in "." finds that domain only ("uploader.x" is not an upload action).
    expect(seqs({ action: 'upload.', limit: 100 })).toEqual([5, 2, 1]);
    expect(seqs({ procedureId: 'board-a', limit: 100 })).toEqual([3, 2]);
    // From inclusive, to exclusive, in any offset.
    expect(seqs({ from: '2026-05-01T10:01:00+02:00', to: '2026-05-01T08:03:00Z', limit: 100 })).toEqual([3, 2]);
    expect(seqs({ actor: 'SUP-1', action: 'upload.', limit: 100 })).toEqual([1]);
    expect(seqs({ actor: 'nobody', limit: 100 })).toEqual([]);
  });

  test('pages with before and limit, and the handlers answer in the contract shapes', async () => {
    const log = filled();
    const h = auditHandlers(log, 'ST-07');
    const page1 = await h['audit.list']({ limit: 2 });
    expect(page1.entries.map((e) => e.seq)).toEqual([5, 4]);
    const page2 = await h['audit.list']({ limit: 2, before: page1.entries.at(-1)!.seq });
    expect(page2.entries.map((e) => e.seq)).toEqual([3, 2]);
    const page3 = await h['audit.list']({ limit: 2, before: 2 });
    expect(page3.entries.map((e) => e.seq)).toEqual([1]);
    for (const e of [...page1.entries, ...page2.entries, ...page3.entries]) expect(AuditEntrySchema.parse(e)).toEqual(e);
    expect(AuditVerifySchema.parse(await h['audit.verify']({}))).toEqual({ ok: true, entries: 5, firstBad: null, gaps: [] });
    const file = await h['audit.export']({ format: 'csv', actor: 'SUP-2' });
    expect(file).toMatchObject({ mediaType: 'text/csv; charset=utf-8', count: 1 });
    expect(file.fileName).toMatch(/^audit-ST-07-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(log.last('upload.retry')?.seq).toBe(5);
    expect(log.last('nothing.done')).toBeNull();
  });

  test('entries after a seq, oldest first, carry the stored details text', () => {
    const log = filled();
    const rows = log.after(2, 2);
    expect(rows.map((r) => [r.seq, r.detailsText])).toEqual([
      [3, 'null'],
      [4, 'null'],
    ]);
    expect(log.after(0, 1)[0]!.detailsText).toBe('{"n":1}');
    expect(log.after(5, 10)).toEqual([]);
  });
});

/** RFC 4180, as a spreadsheet or an auditor's script reads it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('export', () => {
  test('CSV: quoted as RFC 4180, formula cells defused, and the hashes recompute from the file', () => {
    const { log } = openLog();
    log.append({ actor: '=HYPERLINK("http://x","click")', action: 'procedure.changed', details: { note: 'a, "b"\r\nc' } });
    log.append({ actor: '+SUP', action: '-minus', procedureId: '@proc' });
    log.append({ actor: "'quoted", action: 'plain', details: 'tab\there' });
    const file = log.exportAs({}, 'csv');
    expect(file.count).toBe(3);
    expect(file.content.split('\r\n')[0]).toBe('seq,at,actor,action,procedure_id,details,prev_hash,hash');
    const [header, ...rows] = parseCsv(file.content);
    expect(header).toEqual(['seq', 'at', 'actor', 'action', 'procedure_id', 'details', 'prev_hash', 'hash']);
    expect(rows).toHaveLength(3);
    // No cell a spreadsheet would run.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@]/);
    expect(rows[0]![2]).toBe(`'=HYPERLINK("http://x","click")`);
    expect(rows[1]!.slice(2, 5)).toEqual(["'+SUP", "'-minus", "'@proc"]);
    expect(rows[2]![2]).toBe("''quoted");
    // One leading ' stripped gives the stored text back, and the chain recomputes from the file alone.
    const unguard = (c: string) => (c.startsWith("'") ? c.slice(1) : c);
    let prev = GENESIS;
    for (const r of rows) {
      const [seq, at, actor, action, proc, details, prevHash, hash] = r.map(unguard) as [string, string, string, string, string, string, string, string];
      expect(prevHash).toBe(prev);
      expect(hash).toBe(docHash(prevHash, { seq: Number(seq), at, actor, action, procedureId: proc === '' ? null : proc, details }));
      prev = hash;
    }
    expect(JSON.parse(unguard(rows[0]![5]!))).toEqual({ note: 'a, "b"\r\nc' });
  });

  test('JSON: an array of entries that parses with the contract, oldest first, filtered as asked', () => {
    const { log } = openLog();
    seed(log, 5);
    const file = log.exportAs({ action: 'upload.retry' }, 'json');
    expect(file.mediaType).toBe('application/json');
    expect(file.fileName).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.json$/);
    const entries = z.array(AuditEntrySchema).parse(JSON.parse(file.content));
    expect(entries.map((e) => e.seq)).toEqual([1, 3, 5]);
    expect(file.count).toBe(3);
    expect(entries[1]).toEqual(log.list({ limit: 1, before: 4 })[0]);
  });
});

describe('diffValues', () => {
  test('a JSON-path list of what changed: objects by key, arrays by index', () => {
    const before = {
      stationName: 'ST-1',
      uploadTargets: [
        { id: 'mes', url: 'http://a' },
        { id: 'pg', url: 'postgres://x', enabled: true },
      ],
      retry: { firstDelayMs: 1000 },
      'odd key': 1,
    };
    const after = {
      stationName: 'ST-1',
      uploadTargets: [
        { id: 'mes', url: 'http://a' },
        { id: 'pg', url: 'postgres://y', enabled: true },
        { id: 'drop', folder: '/mnt' },
      ],
      retry: {},
      'odd key': 2,
      scanners: ['/dev/ttyUSB0'],
    };
    expect(diffValues(before, after, 'settings')).toEqual([
      { path: 'settings.uploadTargets[1].url', before: 'postgres://x', after: 'postgres://y' },
      { path: 'settings.uploadTargets[2]', after: { id: 'drop', folder: '/mnt' } },
      { path: 'settings.retry.firstDelayMs', before: 1000 },
      { path: 'settings["odd key"]', before: 1, after: 2 },
      { path: 'settings.scanners', after: ['/dev/ttyUSB0'] },
    ]);
    expect(diffValues(before, structuredClone(before))).toEqual([]);
    expect(diffValues([1, 2, 3], [1, 2])).toEqual([{ path: '[2]', before: 3 }]);
    expect(diffValues({ a: 1 }, { a: [1] })).toEqual([{ path: 'a', before: 1, after: [1] }]);
    expect(diffValues('x', 'y')).toEqual([{ path: '', before: 'x', after: 'y' }]);
  });
});

describe('gaps after a salvage', () => {
  /** A station database whose audit rows `lost` cannot be read any more (here: gone from the file), salvaged as a start would. */
  function salvaged(lost: readonly number[], total: number): { db: DatabaseSync; path: string } {
    const dir = freshDir();
    const { db, log, path } = openLog(dir);
    seed(log, total);
    db.close();
    if (lost.length) tamper(path, `DELETE FROM audit WHERE id IN (${lost.join(',')})`);
    const out = salvageDatabase(path, {
      reason: 'database disk image is malformed',
      targets: [],
      create: (p) => {
        const d = new DatabaseSync(p);
        migrate(d);
        return d;
      },
    });
    cleanups.push(() => out.db.isOpen && out.db.close());
    return { db: out.db, path };
  }

  test('entries salvage could not read are listed as gaps, and the trail verifies', () => {
    const { db, path } = salvaged([3, 4, 7], 8);
    const log = new AuditLog(db);
    const entry = log.last('store.salvaged')!;
    expect(entry.seq).toBe(9);
    expect((entry.details as { auditGaps: unknown }).auditGaps).toEqual([
      { afterSeq: 2, count: 2 },
      { afterSeq: 6, count: 1 },
    ]);
    const expected = {
      ok: true,
      entries: 6,
      firstBad: null,
      gaps: [
        { afterSeq: 2, count: 2 },
        { afterSeq: 6, count: 1 },
      ],
    };
    expect(log.verify()).toEqual(expected);
    db.close();
    expect(verifyAuditFile(path)).toEqual(expected);
    // The chain goes on after the salvage.
    const again = openDatabase(join(path, '..'));
    cleanups.push(() => again.close());
    new AuditLog(again).append({ actor: 'SUP-1', action: 'store.backup' });
    expect(new AuditLog(again).verify()).toMatchObject({ ok: true, entries: 7 });
  });

  test('a page of the trail overwritten on disk: the start salvages, and verify lists exactly the entries lost', () => {
    const dir = freshDir();
    const { db, log, path } = openLog(dir);
    db.exec('BEGIN IMMEDIATE');
    for (let i = 1; i <= 3000; i++) log.append({ actor: 'SUP-1', action: 'upload.retry', details: { i, note: 'x'.repeat(200) } });
    db.exec('COMMIT');
    db.close();
    // A page in the middle of the file (the trail is nearly all of it) turned to garbage.
    const pageSize = 4096;
    const pages = statSync(path).size / pageSize;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, Math.floor(pages / 2) * pageSize);
    closeSync(fd);

    const store = openStore(dir);
    cleanups.push(() => store.db.isOpen && store.db.close());
    expect(store.salvage).not.toBeNull();
    const copied = store.salvage!.tables.audit!.copied;
    expect(copied).toBeLessThan(3000);
    expect(copied).toBeGreaterThan(2900);
    const v = new AuditLog(store.db).verify();
    expect(v).toMatchObject({ ok: true, entries: copied + 1, firstBad: null });
    expect(v.gaps.length).toBeGreaterThan(0);
    expect(v.gaps.reduce((n, g) => n + g.count, 0)).toBe(3000 - copied);
    expect(store.salvage!.auditGaps).toEqual(v.gaps);
  });

  test('a salvage that lost nothing lists nothing', () => {
    const { db } = salvaged([], 4);
    expect(new AuditLog(db).verify()).toEqual({ ok: true, entries: 5, firstBad: null, gaps: [] });
  });

  test('a jump no salvage explains is a break, and so is one explained with the wrong count', () => {
    const { db, path } = salvaged([3], 5);
    db.close();
    // Entry 5 removed by hand after the salvage: nothing explains it.
    tamper(path, 'DELETE FROM audit WHERE id = 5');
    expect(verifyAuditFile(path).firstBad).toEqual({ seq: 6, reason: 'entry 5 is missing, and no salvage of the database explains it' });

    const { db: db2, path: path2 } = salvaged([2, 3], 5);
    db2.close();
    // One more entry lost next to the listed gap: the jump no longer matches what salvage said.
    tamper(path2, 'DELETE FROM audit WHERE id = 4');
    expect(verifyAuditFile(path2).firstBad).toEqual({ seq: 5, reason: 'entries 2–4 are missing, and no salvage of the database explains them' });
  });

  test('a gap is not a free pass: the entry after it must still match its own hash', () => {
    const { db, path } = salvaged([2], 4);
    db.close();
    tamper(path, `UPDATE audit SET actor = 'someone' WHERE id = 3`);
    expect(verifyAuditFile(path).firstBad).toEqual({ seq: 3, reason: 'its content does not match its hash: it was changed after it was written' });
  });

  test('a database from before the chain is salvaged into a chained trail', () => {
    const dir = freshDir();
    const path = join(dir, DB_FILE);
    const old = new DatabaseSync(path);
    migrate(old, 100);
    old.exec(`INSERT INTO audit (id, ts, actor, action, details) VALUES
      (1, '2026-01-01T00:00:00.000Z', 'SUP-1', 'calibration.set', '{}'),
      (3, '2026-01-01T00:01:00.000Z', 'SUP-1', 'upload.retry', '{}')`);
    old.close();
    const out = salvageDatabase(path, {
      reason: 'test',
      targets: [],
      create: (p) => {
        const d = new DatabaseSync(p);
        migrate(d);
        return d;
      },
    });
    cleanups.push(() => out.db.close());
    expect(out.report.auditGaps).toEqual([{ afterSeq: 1, count: 1 }]);
    expect(new AuditLog(out.db).verify()).toEqual({ ok: true, entries: 3, firstBad: null, gaps: [{ afterSeq: 1, count: 1 }] });
  });
});
