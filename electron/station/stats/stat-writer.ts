import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Measurement, PhaseRecord } from '#contract/records.ts';

/**
 * The numeric measurement values for statistics (migration 0150): written into the journal
 * (stat_values) with each phase row, in its transaction, from the record in memory; packed by
 * `packStatValues` into per-measurement blocks between runs; read back by `readMeasure`.
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

/** Rows per insert statement: one call instead of many on the commit path. */
const BATCH = 32;

export class StatWriter {
  private readonly db: DatabaseSync;
  private statements: Record<string, StatementSync> | null = null;
  // Ids of rows this connection has seen; forgotten on a rollback (a new row may be gone).
  private readonly measures = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private lastRun: { id: string; rowid: number; t: number; procedureId: string } | null = null;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  // Prepared at first use: a store opened at an older schema (a migration's test) has no stat tables.
  private get s(): Record<string, StatementSync> {
    const db = this.db;
    return (this.statements ??= {
      run: db.prepare('SELECT rowid AS r, started_at, procedure_id FROM runs WHERE id = ?'),
      measure: db.prepare('SELECT id FROM stat_measures WHERE procedure_id = ? AND phase = ? AND name = ?'),
      addMeasure: db.prepare('INSERT INTO stat_measures (procedure_id, phase, name, units) VALUES (?,?,?,?) RETURNING id'),
      limit: db.prepare('SELECT id FROM stat_limits WHERE k = ?'),
      addLimit: db.prepare(
        'INSERT INTO stat_limits (k, lower, upper, lower_inc, upper_inc, marginal_lower, marginal_upper) VALUES (?,?,?,?,?,?,?) RETURNING id',
      ),
      value: db.prepare('INSERT OR REPLACE INTO stat_values (run, idx, measure, t, value, lim) VALUES (?,?,?,?,?,?)'),
      values: db.prepare(`INSERT OR REPLACE INTO stat_values (run, idx, measure, t, value, lim) VALUES ${Array(BATCH).fill('(?,?,?,?,?,?)').join(',')}`),
    });
  }

  /** The phase's numeric values; call inside the transaction that writes the phase row. */
  phase(runId: string, p: PhaseRecord): void {
    let run = this.lastRun;
    if (run?.id !== runId) {
      const r = this.s.run!.get(runId) as { r: number; started_at: string; procedure_id: string } | undefined;
      if (!r) return;
      run = this.lastRun = { id: runId, rowid: Number(r.r), t: Date.parse(r.started_at), procedureId: r.procedure_id };
    }
    // A retried phase's later attempt overwrites the earlier's values (same key); many rows per statement.
    const args: number[] = [];
    for (const m of p.measurements) {
      if (!isStatValue(m)) continue;
      args.push(run.rowid, p.index, this.measureId(run.procedureId, p.name, m), run.t, m.value, this.limitId(limitsOf(m)));
      if (args.length === BATCH * 6) this.s.values!.run(...args.splice(0));
    }
    for (let i = 0; i < args.length; i += 6) this.s.value!.run(...args.slice(i, i + 6));
  }

  /** After a rollback: rows this connection inserted may be gone, so their ids are asked again. */
  rolledBack(): void {
    this.measures.clear();
    this.limits.clear();
    this.lastRun = null;
  }

  private measureId(procedureId: string, phase: string, m: Measurement): number {
    const key = `${procedureId}\0${phase}\0${m.name}`;
    let id = this.measures.get(key);
    if (id === undefined) {
      const row = (this.s.measure!.get(procedureId, phase, m.name) ?? this.s.addMeasure!.get(procedureId, phase, m.name, m.units ?? null)) as { id: number };
      id = Number(row.id);
      this.measures.set(key, id);
    }
    return id;
  }

