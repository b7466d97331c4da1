import type { DatabaseSync } from 'node:sqlite';
import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import type { Settings } from '#contract/settings.ts';
import type { ShiftYield, StatsFilter } from '#contract/stats.ts';
import { StationFault } from '#contract/errors.ts';
import type { AuditLog } from '#station/store/audit.ts';
import { RunsCache } from './runs-cache.ts';
import { PointsCache, indexBehind, indexFinishedRuns } from './stat-writer.ts';
import { computeYield } from './yield.ts';
import { computePareto, failureRuns } from './pareto.ts';
import { computeSpc, findMeasure } from './spc-query.ts';
import { readSeries } from './series.ts';
import { LocalClock, currentShift } from './time.ts';

/** The settings statistics read, at every query (they apply at once). */
export type StatsSettings = Pick<Settings, 'shifts' | 'referenceSerialPattern' | 'spcRules' | 'yieldAlert'>;

/**
 * The statistics the `stats.*` commands and `passline stats` give, over one store: the same
 * code for both, so the screens and scripts print the same figures.
 */
export class StatsService {
  readonly runs: RunsCache;
  readonly points = new PointsCache();
  private readonly clock: LocalClock;
  private shiftCache: { key: string; value: ShiftYield } | null = null;

  private readonly db: DatabaseSync;
  private readonly settings: () => StatsSettings;
  private readonly audit: AuditLog | undefined;
  private readonly write: () => boolean;

  /**
   * `write`: whether the store takes writes now (false for the CLI's read-only open, and while
   * the station's disk is full or its database damaged): runs not indexed yet are left for later.
   */
  constructor(db: DatabaseSync, settings: () => StatsSettings, opts: { audit?: AuditLog; clock?: LocalClock; write?: boolean | (() => boolean) } = {}) {
    this.db = db;
    this.settings = settings;
    this.audit = opts.audit;
    const w = opts.write ?? true;
    this.write = typeof w === 'function' ? w : () => w;
    this.runs = new RunsCache(db);
    this.clock = opts.clock ?? new LocalClock();
  }

  /** Indexes the values of runs that finished since (between runs, and before each query). */
  refresh(): void {
    if (!this.write()) return;
    try {
      for (let n = 1; n > 0 && indexBehind(this.db); ) {
        n = indexFinishedRuns(this.db);
        // Rebuilt from the phases (the feed had moved on too far): the blocks kept in memory are gone.
        if (n < 0) this.points.clear();
      }
    } catch {
      // A disk that just filled: the figures answer with what is indexed; the next run tries again.
    }
  }

  private range(f: { from?: string | undefined; to?: string | undefined }): { from?: number; to?: number } {
    const from = f.from === undefined ? undefined : Date.parse(f.from);
    const to = f.to === undefined ? undefined : Date.parse(f.to);
    if (from !== undefined && to !== undefined && to <= from) throw new StationFault('invalid-input', `to: ${f.to} is not after from (${f.from})`, { field: 'to' });
    return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  }

  private filterOf(i: StatsFilter): StatsFilter {
    return {
      procedureId: i.procedureId,
      ...(i.version !== undefined ? { version: i.version } : {}),
      ...(i.from !== undefined ? { from: i.from } : {}),
      ...(i.to !== undefined ? { to: i.to } : {}),
    };
  }

  yield(i: CommandArgs<'stats.yield'>): CommandOutput<'stats.yield'> {
    this.refresh();
    const st = this.settings();
    return computeYield(this.runs.get(i.procedureId), {
      ...this.range(i),
      version: i.version,
      groupBy: i.groupBy,
      referencePattern: st.referenceSerialPattern,
      shifts: st.shifts,
      clock: this.clock,
    });
  }

  pareto(i: CommandArgs<'stats.pareto'>): CommandOutput<'stats.pareto'> {
    this.refresh();
    return computePareto(this.db, this.runs.get(i.procedureId), {
      filter: this.filterOf(i),
      ...this.range(i),
      referencePattern: this.settings().referenceSerialPattern,
      groupBy: i.groupBy,
      limit: i.limit,
    });
  }

  failureRuns(i: CommandArgs<'stats.failureRuns'>): CommandOutput<'stats.failureRuns'> {
    this.refresh();
    const { limit, before, ...query } = i;
    return {
      runs: failureRuns(this.db, this.runs.get(i.procedureId), {
        filter: this.filterOf(query),
        ...this.range(query),
        referencePattern: this.settings().referenceSerialPattern,
        query,
        limit,
        before,
      }),
    };
  }

