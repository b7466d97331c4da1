import { createHash, hash as digest } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { AuditDiff, AuditEntry, AuditFilter, AuditVerify } from '#contract/audit.ts';

/**
 * The audit trail: the one way to write and read the `audit` table. Every entry carries
 * the hash of the entry before it and a hash over its own content (docs/formats.md,
 * "Audit trail"), so a row changed or removed by hand shows at `verify`. The table itself
 * refuses UPDATE and DELETE (migration 0120's triggers); a tamperer must drop them first,
 * and the chain still tells.
 */

/** The prevHash of the first entry. */
export const GENESIS = '0'.repeat(64);

/** What an entry's hash covers: its fields as stored, details as the stored JSON text. */
export interface HashedContent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  procedureId: string | null;
  /** The details column exactly as stored (JSON text); null only for rows written before the chain with none. */
  detailsText: string | null;
}

/**
 * The canonical JSON of an entry's content: keys sorted (action, actor, at, details,
 * procedureId, seq), no whitespace, strings as JSON.stringify writes them. Written out by
 * hand because the keys are fixed; the unit test checks it against a generic sorted-key
 * serialiser.
 */
export function canonicalContent(c: HashedContent): string {
  const s = JSON.stringify;
  return `{"action":${s(c.action)},"actor":${s(c.actor)},"at":${s(c.at)},"details":${s(c.detailsText)},"procedureId":${s(c.procedureId)},"seq":${c.seq}}`;
}

/** sha256 (hex) over `prevHash + "\n" + canonicalContent(content)`, UTF-8. */
export function entryHash(prevHash: string, c: HashedContent): string {
  return createHash('sha256')
    .update(prevHash + '\n' + canonicalContent(c))
    .digest('hex');
}

/** The triggers that make the table append-only. A row not yet chained (hash NULL: copied from a database before 0120) may get its hash once. */
export const APPEND_ONLY_TRIGGERS = `
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN OLD.hash IS NOT NULL
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an entry cannot be changed'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an entry cannot be deleted'); END;
`;

/** Entries that say which seqs were lost (salvage of a damaged file, or a chain made late): `details.auditGaps`. */
const GAP_ACTIONS = ['store.salvaged', 'audit.chained'] as const;

export interface AuditGap {
  /** The last seq kept before the lost ones (0: lost from the start). */
  afterSeq: number;
  count: number;
}

/** Seq jumps in a list of ascending seqs (starting after 0). */
export function gapsIn(seqs: Iterable<number>): AuditGap[] {
  const gaps: AuditGap[] = [];
  let prev = 0;
  for (const s of seqs) {
    if (s > prev + 1) gaps.push({ afterSeq: prev, count: s - prev - 1 });
    prev = s;
  }
  return gaps;
}

/**
 * Gives every row without a hash (in id order) its prevHash and hash, continuing the
 * chain from the last hashed row before it. Used by migration 0120 for the rows written
 * before it, and by salvage for rows copied from such a database. Returns the rows chained
 * and the seq jumps among them.
 */
export function chainUnhashed(db: DatabaseSync): { chained: number; gaps: AuditGap[] } {
  const first = db.prepare('SELECT min(id) AS id FROM audit WHERE hash IS NULL').get() as { id: number | null };
  if (first.id === null) return { chained: 0, gaps: [] };
  const before = db.prepare('SELECT id, hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1').get(first.id) as
    { id: number; hash: string | null } | undefined;
  let prev = before?.hash ?? GENESIS;
  let lastSeq = before?.id ?? 0;
  const page = db.prepare('SELECT id, ts, actor, action, procedure_id, details FROM audit WHERE hash IS NULL AND id > ? ORDER BY id LIMIT 1000');
  const set = db.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?');
  const gaps: AuditGap[] = [];
  let chained = 0;
  let after = lastSeq;
  for (;;) {
    const rows = page.all(after) as unknown as Row[];
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.id > lastSeq + 1) gaps.push({ afterSeq: lastSeq, count: r.id - lastSeq - 1 });
      const hash = entryHash(prev, contentOf(r));
      set.run(prev, hash, r.id);
      prev = hash;
      lastSeq = r.id;
      chained++;
    }
    after = rows.at(-1)!.id;
  }
  return { chained, gaps };
}

