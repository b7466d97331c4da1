import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Measurement } from '#contract/records.ts';

/**
 * The numeric measurement values for statistics (migrations 0150, 0151). Nothing of this is on
 * a run's commit: the store's feed of finished runs (stat_changes, kept by a trigger) says
 * which runs ended, and `indexFinishedRuns` reads their phase rows after the fact (between
 * runs, or before a query) into the journal (stat_values), remembering how far it got
 * (stat_meta `indexed_seq`, in the same transaction). `packStatValues` packs the journal into
 * per-measurement blocks; `readMeasure` reads a measurement back.
 */

export interface NumericLimits {
  lower: number | null;
  upper: number | null;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  marginalLower: number | null;
  marginalUpper: number | null;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The numeric limits a validator sets: a range, or an `equals` with a tolerance as its band. */
export function limitsOf(m: Pick<Measurement, 'validator'>): NumericLimits {
  const v = m.validator;
  const none: NumericLimits = { lower: null, upper: null, lowerInclusive: true, upperInclusive: true, marginalLower: null, marginalUpper: null };
  if (!v) return none;
  if (v.kind === 'range')
    return {
      lower: num(v.lower),
      upper: num(v.upper),
      lowerInclusive: v.lowerInclusive !== false,
      upperInclusive: v.upperInclusive !== false,
      marginalLower: num(v.marginalLower),
      marginalUpper: num(v.marginalUpper),
    };
  if (v.kind === 'equals' && typeof v.value === 'number' && v.tolerance) {
    const t = v.tolerance;
    // As the validator computes its band (engine/validators.ts).
    const band = t.abs ?? (t.percent !== undefined ? (Math.abs(v.value) * t.percent) / 100 : (Math.abs(v.value) * (t.ppm ?? 0)) / 1e6);
    return { ...none, lower: v.value - band, upper: v.value + band };
  }
  return none;
}

const limitsKey = (l: NumericLimits): string =>
  JSON.stringify([l.lower, l.upper, l.lowerInclusive ? 1 : 0, l.upperInclusive ? 1 : 0, l.marginalLower, l.marginalUpper]);

/** A value SPC can chart: a finite number, of a measurement that was not skipped. */
export const isStatValue = (m: Measurement): m is Measurement & { value: number } =>
  typeof m.value === 'number' && Number.isFinite(m.value) && m.outcome !== 'SKIP';

/** Rows per insert statement. */
const BATCH = 32;

interface PhaseRow {
  idx: number;
  attempt: number;
  name: string;
  measurements: string;
}

/** Writes runs' values into the journal; keeps the ids of measures and limits it has seen. */
class StatWriter {
  private readonly s: Record<'phases' | 'measure' | 'addMeasure' | 'limit' | 'addLimit' | 'value' | 'values', StatementSync>;
  private readonly measures = new Map<string, Map<string, number>>();
  private readonly limits = new Map<string, number>();

  constructor(db: DatabaseSync) {
    this.s = {
      phases: db.prepare('SELECT idx, attempt, name, measurements FROM phases WHERE run_id = ? ORDER BY idx, attempt'),
      measure: db.prepare('SELECT id FROM stat_measures WHERE procedure_id = ? AND phase = ? AND name = ?'),
      addMeasure: db.prepare('INSERT INTO stat_measures (procedure_id, phase, name, units) VALUES (?,?,?,?) RETURNING id'),
      limit: db.prepare('SELECT id FROM stat_limits WHERE k = ?'),
      addLimit: db.prepare(
        'INSERT INTO stat_limits (k, lower, upper, lower_inc, upper_inc, marginal_lower, marginal_upper) VALUES (?,?,?,?,?,?,?) RETURNING id',
      ),
      value: db.prepare('INSERT OR REPLACE INTO stat_values (run, idx, measure, t, value, lim) VALUES (?,?,?,?,?,?)'),
      values: db.prepare(`INSERT OR REPLACE INTO stat_values (run, idx, measure, t, value, lim) VALUES ${Array(BATCH).fill('(?,?,?,?,?,?)').join(',')}`),
    };
  }

  /**
   * One run's values from its phase rows, in attempt order: a retried phase's later attempt
   * overwrites the earlier one's (same key), so the attempt that decided the outcome counts.
   */
  run(run: { rowid: number; id: string; t: number; procedureId: string }): void {
    const args: number[] = [];
    for (const p of this.s.phases.all(run.id) as unknown as PhaseRow[]) {
      let ms: Measurement[];
      try {
        ms = JSON.parse(p.measurements) as Measurement[];
      } catch {
        continue; // a damaged row: runs.get names it; statistics go on without it
      }
      if (!Array.isArray(ms)) continue;
      for (const m of ms) {
        if (!isStatValue(m)) continue;
        const measure = this.measureId(run.procedureId, p.name, m);
        args.push(run.rowid, p.idx, measure, run.t, m.value, this.limitOf(measure, m));
        if (args.length === BATCH * 6) this.s.values.run(...args.splice(0));
      }
    }
    for (let i = 0; i < args.length; i += 6) this.s.value.run(...args.slice(i, i + 6));
  }

