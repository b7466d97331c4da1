import type { DatabaseSync } from 'node:sqlite';
import { closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { AuditLog, chainUnhashed, gapsIn, type AuditGap } from './audit.ts';
import { rebuildStatValues } from '#station/stats/stat-writer.ts';

/**
 * Salvage of a damaged station database: what the b-trees still give is copied, table by
 * table and rowid range by rowid range, into a new database; a range that throws is split
 * until only the unreadable rows are left out. The damaged file is only ever read through
 * copies, then moved aside untouched.
 */

export interface SalvageReport {
  at: string;
  /** What showed the damage (quick_check's first line or the error). */
  reason: string;
  path: string;
  /** Where the damaged file (and its -wal, -shm) now is, untouched. */
  aside: string;
  /** `incomplete`: salvaged runs the file's phase index names more phases for than could be read. */
  runs: { salvaged: number; total: number; unreadable: number; incomplete: number };
  /** Rows copied per table; `complete` false when some of the table could not be read. */
  tables: Record<string, { copied: number; complete: boolean }>;
  /** Finished runs queued again because their upload rows could not be read. */
  requeued: number;
  /** Ids of runs known to exist (from an index or a child row) whose row could not be read; at most 50. */
  unreadableRunIds: string[];
  /** Ids of salvaged runs that lost phases; at most 50. */
  incompleteRunIds: string[];
  /** Which copy gave the most: the file with its write-ahead log, or the file alone. */
  source: 'file+wal' | 'file' | 'none';
  /** Audit entries that could not be read: after which seq, how many (verify lists them as gaps, not breaks). */
  auditGaps: AuditGap[];
}

/** Damage SQLite reports as such; anything else (locked, I/O on a missing disk) is not ours to salvage. */
export function isCorruptionError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /file is not a database|database disk image is malformed|SQLITE_CORRUPT|SQLITE_NOTADB|malformed database schema/i.test(msg);
}

/** Parent-first, so a child row's run is already there (foreign keys stay on). */
const TABLES = [
  'runs',
  'phases',
  'failures',
  'attachments',
  'outbox',
  'run_annotations',
  'audit',
  'events',
  'calibration',
  'people',
  'api_tokens',
  'procedure_versions',
] as const;
/** Tables whose rows belong to a run: only rows of a salvaged run are copied. */
const RUN_CHILD = new Set(['phases', 'failures', 'attachments', 'outbox', 'run_annotations']);
const CHUNK = 256;
/** After a damaged event log the next seq jumps this far, so a number seen live before is never reused. */
export const SEQ_GAP_AFTER_DAMAGE = 1_000_000;

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** A plausible header for a file whose own 100 bytes were overwritten. */
function freshHeader(pageSize: number, pages: number, wal: boolean): Buffer {
  const n = Buffer.alloc(100);
  MAGIC.copy(n, 0);
  n.writeUInt16BE(pageSize === 65536 ? 1 : pageSize, 16);
  n[18] = wal ? 2 : 1;
  n[19] = wal ? 2 : 1;
  n[21] = 64;
  n[22] = 32;
  n[23] = 32;
  n.writeUInt32BE(1, 24); // change counter
  n.writeUInt32BE(pages, 28);
  n.writeUInt32BE(1, 40); // schema cookie
  n.writeUInt32BE(4, 44); // schema format
  n.writeUInt32BE(1, 56); // UTF-8
  n.writeUInt32BE(1, 92); // size valid for change counter 1
  n.writeUInt32BE(3040000, 96);
  return n;
}

/**
 * Makes a working copy readable where only its framing is damaged: a header overwritten
 * (the first 100 bytes) gets a plausible one, keeping the page size if it still reads as
 * one; a file cut short is padded to whole pages and its stated size made to match.
 */
