import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * One procedure's finished runs in memory, in run order (start time, then rowid), as columns:
 * what yield, the Pareto and SPC need of each run. Loaded once from the runs table, then kept
 * up to date from the store's feed of finished and deleted runs (stat_changes, migration 0150):
 * a run that ends after the last one is appended; anything else (an import of older runs, a
 * deletion) reloads the procedure at its next use. A unit is a serial number of the procedure;
 * its attempts are its PASS and FAIL runs (ERROR and ABORTED runs are the station's, not the
 * unit's, as for retest rules).
 */

export const OUTCOME = { PASS: 0, FAIL: 1, ERROR: 2, ABORTED: 3 } as const;
export const OUTCOME_NAMES = ['PASS', 'FAIL', 'ERROR', 'ABORTED'] as const;
const outcomeCode = (o: string): number => OUTCOME[o as keyof typeof OUTCOME] ?? OUTCOME.ERROR;

/** Strings as small integers; 0 is "none recorded". */
class Dict {
  readonly values: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  // Runs in order repeat the value before (a version, a socket's operator) far more often than not.
  private last = '';
  private lastCode = 0;
  code(v: string | null | undefined): number {
    if (v === null || v === undefined || v === '') return 0;
    if (v === this.last) return this.lastCode;
    let c = this.index.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(v);
      this.index.set(v, c);
    }
    this.last = v;
    this.lastCode = c;
    return c;
  }
}

type Row = [rowid: number, id: string, startedAt: string, outcome: string, socket: number, duration: number | null, version: string, serial: string, part: string | null, operator: string | null, fixture: string | null];

const COLUMNS = `r.rowid, r.id, r.started_at, r.outcome, r.socket, r.duration_ms, r.procedure_version, r.serial_number, r.part_number, r.operator_id, a.body`;
const FROM = `FROM runs r LEFT JOIN run_annotations a ON a.run_id = r.id AND a.kind = 'fixtureId'`;

export class ProcedureRuns {
  n = 0;
  t = new Float64Array(1024);
  rowid = new Float64Array(1024);
  outcome = new Uint8Array(1024);
  socket = new Int32Array(1024);
  /** Run duration in ms; NaN when not recorded. */
  duration = new Float64Array(1024);
  version = new Int32Array(1024);
  part = new Int32Array(1024);
  operator = new Int32Array(1024);
  fixture = new Int32Array(1024);
  serial = new Int32Array(1024);
  /** 1, 2, 3… among the unit's PASS and FAIL runs; 0 for ERROR and ABORTED. */
  attempt = new Int32Array(1024);
  /** The unit's next attempt (index), −1 for its last so far. */
  next = new Int32Array(1024);
  ids: string[] = [];
  readonly versions = new Dict();
  readonly parts = new Dict();
  readonly operators = new Dict();
  readonly fixtures = new Dict();
  readonly serials = new Dict();
  private readonly lastAttempt: number[] = [];
  /** Made at first use (the alert monitor, a deletion): yield and SPC walk in order instead. */
  private byRowid: Map<number, number> | null = null;
  private refCache: { pattern: string; flags: Uint8Array; upTo: number } | null = null;

  readonly procedureId: string;
  constructor(procedureId: string) {
    this.procedureId = procedureId;
  }

  indexOfRowid(rowid: number): number | undefined {
    if (!this.byRowid) {
      this.byRowid = new Map();
      for (let i = 0; i < this.n; i++) this.byRowid.set(this.rowid[i]!, i);
    }
    return this.byRowid.get(rowid);
  }

  /** Appends a run; false when it starts before the last one (the caller reloads instead). */
  append(r: Row): boolean {
    const t = Date.parse(r[2]);
    const i = this.n;
    if (i > 0) {
      const pt = this.t[i - 1]!;
      const pr = this.rowid[i - 1]!;
      // The feed may name the run a load just read.
      if (t === pt && r[0] === pr) return true;
      if (t < pt || (t === pt && r[0] < pr)) return false;
    }
    if (i === this.t.length) this.grow();
    this.t[i] = t;
    this.rowid[i] = r[0];
    this.ids.push(r[1]);
    const o = outcomeCode(r[3]);
    this.outcome[i] = o;
    this.socket[i] = r[4];
    this.duration[i] = r[5] ?? NaN;
    this.version[i] = this.versions.code(r[6]);
    const s = this.serials.code(r[7]);
    this.serial[i] = s;
    this.part[i] = this.parts.code(r[8]);
    this.operator[i] = this.operators.code(r[9]);
    this.fixture[i] = this.fixtures.code(fixtureOf(r[10]));
    this.next[i] = -1;
    if (o <= OUTCOME.FAIL) {
      const prev = this.lastAttempt[s];
      this.attempt[i] = prev === undefined ? 1 : this.attempt[prev]! + 1;
      if (prev !== undefined) this.next[prev] = i;
      this.lastAttempt[s] = i;
    } else this.attempt[i] = 0;
    this.byRowid?.set(r[0], i);
    this.n = i + 1;
    return true;
  }