  private measureId(procedureId: string, phase: string, m: Measurement): number {
    const pk = `${procedureId}\0${phase}`;
    let byName = this.measures.get(pk);
    if (!byName) this.measures.set(pk, (byName = new Map()));
    let id = byName.get(m.name);
    if (id === undefined) {
      const row = (this.s.measure.get(procedureId, phase, m.name) ?? this.s.addMeasure.get(procedureId, phase, m.name, m.units ?? null)) as { id: number };
      id = Number(row.id);
      byName.set(m.name, id);
    }
    return id;
  }

  // A measure's limits change rarely: the last ones seen, compared field by field, save a key per value.
  private readonly lastLimits = new Map<number, { l: NumericLimits; id: number }>();
  private limitOf(measure: number, m: Measurement): number {
    const l = limitsOf(m);
    const last = this.lastLimits.get(measure);
    if (
      last &&
      last.l.lower === l.lower &&
      last.l.upper === l.upper &&
      last.l.lowerInclusive === l.lowerInclusive &&
      last.l.upperInclusive === l.upperInclusive &&
      last.l.marginalLower === l.marginalLower &&
      last.l.marginalUpper === l.marginalUpper
    )
      return last.id;
    const id = this.limitId(l);
    this.lastLimits.set(measure, { l, id });
    return id;
  }

  private limitId(l: NumericLimits): number {
    const k = limitsKey(l);
    let id = this.limits.get(k);
    if (id === undefined) {
      const row = (this.s.limit.get(k) ??
        this.s.addLimit.get(k, l.lower, l.upper, l.lowerInclusive ? 1 : 0, l.upperInclusive ? 1 : 0, l.marginalLower, l.marginalUpper)) as { id: number };
      id = Number(row.id);
      this.limits.set(k, id);
    }
    return id;
  }
}

// One writer per database, so the ids it has seen are asked once; forgotten on a rollback (a new row may be gone).
const writers = new WeakMap<DatabaseSync, StatWriter>();
function writerFor(db: DatabaseSync): StatWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new StatWriter(db)));
  return w;
}

/** Runs `f` in its own transaction, or in the caller's. */
function inTransaction<T>(db: DatabaseSync, f: () => T): T {
  if (db.isTransaction) return f();
  db.exec('BEGIN IMMEDIATE');
  try {
    const r = f();
    db.exec('COMMIT');
    return r;
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    writers.delete(db);
    throw e;
  }
}

const hasMeta = (db: DatabaseSync): boolean => db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'stat_meta'`).get() !== undefined;
const feedTop = (db: DatabaseSync): number => Number((db.prepare('SELECT max(seq) AS s FROM stat_changes').get() as { s: number | null }).s ?? 0);
const setIndexed = (db: DatabaseSync, seq: number): void => {
  db.prepare(`INSERT INTO stat_meta (key, value) VALUES ('indexed_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(seq);
};

/** Whether runs finished that are not indexed yet (one indexed read). */
export const indexBehind = (db: DatabaseSync): boolean =>
  feedTop(db) > Number((db.prepare(`SELECT value FROM stat_meta WHERE key = 'indexed_seq'`).get() as { value: number } | undefined)?.value ?? 0);

/**
 * Indexes the runs that finished since the last time (the feed after `indexed_seq`), at most
 * `maxRuns` feed rows, in one transaction. Returns the runs indexed. A feed that has moved on
 * past what was indexed (its 50,000 rows while nothing indexed) rebuilds everything.
 */