  private limitId(l: NumericLimits): number {
    const k = limitsKey(l);
    let id = this.limits.get(k);
    if (id === undefined) {
      const row = (this.s.limit!.get(k) ??
        this.s.addLimit!.get(k, l.lower, l.upper, l.lowerInclusive ? 1 : 0, l.upperInclusive ? 1 : 0, l.marginalLower, l.marginalUpper)) as { id: number };
      id = Number(row.id);
      this.limits.set(k, id);
    }
    return id;
  }
}

/**
 * Fills the journal from every stored phase row and packs it (the migration, and after a
 * salvage copied the rows in SQL). Phases in attempt order: a later attempt overwrites.
 */
export function rebuildStatValues(db: DatabaseSync): void {
  db.exec('DELETE FROM stat_values; DELETE FROM stat_blocks;');
  const w = new StatWriter(db);
  const rows = db.prepare('SELECT run_id, idx, attempt, name, measurements FROM phases ORDER BY run_id, idx, attempt').iterate() as Iterable<{
    run_id: string;
    idx: number;
    attempt: number;
    name: string;
    measurements: string;
  }>;
  for (const r of rows) {
    let measurements: Measurement[];
    try {
      measurements = JSON.parse(r.measurements) as Measurement[];
    } catch {
      continue; // a damaged row: runs.get names it; statistics go on without it
    }
    if (!Array.isArray(measurements)) continue;
    w.phase(r.run_id, { index: r.idx, attempt: r.attempt, name: r.name, measurements } as PhaseRecord);
  }
  while (packStatValues(db, 8 * PACK_ROWS) > 0);
}

/** Journal rows one packing takes at most (tens of ms): a block per measurement each time. */
export const PACK_ROWS = 32_768;

/**
 * Packs the journal's values of finished runs (oldest first, whole runs, up to `maxRows` rows)
 * into one block per measurement, in run order, and removes them from the journal, in one
 * transaction. A running run's values stay (its phases may still be retried). Returns the rows
 * packed: 0 when nothing is left to pack.
 */
export function packStatValues(db: DatabaseSync, maxRows = Number.MAX_SAFE_INTEGER): number {
  const own = !db.isTransaction;
  if (own) db.exec('BEGIN IMMEDIATE');
  try {
    const counts = db
      .prepare(`SELECT v.run AS run, count(*) AS n FROM stat_values v JOIN runs r ON r.rowid = v.run WHERE r.outcome != 'RUNNING' GROUP BY v.run ORDER BY v.run`)
      .all() as { run: number; n: number }[];
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
 * order. Points of runs still running are included; the reader keeps the finished ones.
 */
export function readMeasure(db: DatabaseSync, measure: number): MeasurePoints {
  const blocks = db.prepare('SELECT n, data FROM stat_blocks WHERE measure = ? ORDER BY id').all(measure) as { n: number; data: Uint8Array }[];
  const journal = db.prepare('SELECT t, run, value, lim FROM stat_values WHERE measure = ? ORDER BY t, run, idx').all(measure) as {
    t: number;
    run: number;
    value: number;
    lim: number;
  }[];
  let n = journal.length;
  for (const b of blocks) n += Number(b.n);
  const out: MeasurePoints = { n, t: new Float64Array(n), value: new Float64Array(n), run: new Float64Array(n), lim: new Int32Array(n) };
  let at = 0;
  for (const b of blocks) {
    const k = Number(b.n);
    // A copy at offset 0: the blob's bytes may not be 8-byte aligned for a Float64Array view.
    const bytes = new Uint8Array(k * 28);
    bytes.set(b.data.subarray(0, k * 28));
    const buf = bytes.buffer;
    out.t.set(new Float64Array(buf, 0, k), at);
    out.value.set(new Float64Array(buf, k * 8, k), at);
    out.run.set(new Float64Array(buf, k * 16, k), at);
    out.lim.set(new Int32Array(buf, k * 24, k), at);
    at += k;
  }
  for (const r of journal) {
    out.t[at] = Number(r.t);
    out.value[at] = r.value;
    out.run[at] = Number(r.run);
    out.lim[at] = Number(r.lim);
    at++;
  }
  return inRunOrder(out);
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