export function repairCopy(file: string, wal: boolean): void {
  const fd = openSync(file, 'r+');
  try {
    const h = Buffer.alloc(100);
    readSync(fd, h, 0, 100, 0);
    const raw = h.readUInt16BE(16);
    const stated = raw === 1 ? 65536 : raw;
    const pageSize = stated >= 512 && stated <= 65536 && (stated & (stated - 1)) === 0 ? stated : 4096;
    const size = statSync(file).size;
    const pages = Math.ceil(size / pageSize);
    if (size % pageSize) writeSync(fd, Buffer.alloc(pages * pageSize - size), 0, pages * pageSize - size, size);
    if (!h.subarray(0, 16).equals(MAGIC)) {
      writeSync(fd, freshHeader(pageSize, pages, wal), 0, 100, 0);
    } else if (h.readUInt32BE(28) > pages) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(pages);
      writeSync(fd, b, 0, 4, 28);
    }
  } finally {
    closeSync(fd);
  }
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function tryGet<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

interface CopyStats {
  copied: number;
  complete: boolean;
  /** The highest rowid the damaged table still showed (a rowid table only). */
  maxRowid?: number;
}

/**
 * Copies `old.<table>` into `main.<table>` by rowid ranges; a range that throws is split,
 * down to single rows, which are left out. Returns what was copied.
 */
function copyRowidTable(db: DatabaseSync, table: string, cols: string[], filter: string): CopyStats {
  const t = q(table);
  // An INTEGER PRIMARY KEY is the rowid itself; other tables keep their rowid by name.
  const info = db.prepare(`PRAGMA main.table_info(${t})`).all() as { name: string; type: string; pk: number }[];
  const pks = info.filter((c) => c.pk > 0);
  const alias = pks.length === 1 && pks[0]!.type.toUpperCase() === 'INTEGER' && cols.includes(pks[0]!.name);
  const list = (alias ? cols : ['rowid', ...cols]).map((c) => (c === 'rowid' ? c : q(c))).join(', ');
  const insert = db.prepare(`INSERT OR IGNORE INTO main.${t} (${list}) SELECT ${list} FROM old.${t} WHERE rowid BETWEEN ? AND ?${filter}`);
  const stats: CopyStats = { copied: 0, complete: true };
  const lo = tryGet(() => (db.prepare(`SELECT min(rowid) AS r FROM old.${t}`).get() as { r: number | bigint | null }).r);
  let hi = tryGet(() => (db.prepare(`SELECT max(rowid) AS r FROM old.${t}`).get() as { r: number | bigint | null }).r);
  if (lo === null && hi === null) return stats;
  if (hi !== undefined && hi !== null) stats.maxRowid = Number(hi);
  if (hi === undefined || lo === undefined) {
    stats.complete = false;
    // The table's edge pages are gone: find how far rowids go by probing powers of two.
    let top = 0;
    for (let k = 0; k < 40; k++) {
      const got = tryGet(() => db.prepare(`SELECT rowid AS r FROM old.${t} WHERE rowid >= ? LIMIT 1`).get(2 ** k) as { r: number } | undefined);
      if (got) top = Math.max(top, Number(got.r));
    }
    stats.maxRowid = top;
    hi = Math.max(top * 2, CHUNK);
  }
  const from = lo === undefined || lo === null ? 1 : Number(lo);
  const to = Number(hi);
  const range = (a: number, b: number): void => {
    try {
      stats.copied += Number(insert.run(a, b).changes);
    } catch (e) {
      if (!isCorruptionError(e) && !/constraint|cannot store|datatype/i.test((e as Error).message)) throw e;
      if (a === b) {
        stats.complete = false;
        return;
      }
      const mid = a + Math.floor((b - a) / 2);
      range(a, mid);
      range(mid + 1, b);
    }
  };
  for (let a = from; a <= to; a += CHUNK) range(a, Math.min(a + CHUNK - 1, to));
  return stats;
}