export function indexFinishedRuns(db: DatabaseSync, maxRuns = 1000): number {
  return inTransaction(db, () => {
    const at = Number((db.prepare(`SELECT value FROM stat_meta WHERE key = 'indexed_seq'`).get() as { value: number } | undefined)?.value ?? 0);
    const oldest = Number((db.prepare('SELECT min(seq) AS s FROM stat_changes').get() as { s: number | null }).s ?? 0);
    if (oldest > at + 1) {
      rebuildStatValues(db);
      return -1;
    }
    const feed = db
      .prepare(
        `SELECT c.seq, c.kind, r.rowid AS rowid, r.id, r.started_at, r.procedure_id FROM stat_changes c LEFT JOIN runs r ON r.rowid = c.run
         WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
      )
      .all(at, maxRuns) as { seq: number; kind: number; rowid: number | null; id: string | null; started_at: string | null; procedure_id: string | null }[];
    if (feed.length === 0) return 0;
    const w = writerFor(db);
    let n = 0;
    for (const f of feed) {
      if (f.kind !== 1 || f.id === null) continue;
      w.run({ rowid: Number(f.rowid), id: f.id, t: Date.parse(f.started_at!), procedureId: f.procedure_id! });
      n++;
    }
    setIndexed(db, Number(feed.at(-1)!.seq));
    return n;
  });
}

/**
 * Fills the journal from every finished run's phase rows and packs it (the migration, and after
 * a salvage copied the rows in SQL). A run still running is indexed when it finishes.
 */
export function rebuildStatValues(db: DatabaseSync): void {
  inTransaction(db, () => {
    db.exec('DELETE FROM stat_values; DELETE FROM stat_blocks;');
    const w = writerFor(db);
    const runs = db.prepare(`SELECT rowid, id, started_at, procedure_id FROM runs WHERE outcome != 'RUNNING'`).all() as {
      rowid: number;
      id: string;
      started_at: string;
      procedure_id: string;
    }[];
    for (const r of runs) w.run({ rowid: Number(r.rowid), id: r.id, t: Date.parse(r.started_at), procedureId: r.procedure_id });
    if (hasMeta(db)) setIndexed(db, feedTop(db));
    while (packStatValues(db, 8 * PACK_ROWS) > 0);
  });
}

/** Journal rows one packing takes at most (tens of ms): a block per measurement each time. */
export const PACK_ROWS = 32_768;

/**
 * Packs the journal's values (oldest runs first, whole runs, up to `maxRows` rows) into one
 * block per measurement, in run order, and removes them from the journal, in one transaction.
 * Returns the rows packed: 0 when nothing is left to pack.
 */
export function packStatValues(db: DatabaseSync, maxRows = Number.MAX_SAFE_INTEGER): number {
  const own = !db.isTransaction;
  if (own) db.exec('BEGIN IMMEDIATE');
  try {
    const counts = db.prepare('SELECT run, count(*) AS n FROM stat_values GROUP BY run ORDER BY run').all() as { run: number; n: number }[];
    const runs: number[] = [];
    let total = 0;
    for (const c of counts) {
      if (runs.length > 0 && total + Number(c.n) > maxRows) break;
      runs.push(Number(c.run));
      total += Number(c.n);
    }
    if (runs.length > 0) {
      const list = JSON.stringify(runs);
      const rows = db
        .prepare(`SELECT measure, t, run, value, lim FROM stat_values WHERE run IN (SELECT value FROM json_each(?)) ORDER BY measure, t, run, idx`)
        .all(list) as { measure: number; t: number; run: number; value: number; lim: number }[];
      const insert = db.prepare('INSERT INTO stat_blocks (measure, n, data) VALUES (?,?,?)');
      for (let i = 0; i < rows.length; ) {
        const measure = rows[i]!.measure;
        let j = i;
        while (j < rows.length && rows[j]!.measure === measure) j++;
        insert.run(measure, j - i, packBlock(rows, i, j));
        i = j;
      }
      db.prepare('DELETE FROM stat_values WHERE run IN (SELECT value FROM json_each(?))').run(list);
    }
    if (own) db.exec('COMMIT');
    return total;
  } catch (e) {
    if (own && db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/** Rows in the journal (a few thousand between packings). */
export const journalRows = (db: DatabaseSync): number => Number((db.prepare('SELECT count(*) AS n FROM stat_values').get() as { n: number }).n);

/** One block: t, value and run as float64, limits as int32, column after column. */
function packBlock(rows: readonly { t: number; run: number; value: number; lim: number }[], from: number, to: number): Uint8Array {
  const n = to - from;
  const buf = new ArrayBuffer(n * 28);
  const t = new Float64Array(buf, 0, n);
  const value = new Float64Array(buf, n * 8, n);
  const run = new Float64Array(buf, n * 16, n);
  const lim = new Int32Array(buf, n * 24, n);
  for (let k = 0; k < n; k++) {
    const r = rows[from + k]!;
    t[k] = Number(r.t);
    value[k] = r.value;
    run[k] = Number(r.run);
    lim[k] = Number(r.lim);
  }
  return new Uint8Array(buf);
}

/** One measurement's stored points: columns, in run order (start time, then run). */
export interface MeasurePoints {
  n: number;
  t: Float64Array;
  value: Float64Array;
  run: Float64Array;
  lim: Int32Array;
}

/**
 * Every stored value of one measurement: its blocks and what the journal still holds, in run
 * order. A point of a run deleted since is still there: readers keep those of runs they know.
 */
export function readMeasure(db: DatabaseSync, measure: number, cache?: PointsCache): MeasurePoints {
  const blocks = view(cache ? cache.blocks(db, measure) : readBlocks(db, measure, null));
  const journal = db.prepare('SELECT t, run, value, lim FROM stat_values WHERE measure = ? ORDER BY t, run, idx').all(measure) as {
    t: number;
    run: number;
    value: number;
    lim: number;
  }[];
  if (journal.length === 0) return inRunOrder(blocks);
  const n = blocks.n + journal.length;
  const out: MeasurePoints = { n, t: new Float64Array(n), value: new Float64Array(n), run: new Float64Array(n), lim: new Int32Array(n) };
  out.t.set(blocks.t);
  out.value.set(blocks.value);
  out.run.set(blocks.run);
  out.lim.set(blocks.lim);
  let at = blocks.n;
  for (const r of journal) {
    out.t[at] = Number(r.t);
    out.value[at] = r.value;
    out.run[at] = Number(r.run);
    out.lim[at] = Number(r.lim);
    at++;
  }
  return inRunOrder(out);
}

/** A measure's packed points read so far: columns with room to grow (the first `n` are points), and the last block id read. */
interface Blocks {
  cols: MeasurePoints;
  lastId: number;
}

const view = (b: Blocks): MeasurePoints => {
  const { n, t, value, run, lim } = b.cols;
  return { n, t: t.subarray(0, n), value: value.subarray(0, n), run: run.subarray(0, n), lim: lim.subarray(0, n) };
};

/** The measure's blocks after the ones in `prev`, appended to its columns (grown as needed). */
function readBlocks(db: DatabaseSync, measure: number, prev: Blocks | null): Blocks {
  const rows = db.prepare('SELECT id, n, data FROM stat_blocks WHERE measure = ? AND id > ? ORDER BY id').all(measure, prev?.lastId ?? 0) as {
    id: number;
    n: number;
    data: Uint8Array;
  }[];
  const have = prev?.cols.n ?? 0;
  let n = have;
  for (const r of rows) n += Number(r.n);
  let c = prev?.cols;
  if (!c || c.t.length < n) {
    const size = Math.max(n, Math.ceil(have * 1.5));
    const grown: MeasurePoints = { n: have, t: new Float64Array(size), value: new Float64Array(size), run: new Float64Array(size), lim: new Int32Array(size) };
    if (c) {
      grown.t.set(c.t.subarray(0, have));
      grown.value.set(c.value.subarray(0, have));
      grown.run.set(c.run.subarray(0, have));
      grown.lim.set(c.lim.subarray(0, have));
    }
    c = grown;
  }
  let at = have;
  for (const b of rows) {
    const k = Number(b.n);
    // Views need 8-byte alignment: a blob that does not start on one is copied first.
    let d = b.data;
    if (d.byteOffset % 8 !== 0) d = d.slice();
    const o = d.byteOffset;
    c.t.set(new Float64Array(d.buffer, o, k), at);
    c.value.set(new Float64Array(d.buffer, o + k * 8, k), at);
    c.run.set(new Float64Array(d.buffer, o + k * 16, k), at);
    c.lim.set(new Int32Array(d.buffer, o + k * 24, k), at);
    at += k;
  }
  c.n = n;
  return { cols: c, lastId: rows.length ? Number(rows.at(-1)!.id) : (prev?.lastId ?? 0) };
}

/**
 * Measurements' packed blocks kept in memory (a block never changes once written, and ids only
 * grow): a read asks SQLite only for the blocks written since, then the journal. The last 32
 * measurements read are kept.
 */
export class PointsCache {
  private readonly entries = new Map<number, Blocks>();

  blocks(db: DatabaseSync, measure: number): Blocks {
    const had = this.entries.get(measure) ?? null;
    this.entries.delete(measure);
    const b = readBlocks(db, measure, had);
    this.entries.set(measure, b);
    if (this.entries.size > 32) this.entries.delete(this.entries.keys().next().value!);
    return b;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Blocks are each in order; an import of older runs makes a later block start earlier: sort then. */
function inRunOrder(p: MeasurePoints): MeasurePoints {
  let sorted = true;
  for (let i = 1; i < p.n && sorted; i++) if (p.t[i]! < p.t[i - 1]! || (p.t[i] === p.t[i - 1] && p.run[i]! < p.run[i - 1]!)) sorted = false;
  if (sorted) return p;
  const order = Array.from({ length: p.n }, (_, i) => i).sort((a, b) => p.t[a]! - p.t[b]! || p.run[a]! - p.run[b]!);
  return {
    n: p.n,
    t: Float64Array.from(order, (i) => p.t[i]!),
    value: Float64Array.from(order, (i) => p.value[i]!),
    run: Float64Array.from(order, (i) => p.run[i]!),
    lim: Int32Array.from(order, (i) => p.lim[i]!),
  };
}