  measurements(i: CommandArgs<'stats.measurements'>): CommandOutput<'stats.measurements'> {
    this.refresh();
    const rows = this.db
      .prepare(
        `SELECT m.id, m.phase, m.name, m.units,
           (SELECT coalesce(sum(n), 0) FROM stat_blocks b WHERE b.measure = m.id) + (SELECT count(*) FROM stat_values v WHERE v.measure = m.id) AS n,
           (SELECT max(t) FROM stat_values v WHERE v.measure = m.id) AS journal_t,
           (SELECT data FROM stat_blocks b WHERE b.measure = m.id ORDER BY id DESC LIMIT 1) AS last_block,
           (SELECT n FROM stat_blocks b WHERE b.measure = m.id ORDER BY id DESC LIMIT 1) AS last_n
         FROM stat_measures m WHERE m.procedure_id = ? ORDER BY m.id`,
      )
      .all(i.procedureId) as { phase: string; name: string; units: string | null; n: number; journal_t: number | null; last_block: Uint8Array | null; last_n: number | null }[];
    return {
      procedureId: i.procedureId,
      measurements: rows.map((r) => {
        // A block is in run order: its last start time is its newest (column t first, float64).
        let last = r.journal_t === null ? null : Number(r.journal_t);
        if (r.last_block && r.last_n) {
          const b = Buffer.from(r.last_block.buffer, r.last_block.byteOffset, r.last_block.byteLength).readDoubleLE((Number(r.last_n) - 1) * 8);
          last = last === null ? b : Math.max(last, b);
        }
        return {
          measurement: `${r.phase}.${r.name}`,
          phase: r.phase,
          name: r.name,
          units: r.units,
          count: Number(r.n),
          lastAt: last === null ? null : new Date(last).toISOString(),
        };
      }),
    };
  }

  spc(i: CommandArgs<'stats.spc'>): CommandOutput<'stats.spc'> {
    this.refresh();
    const st = this.settings();
    const m = findMeasure(this.db, i.procedureId, i.measurement);
    const audit = this.audit?.list({ procedureId: i.procedureId, action: 'procedure.changed', limit: 1000 }) ?? [];
    return computeSpc(this.db, this.runs.get(i.procedureId), m, {
      ...this.range(i),
      version: i.version,
      referencePattern: st.referenceSerialPattern,
      rules: i.rules ?? st.spcRules,
      maxPoints: i.maxPoints,
      bins: i.bins,
      points: this.points,
      audit: [...audit].reverse(),
    });
  }

  series(i: CommandArgs<'stats.series'>): CommandOutput<'stats.series'> {
    this.refresh();
    return {
      procedureId: i.procedureId,
      measurement: i.measurement,
      series: readSeries(this.db, this.runs.get(i.procedureId), {
        ...this.range(i),
        measurement: i.measurement,
        partNumber: i.partNumber,
        version: i.version,
        limit: i.limit,
      }),
    };
  }

  /**
   * The current shift's first pass yield over every procedure (the operator's header): units
   * whose first attempt (PASS or FAIL) started in the shift, reference units left out. Kept
   * until a run ends or the shift changes.
   */
  shift(now = Date.now()): ShiftYield {
    const st = this.settings();
    const cur = currentShift(st.shifts, now, this.clock);
    const since = new Date(cur.since).toISOString();
    this.runs.sync();
    const key = `${since}|${st.referenceSerialPattern}|${this.feedMark()}`;
    if (this.shiftCache?.key === key) return this.shiftCache.value;
    const rows = this.db
      .prepare(
        `SELECT r.serial_number AS serial, r.outcome FROM runs r
         WHERE r.started_at >= ? AND r.outcome IN ('PASS', 'FAIL')
           AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.serial_number = r.serial_number AND x.procedure_id = r.procedure_id
             AND x.outcome IN ('PASS', 'FAIL') AND (x.started_at < r.started_at OR (x.started_at = r.started_at AND x.rowid < r.rowid)))`,
      )
      .all(since) as { serial: string; outcome: string }[];
    const re = st.referenceSerialPattern ? new RegExp(st.referenceSerialPattern) : null;
    let units = 0;
    let pass = 0;
    for (const r of rows) {
      if (re?.test(r.serial)) continue;
      units++;
      if (r.outcome === 'PASS') pass++;
    }
    const value: ShiftYield = { shift: cur.name, since, unitsTested: units, firstPassUnits: pass, firstPassYield: units ? pass / units : null };
    this.shiftCache = { key, value };
    return value;
  }

  private feedMark(): number {
    return Number((this.db.prepare('SELECT max(seq) AS s FROM stat_changes').get() as { s: number | null }).s ?? 0);
  }
}