/** A WITHOUT ROWID table: whole, else run by run (by its key), else what a scan gives before it fails. */
function copyKeyedTable(db: DatabaseSync, table: string, cols: string[], filter: string, runIds: readonly string[]): CopyStats {
  const t = q(table);
  const list = cols.map(q).join(', ');
  try {
    const r = db.prepare(`INSERT OR IGNORE INTO main.${t} (${list}) SELECT ${list} FROM old.${t} WHERE 1${filter}`).run();
    return { copied: Number(r.changes), complete: true };
  } catch (e) {
    if (!isCorruptionError(e)) throw e;
  }
  const stats: CopyStats = { copied: 0, complete: false };
  if (cols.includes('run_id')) {
    const one = db.prepare(`INSERT OR IGNORE INTO main.${t} (${list}) SELECT ${list} FROM old.${t} WHERE run_id = ?`);
    for (const id of runIds) {
      try {
        stats.copied += Number(one.run(id).changes);
      } catch {
        /* this run's rows are unreadable */
      }
    }
  }
  return stats;
}

/** Run ids the damaged file still names somewhere: the primary-key index, child rows. */
function knownRunIds(db: DatabaseSync, into: Set<string>): void {
  const sources = [
    `SELECT id AS v FROM old.runs INDEXED BY sqlite_autoindex_runs_1 ORDER BY id`,
    `SELECT id AS v FROM old.runs INDEXED BY sqlite_autoindex_runs_1 ORDER BY id DESC`,
    `SELECT DISTINCT run_id AS v FROM old.phases ORDER BY run_id`,
    `SELECT DISTINCT run_id AS v FROM old.phases ORDER BY run_id DESC`,
    `SELECT run_id AS v FROM old.outbox`,
    `SELECT run_id AS v FROM old.run_annotations`,
  ];
  for (const sql of sources) {
    try {
      for (const r of db.prepare(sql).iterate() as Iterable<{ v: string }>) if (typeof r.v === 'string') into.add(r.v);
    } catch {
      /* read up to the damage */
    }
  }
}

interface Pass {
  tables: Record<string, CopyStats>;
  runIds: string[];
  known: Set<string>;
  incomplete: string[];
}

/** Phases per run as the phases' primary-key index (its own b-tree) still lists them. */
function indexedPhaseCounts(db: DatabaseSync): Map<string, number> {
  const counts = new Map<string, number>();
  const scan = (dir: 'ASC' | 'DESC', stopAt?: string): boolean => {
    try {
      for (const r of db
        .prepare(`SELECT run_id AS v FROM old.phases INDEXED BY sqlite_autoindex_phases_1 ORDER BY run_id ${dir}, idx ${dir}, attempt ${dir}`)
        .iterate() as Iterable<{ v: string }>) {
        if (stopAt !== undefined && r.v <= stopAt) break;
        counts.set(r.v, (counts.get(r.v) ?? 0) + 1);
      }
      return true;
    } catch {
      return false;
    }
  };
  if (!scan('ASC')) {
    // Read from the other end up to (not into) the last run the first scan reached.
    const last = [...counts.keys()].at(-1);
    if (last !== undefined) counts.delete(last);
    scan('DESC', [...counts.keys()].at(-1));
  }
  return counts;
}