interface Row {
  id: number;
  ts: string;
  actor: string;
  action: string;
  procedure_id: string | null;
  details: string | null;
  prev_hash: string | null;
  hash: string | null;
}

const contentOf = (r: Row): HashedContent => ({ seq: r.id, at: r.ts, actor: r.actor, action: r.action, procedureId: r.procedure_id, detailsText: r.details });

function parseDetails(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (a row written by hand): shown as it is.
    return text;
  }
}

const toEntry = (r: Row): AuditEntry => ({
  seq: r.id,
  at: r.ts,
  actor: r.actor,
  action: r.action,
  procedureId: r.procedure_id,
  details: parseDetails(r.details),
  prevHash: r.prev_hash ?? '',
  hash: r.hash ?? '',
});

const COLUMNS = 'id, ts, actor, action, procedure_id, details, prev_hash, hash';

/** Listeners per database, so every AuditLog over one connection (the repos make their own) tells the same listeners. */
const listenersOf = new WeakMap<DatabaseSync, Set<(e: AuditEntry) => void>>();

export interface AppendInput {
  actor: string;
  action: string;
  details?: unknown;
  procedureId?: string | null;
  /** ISO time; stored as `toISOString()` (UTC, ms) so the text hashed is the text any copy gives back. */
  at?: string;
  /** Salvage only: the entry after entries known lost takes the seq after them. Must be above the last seq. */
  seq?: number;
}

export type ExportFormat = 'csv' | 'json';