  /** Per serial code: 1 for a reference (golden) unit, matching `pattern` ('' : none). */
  referenceFlags(pattern: string): Uint8Array {
    const serials = this.serials.values;
    let c = this.refCache;
    if (!c || c.pattern !== pattern) c = this.refCache = { pattern, flags: new Uint8Array(Math.max(16, serials.length * 2)), upTo: 1 };
    if (c.flags.length < serials.length) {
      const f = new Uint8Array(serials.length * 2);
      f.set(c.flags);
      c.flags = f;
    }
    if (pattern !== '') {
      const re = new RegExp(pattern);
      for (let s = c.upTo; s < serials.length; s++) c.flags[s] = re.test(serials[s]!) ? 1 : 0;
    }
    c.upTo = serials.length;
    return c.flags;
  }

  /** First index with t ≥ `t` (binary search). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const size = this.t.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(size);
      b.set(a);
      return b;
    };
    this.t = g(this.t, Float64Array);
    this.rowid = g(this.rowid, Float64Array);
    this.outcome = g(this.outcome, Uint8Array);
    this.socket = g(this.socket, Int32Array);
    this.duration = g(this.duration, Float64Array);
    this.version = g(this.version, Int32Array);
    this.part = g(this.part, Int32Array);
    this.operator = g(this.operator, Int32Array);
    this.fixture = g(this.fixture, Int32Array);
    this.serial = g(this.serial, Int32Array);
    this.attempt = g(this.attempt, Int32Array);
    this.next = g(this.next, Int32Array);
  }
}

/** The fixture annotation is a JSON string. */
function fixtureOf(body: string | null): string | null {
  if (body === null) return null;
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The procedures' runs, loaded at first use and kept current from the store's feed. */
export class RunsCache {
  private readonly procedures = new Map<string, ProcedureRuns>();
  private seq: number;
  /** Runs that finished since the alert monitor last took them (at most the last 10,000). */
  private finished: { rowid: number; procedureId: string }[] = [];
  private readonly s: Record<'load' | 'one' | 'feed' | 'top' | 'oldest', StatementSync>;

  constructor(db: DatabaseSync) {
    this.s = {
      load: db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE r.procedure_id = ? AND r.outcome != 'RUNNING' ORDER BY r.started_at, r.rowid`),
      one: db.prepare(`SELECT r.procedure_id, ${COLUMNS} ${FROM} WHERE r.rowid = ?`),
      feed: db.prepare('SELECT seq, run, kind FROM stat_changes WHERE seq > ? ORDER BY seq'),
      top: db.prepare('SELECT max(seq) AS s FROM stat_changes'),
      oldest: db.prepare('SELECT min(seq) AS s FROM stat_changes'),
    };
    this.s.load.setReturnArrays(true);
    this.s.one.setReturnArrays(true);
    // Runs that finish from now on are the ones the alert monitor takes.
    this.seq = Number((this.s.top.get() as { s: number | null }).s ?? 0);
  }

  /** Runs that finished since the last call, oldest first (for the alert monitor). */
  takeFinished(): { rowid: number; procedureId: string }[] {
    this.sync();
    return this.finished.splice(0);
  }

  /** Applies the store's feed of finished and deleted runs. */
  sync(): void {
    const oldest = Number((this.s.oldest.get() as { s: number | null }).s ?? 0);
    if (oldest > this.seq + 1) {
      // Fell behind the feed's window: start again.
      this.procedures.clear();
      this.seq = Number((this.s.top.get() as { s: number | null }).s ?? 0);
      return;
    }
    for (const f of this.s.feed.all(this.seq) as { seq: number; run: number; kind: number }[]) {
      this.seq = Number(f.seq);
      const run = Number(f.run);
      if (f.kind === 2) {
        // A deletion (retention): every procedure that had the run loads again when asked.
        for (const [id, p] of this.procedures) if (p.indexOfRowid(run) !== undefined) this.procedures.delete(id);
        continue;
      }
      if (f.kind !== 1) continue;
      const row = this.s.one.get(run) as unknown as [string, ...Row] | undefined;
      if (!row) continue;
      const [procedureId, ...r] = row;
      this.finished.push({ rowid: run, procedureId });
      if (this.finished.length > 10_000) this.finished.splice(0, this.finished.length - 10_000);
      const p = this.procedures.get(procedureId);
      if (p && !p.append(r as Row)) this.procedures.delete(procedureId);
    }
  }

  /** The procedure's runs now. */
  get(procedureId: string): ProcedureRuns {
    this.sync();
    let p = this.procedures.get(procedureId);
    if (!p) {
      p = new ProcedureRuns(procedureId);
      const rows = this.s.load.all(procedureId) as unknown as Row[];
      // Start times as stored sort as text; one with another UTC offset (an import) may not: then by time.
      const len = rows[0]?.[2].length;
      if (!rows.every((r) => r[2].length === len && r[2].endsWith('Z'))) rows.sort((a, b) => Date.parse(a[2]) - Date.parse(b[2]) || a[0] - b[0]);
      for (const r of rows) p.append(r);
      this.procedures.set(procedureId, p);
    }
    return p;
  }

  /** The procedure of a run (by rowid) if its procedure is loaded. */
  loaded(procedureId: string): ProcedureRuns | undefined {
    return this.procedures.get(procedureId);
  }
}