/** One pass: a working copy attached as `old` to a new database at `target` (already migrated). */
function copyFrom(target: DatabaseSync, work: string): Pass {
  const pass: Pass = { tables: {}, runIds: [], known: new Set(), incomplete: [] };
  target.prepare('ATTACH DATABASE ? AS old').run(work);
  try {
    // Reads stop at the first bad cell instead of trusting it.
    tryGet(() => target.exec('PRAGMA old.cell_size_check = ON'));
    const present = new Map<string, string>();
    for (const r of target.prepare(`SELECT name, sql FROM old.sqlite_schema WHERE type = 'table'`).all() as { name: string; sql: string }[])
      present.set(r.name, r.sql);
    for (const table of TABLES) {
      if (!present.has(table)) continue;
      const newCols = (target.prepare(`PRAGMA main.table_info(${q(table)})`).all() as { name: string }[]).map((c) => c.name);
      const oldCols = new Set((target.prepare(`PRAGMA old.table_info(${q(table)})`).all() as { name: string }[]).map((c) => c.name));
      const cols = newCols.filter((c) => oldCols.has(c));
      const filter = RUN_CHILD.has(table) ? ' AND run_id IN (SELECT id FROM main.runs)' : '';
      const withoutRowid = /WITHOUT\s+ROWID/i.test(present.get(table)!);
      const newWithoutRowid = /WITHOUT\s+ROWID/i.test(
        (target.prepare(`SELECT sql FROM main.sqlite_schema WHERE name = ?`).get(table) as { sql: string } | undefined)?.sql ?? '',
      );
      pass.tables[table] =
        withoutRowid || newWithoutRowid ? copyKeyedTable(target, table, cols, filter, pass.runIds) : copyRowidTable(target, table, cols, filter);
      if (table === 'runs') pass.runIds = (target.prepare('SELECT id FROM main.runs').all() as { id: string }[]).map((r) => r.id);
    }
    knownRunIds(target, pass.known);
    if (present.has('phases') && pass.tables.phases && !pass.tables.phases.complete) {
      const copied = new Map(
        (target.prepare('SELECT run_id AS v, count(*) AS n FROM main.phases GROUP BY run_id').all() as { v: string; n: number }[]).map((r) => [r.v, r.n]),
      );
      const runs = new Set(pass.runIds);
      for (const [id, n] of indexedPhaseCounts(target)) if (runs.has(id) && (copied.get(id) ?? 0) < n) pass.incomplete.push(id);
    }
  } finally {
    target.exec('DETACH DATABASE old');
  }
  return pass;
}

export interface SalvageOptions {
  /** The damage found. */
  reason: string;
  /** Upload targets a finished run is queued for when its upload rows are lost. */
  targets: readonly string[];
  /** Creates a new, migrated, empty database at a path (the store's own open). */
  create: (path: string) => DatabaseSync;
}

/**
 * Salvages the database at `path`: copies what can be read into a new database, moves
 * the damaged file aside untouched and puts the new one in its place. The new database
 * gets an audit row with the counts. Returns the report and the new database, open.
 */