export class AuditLog {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private chained: boolean | null = null;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Prepared on first use: a database at an older schema still opens (read-only disk, stand-in). */
  private st(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Whether the table has the chain's columns (migration 0120). */
  private hasChain(): boolean {
    if (this.chained === null) {
      const cols = this.db.prepare('PRAGMA table_info(audit)').all() as { name: string }[];
      this.chained = cols.some((c) => c.name === 'hash');
    }
    return this.chained;
  }

  private requireChain(what: string): void {
    if (this.hasChain()) return;
    const v = Number((this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    throw new Error(
      `the audit trail cannot ${what}: this database is at schema ${v}, before the chained trail (120); it is migrated when the station opens it for writing`,
    );
  }

  /** True while a transaction is open on the connection: entries read now may still be rolled back. */
  get busy(): boolean {
    return this.db.isTransaction;
  }

  /**
   * Writes one entry. Inside a transaction the caller opened, it is one more insert in
   * it (the change and its record commit together); outside, it takes BEGIN IMMEDIATE so
   * reading the last hash and inserting after it cannot interleave with another writer.
   */
  append(e: AppendInput): AuditEntry {
    this.requireChain(`record ${e.action}`);
    const atMs = e.at === undefined ? Date.now() : Date.parse(e.at);
    if (!Number.isFinite(atMs)) throw new Error(`audit entry ${e.action}: "${e.at}" is not a time`);
    const at = new Date(atMs).toISOString();
    const detailsText = JSON.stringify(e.details === undefined ? null : e.details) ?? 'null';
    const procedureId = e.procedureId ?? null;
    const own = !this.db.isTransaction;
    if (own) this.db.exec('BEGIN IMMEDIATE');
    let entry: AuditEntry;
    try {
      const last = this.st('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string | null } | undefined;
      const lastSeq = last?.id ?? 0;
      if (last && last.hash === null) throw new Error(`the audit trail cannot record ${e.action}: entry ${last.id} has no hash (chain it first)`);
      const seq = e.seq ?? lastSeq + 1;
      if (!Number.isInteger(seq) || seq <= lastSeq) throw new Error(`audit entry ${e.action}: seq ${seq} is not after the last entry (${lastSeq})`);
      const prevHash = last?.hash ?? GENESIS;
      const hash = entryHash(prevHash, { seq, at, actor: e.actor, action: e.action, procedureId, detailsText });
      this.st('INSERT INTO audit (id, ts, actor, action, procedure_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)').run(
        seq,
        at,
        e.actor,
        e.action,
        procedureId,
        detailsText,
        prevHash,
        hash,
      );
      if (own) this.db.exec('COMMIT');
      entry = { seq, at, actor: e.actor, action: e.action, procedureId, details: parseDetails(detailsText), prevHash, hash };
    } catch (err) {
      if (own && this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    const listeners = listenersOf.get(this.db);
    if (listeners?.size) {
      const notify = (): void => {
        for (const l of listeners) {
          try {
            l(entry);
          } catch {
            /* a listener's fault is its own */
          }
        }
      };
      // Inside the caller's transaction: after it has ended (the entry may yet be rolled back; a listener only wakes).
      if (own) notify();
      else setImmediate(notify);
    }
    return entry;
  }

  /** Called after each entry is written (by any AuditLog on this connection); returns the unsubscribe. */
  onAppend(listener: (e: AuditEntry) => void): () => void {
    let set = listenersOf.get(this.db);
    if (!set) listenersOf.set(this.db, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private where(filter: AuditFilter & { before?: number | undefined }): { sql: string; args: (string | number)[] } {
    const parts: string[] = [];
    const args: (string | number)[] = [];
    if (filter.actor !== undefined) {
      parts.push('actor = ?');
      args.push(filter.actor);
    }
    if (filter.action !== undefined) {
      if (filter.action.endsWith('.')) {
        // A prefix as a range, so the index serves it: 'upload.' ≤ action < 'upload/'.
        parts.push('action >= ? AND action < ?');
        args.push(filter.action, filter.action.slice(0, -1) + String.fromCharCode(filter.action.charCodeAt(filter.action.length - 1) + 1));
      } else {
        parts.push('action = ?');
        args.push(filter.action);
      }
    }
    if (filter.procedureId !== undefined) {
      parts.push('procedure_id = ?');
      args.push(filter.procedureId);
    }
    // Stored times are UTC ISO (toISOString), so they compare as text once the bounds are too.
    if (filter.from !== undefined) {
      parts.push('ts >= ?');
      args.push(new Date(filter.from).toISOString());
    }
    if (filter.to !== undefined) {
      parts.push('ts < ?');
      args.push(new Date(filter.to).toISOString());
    }
    if (filter.before !== undefined) {
      parts.push('id < ?');
      args.push(filter.before);
    }
    return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', args };
  }

  /** Newest first; page on with `before` = the last seq seen. */
  list(filter: AuditFilter & { before?: number | undefined; limit: number }): AuditEntry[] {
    this.requireChain('be read');
    const w = this.where(filter);
    return (this.st(`SELECT ${COLUMNS} FROM audit${w.sql} ORDER BY id DESC LIMIT ?`).all(...w.args, filter.limit) as unknown as Row[]).map(toEntry);
  }

  /** The latest entry of an action, or null. */
  last(action: string): AuditEntry | null {
    this.requireChain('be read');
    const r = this.st(`SELECT ${COLUMNS} FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1`).get(action) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  /** Entries after a seq, oldest first, with the stored details text (for shipping). */
  after(seq: number, limit: number): (AuditEntry & { detailsText: string | null })[] {
    this.requireChain('be read');
    return (this.st(`SELECT ${COLUMNS} FROM audit WHERE id > ? ORDER BY id LIMIT ?`).all(seq, limit) as unknown as Row[]).map((r) => ({
      ...toEntry(r),
      detailsText: r.details,
    }));
  }

  /** The highest seq written (0 for an empty trail). */
  lastSeq(): number {
    return Number((this.st('SELECT max(id) AS s FROM audit').get() as { s: number | null }).s ?? 0);
  }

  /**
   * The entries a filter selects, oldest first, as a file: CSV (the stored details text,
   * so the hashes can be recomputed from it) or JSON (an array of AuditEntry).
   */
  exportAs(filter: AuditFilter, format: ExportFormat, stationId?: string): { fileName: string; mediaType: string; content: string; count: number } {
    this.requireChain('be read');
    const w = this.where(filter);
    const rows = this.st(`SELECT ${COLUMNS} FROM audit${w.sql} ORDER BY id`).iterate(...w.args) as Iterable<Row>;
    const day = new Date().toISOString().slice(0, 10);
    const base = `audit-${stationId ? `${stationId.replace(/[^A-Za-z0-9._-]/g, '_')}-` : ''}${day}`;
    let count = 0;
    if (format === 'json') {
      const entries: AuditEntry[] = [];
      for (const r of rows) entries.push(toEntry(r));
      return { fileName: `${base}.json`, mediaType: 'application/json', content: JSON.stringify(entries, null, 2) + '\n', count: entries.length };
    }
    const lines = [CSV_COLUMNS.join(',')];
    for (const r of rows) {
      count++;
      lines.push(
        [
          String(r.id),
          csvCell(r.ts),
          csvCell(r.actor),
          csvCell(r.action),
          csvCell(r.procedure_id),
          csvCell(r.details),
          csvCell(r.prev_hash),
          csvCell(r.hash),
        ].join(','),
      );
    }
    return { fileName: `${base}.csv`, mediaType: 'text/csv; charset=utf-8', content: lines.join('\r\n') + '\r\n', count };
  }

  /** Recomputes the whole chain (auditGaps listed by salvage are gaps, not breaks). */
  verify(): AuditVerify {
    this.requireChain('be verified');
    return verifyRows(this.db);
  }
}

export const CSV_COLUMNS = ['seq', 'at', 'actor', 'action', 'procedure_id', 'details', 'prev_hash', 'hash'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
 * doubled. A cell a spreadsheet would run as a formula (starting = + - @, tab or CR) gets a
 * leading `'`; so does one that already starts with `'`, so stripping one leading `'` always
 * gives the stored text back. NULL is an empty cell.
 */
export function csvCell(v: string | null): string {
  if (v === null) return '';
  let s = v;
  if (/^[=+\-@\t\r']/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Gaps the trail itself explains: `details.auditGaps` of its salvage (and late-chaining) entries, by afterSeq. */
function explainedGaps(db: DatabaseSync): Map<number, { count: number; by: number }> {
  const out = new Map<number, { count: number; by: number }>();
  const rows = db.prepare(`SELECT id, details FROM audit WHERE action IN (${GAP_ACTIONS.map(() => '?').join(',')}) ORDER BY id`).all(...GAP_ACTIONS) as {
    id: number;
    details: string | null;
  }[];
  for (const r of rows) {
    const d = parseDetails(r.details) as { auditGaps?: unknown } | null;
    if (!d || typeof d !== 'object' || !Array.isArray(d.auditGaps)) continue;
    for (const g of d.auditGaps as unknown[]) {
      const { afterSeq, count } = (g ?? {}) as { afterSeq?: unknown; count?: unknown };
      if (Number.isInteger(afterSeq) && Number.isInteger(count) && (count as number) > 0) out.set(afterSeq as number, { count: count as number, by: r.id });
    }
  }
  return out;
}

/** One row as the check reads it (arrays: no object per row). */
type VerifyRow = [
  id: number,
  ts: string,
  actor: string,
  action: string,
  procedureId: string | null,
  details: string | null,
  prevHash: string | null,
  hash: string | null,
];

/** The chain check, streaming the rows in seq order: 100,000 entries in a few hundred ms, in constant memory. */
function verifyRows(db: DatabaseSync): AuditVerify {
  const explained = explainedGaps(db);
  const gaps: AuditGap[] = [];
  let firstBad: AuditVerify['firstBad'] = null;
  let entries = 0;
  let prevHash = GENESIS;
  let lastSeq = 0;
  const st = db.prepare(`SELECT ${COLUMNS} FROM audit ORDER BY id`);
  st.setReturnArrays(true);
  const s = JSON.stringify;
  for (const r of st.iterate() as unknown as Iterable<VerifyRow>) {
    entries++;
    if (firstBad) continue;
    const [id, at, actor, action, procedureId, details, prev, hash] = r;
    if (hash === null || prev === null) {
      firstBad = { seq: id, reason: 'it has no hash (written without the chain)' };
      continue;
    }
    const jump = id - lastSeq - 1;
    let linked = true;
    if (jump > 0) {
      const known = explained.get(lastSeq);
      // A gap counts as explained only by an entry written after it, for exactly the seqs missing.
      if (known && known.count === jump && known.by >= id) {
        gaps.push({ afterSeq: lastSeq, count: jump });
        linked = false;
      } else {
        const which = jump === 1 ? `entry ${lastSeq + 1} is` : `entries ${lastSeq + 1}–${id - 1} are`;
        firstBad = { seq: id, reason: `${which} missing, and no salvage of the database explains ${jump === 1 ? 'it' : 'them'}` };
        continue;
      }
    }
    // canonicalContent and entryHash, inlined: this loop is the figure audit.verify_100k_ms.
    const content = `{"action":${s(action)},"actor":${s(actor)},"at":${s(at)},"details":${s(details)},"procedureId":${s(procedureId)},"seq":${id}}`;
    if (digest('sha256', prev + '\n' + content) !== hash) {
      firstBad = { seq: id, reason: 'its content does not match its hash: it was changed after it was written' };
      continue;
    }
    if (linked && prev !== prevHash) {
      firstBad = {
        seq: id,
        reason:
          lastSeq === 0
            ? 'it is the first entry but does not start the chain (its prevHash is not 64 zeros)'
            : `its prevHash is not the hash of entry ${lastSeq}: an entry before it was changed or replaced`,
      };
      continue;
    }
    prevHash = hash;
    lastSeq = id;
  }
  return { ok: firstBad === null, entries, firstBad, gaps };
}

/** `passline audit verify`: the chain of a database file, opened read-only. */
export function verifyAuditFile(dbPath: string): AuditVerify {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return new AuditLog(db).verify();
  } finally {
    db.close();
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

const sameValue = (a: unknown, b: unknown): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b)) || JSON.stringify(a) === JSON.stringify(b);

const keyPath = (base: string, key: string): string =>
  /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`;

/**
 * What changed between two plain values, as JSON paths (`uploadTargets[1].url`, objects
 * by key, arrays by index): `before` missing where a key was added, `after` missing where
 * it was removed. `base` prefixes every path (`settings`).
 */
export function diffValues(before: unknown, after: unknown, base = ''): AuditDiff[] {
  const out: AuditDiff[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !Object.hasOwn(a, k))];
      for (const k of keys) {
        const inA = Object.hasOwn(a, k) && a[k] !== undefined;
        const inB = Object.hasOwn(b, k) && b[k] !== undefined;
        if (!inA && !inB) continue;
        if (!inA) out.push({ path: keyPath(path, k), after: b[k] });
        else if (!inB) out.push({ path: keyPath(path, k), before: a[k] });
        else walk(a[k], b[k], keyPath(path, k));
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const p = `${path}[${i}]`;
        if (i >= a.length) out.push({ path: p, after: b[i] });
        else if (i >= b.length) out.push({ path: p, before: a[i] });
        else walk(a[i], b[i], p);
      }
      return;
    }
    if (sameValue(a, b)) return;
    const d: AuditDiff = { path };
    if (a !== undefined) d.before = a;
    if (b !== undefined) d.after = b;
    out.push(d);
  };
  walk(before, after, base);
  return out;
}