export function salvageDatabase(path: string, opts: SalvageOptions): { db: DatabaseSync; report: SalvageReport } {
  const at = new Date().toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  const aside = `${path}.corrupt-${stamp}`;
  const wal = existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0;
  const variants: { source: SalvageReport['source']; withWal: boolean }[] = wal
    ? [
        { source: 'file+wal', withWal: true },
        { source: 'file', withWal: false },
      ]
    : [{ source: 'file', withWal: false }];
  const scratch: string[] = [];
  const remove = (p: string) => {
    for (const ext of ['', '-wal', '-shm', '-journal']) rmSync(p + ext, { force: true });
  };

  let best: { db: DatabaseSync; file: string; pass: Pass; source: SalvageReport['source'] } | null = null;
  for (const v of variants) {
    const work = `${path}.salvage-${v.source}-${stamp}`;
    const built = `${path}.salvaged-${v.source}-${stamp}`;
    scratch.push(work, built);
    remove(work);
    remove(built);
    let pass: Pass = { tables: {}, runIds: [], known: new Set(), incomplete: [] };
    const db = opts.create(built);
    try {
      copyFileSync(path, work);
      if (v.withWal) copyFileSync(`${path}-wal`, `${work}-wal`);
      repairCopy(work, v.withWal);
      pass = copyFrom(db, work);
    } catch {
      /* nothing more from this copy: the schema itself cannot be read */
    }
    if (!best || pass.runIds.length > best.pass.runIds.length) {
      if (best) best.db.close();
      best = { db, file: built, pass, source: v.source };
    } else db.close();
    remove(work);
  }
  const { db, file, pass } = best!;
  const source = pass.runIds.length || Object.values(pass.tables).some((t) => t.copied > 0) ? best!.source : 'none';

  const known = new Set([...pass.known, ...pass.runIds]);
  const salvagedIds = new Set(pass.runIds);
  const unreadableRunIds = [...known].filter((id) => !salvagedIds.has(id));

  // Upload rows that could not be read: queue the run again (every target keys it by run id, so a
  // run that had been delivered is not stored twice). Rows read keep their state: delivered stays.
  let requeued = 0;
  const outboxComplete = pass.tables.outbox?.complete ?? source === 'none';
  if (!outboxComplete && opts.targets.length) {
    const ins = db.prepare('INSERT OR IGNORE INTO outbox (run_id, target, created_at) VALUES (?, ?, ?)');
    for (const r of db.prepare(`SELECT id FROM runs WHERE outcome != 'RUNNING'`).all() as { id: string }[]) {
      for (const t of opts.targets) requeued += Number(ins.run(r.id, t, at).changes);
    }
  }
  // Waiting rows go at the next drain, not after the backoff the old file had.
  db.exec(`UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'`);
  if (!(pass.tables.events?.complete ?? true)) {
    const top = Number((db.prepare('SELECT max(last_seq) AS s FROM events').get() as { s: number | null }).s ?? 0);
    db.prepare(`INSERT OR REPLACE INTO events (first_seq, last_seq, body) VALUES (?, ?, '[]')`).run(top + SEQ_GAP_AFTER_DAMAGE, top + SEQ_GAP_AFTER_DAMAGE);
  }

  // Statistics are derived from the phases: made again from what was salvaged.
  rebuildStatValues(db);

  // The audit trail: rows copied from a file before the chain get theirs; every seq that
  // could not be read is listed, so verify tells lost entries (listed) from changed ones.
  chainUnhashed(db);
  const auditSeqs = (db.prepare('SELECT id FROM audit ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const auditGaps = gapsIn(auditSeqs);
  const lastCopied = auditSeqs.at(-1) ?? 0;
  const auditTop = Math.max(pass.tables.audit?.maxRowid ?? 0, lastCopied);
  if (auditTop > lastCopied) auditGaps.push({ afterSeq: lastCopied, count: auditTop - lastCopied });

  const tables: SalvageReport['tables'] = {};
  for (const [k, v] of Object.entries(pass.tables)) tables[k] = { copied: v.copied, complete: v.complete };
  const report: SalvageReport = {
    at,
    reason: opts.reason,
    path,
    aside,
    runs: { salvaged: salvagedIds.size, total: known.size, unreadable: unreadableRunIds.length, incomplete: pass.incomplete.length },
    tables,
    requeued,
    unreadableRunIds: unreadableRunIds.slice(0, 50),
    incompleteRunIds: pass.incomplete.slice(0, 50),
    source,
    auditGaps,
  };
  // Lost at the end of the trail: this entry takes the seq after the lost ones, so the jump to it is explained.
  new AuditLog(db).append({ at, actor: 'station', action: 'store.salvaged', details: report, seq: auditTop + 1 });
  db.close();

  // The damaged file moves aside as it is; the new database takes its place.
  renameSync(path, aside);
  if (existsSync(`${path}-wal`)) {
    // An empty log holds nothing (the check's read-only open may have made it); a full one is kept with its file.
    if (statSync(`${path}-wal`).size > 0) renameSync(`${path}-wal`, `${aside}-wal`);
    else rmSync(`${path}-wal`);
  }
  // The shared-memory index is rebuilt from the log by whoever opens it: not data.
  rmSync(`${path}-shm`, { force: true });
  renameSync(file, path);
  for (const p of scratch) remove(p);
  return { db: opts.create(path), report };
}

/** The one line an operator reads: what happened, what was saved, where the damaged file is. */
export function salvageMessage(r: SalvageReport): string {
  const saved =
    r.runs.total === 0 && r.source === 'none'
      ? 'Nothing could be read from it.'
      : `Salvaged ${r.runs.salvaged} runs of ${r.runs.total}${r.runs.incomplete ? ` (${r.runs.incomplete} without some of their phases)` : ''}; ${r.runs.unreadable} could not be read.`;
  const queued = r.requeued ? ` ${r.requeued} upload(s) queued again.` : '';
  return `The station database was damaged (${r.reason}). ${saved}${queued} Testing goes on in a new database; the damaged file was kept as ${r.aside}.`;
}
