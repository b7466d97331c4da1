import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SPC_RULE_NAMES, type SpcRule, type StatsAlert, type StatsAlertEvent } from '#contract/stats.ts';
import { OUTCOME, type ProcedureRuns, type RunsCache } from './runs-cache.ts';
import { D2, RULE_WINDOW, RuleStream } from './spc.ts';
import { segmentsOf } from './spc-query.ts';
import type { PointsCache } from './stat-writer.ts';
import type { StatsSettings } from './service.ts';

/**
 * Drift alerts (docs/statistics.md "Drift alerts"), checked after each stored run, off the
 * commit path, in O(1) per value: each measurement and limit version keeps running sums (n,
 * Σx, Σ|MR|) for its centre line and within sigma, and the rules' run counters (RuleStream),
 * each point judged against the centre line and sigma of the moment it came. A rule alert is raised when a rule fires on the newest point and
 * cleared after RULE_WINDOW points in a row without it; a yield alert while the first pass
 * yield of the procedure's last `yieldAlert.window` units is below the threshold.
 */

/** Points a measurement needs before its rules may raise an alert (a centre line from fewer is a guess). */
export const MIN_POINTS = 20;
/** How many points back each rule's pattern reaches: where "since" starts. */
const PATTERN: Record<SpcRule, number> = { 1: 1, 2: 9, 3: 6, 4: 14, 5: 3, 6: 5, 7: 15, 8: 8 };

interface Track {
  procedureId: string;
  measurement: string;
  lim: number;
  n: number;
  sum: number;
  sumMr: number;
  last: number;
  rules: RuleStream;
  /** The last RULE_WINDOW points' runs (index into the procedure's runs), oldest first. */
  recent: number[];
  /** Newest point taken: (run index, phase index). */
  upTo: [number, number];
  quiet: Map<SpcRule, number>;
  /** Alerts of this track in force: a quiet point of a track with none costs nothing more. */
  active: number;
}

/** Takes a point into the track's sums and rules; returns the rules it breaks (bit r−1 for rule r). */
function push(tr: Track, x: number, ri: number): number {
  if (tr.n > 0) tr.sumMr += Math.abs(x - tr.last);
  tr.n++;
  tr.sum += x;
  tr.last = x;
  tr.recent.push(ri);
  if (tr.recent.length > RULE_WINDOW) tr.recent.shift();
  if (tr.n < 2) return 0;
  const sigma = tr.sumMr / (tr.n - 1) / D2;
  return sigma > 0 ? tr.rules.step(x, { cl: tr.sum / tr.n, sigma }) : 0;
}

export type Publish = (e: StatsAlertEvent, runId: string, socket: number) => void;

export class AlertMonitor {
  private readonly tracks = new Map<string, Track>();
  private readonly active = new Map<string, StatsAlert>();
  /** The track of each rule alert in force. */
  private readonly trackOf = new Map<string, Track>();
  private readonly s: { values: StatementSync; measure: StatementSync };

  private readonly db: DatabaseSync;
  private readonly runs: RunsCache;
  private readonly settings: () => StatsSettings;
  private readonly publish: Publish;
  private readonly points: PointsCache | undefined;

  constructor(db: DatabaseSync, runs: RunsCache, settings: () => StatsSettings, publish: Publish, points?: PointsCache) {
    this.points = points;
    this.db = db;
    this.runs = runs;
    this.settings = settings;
    this.publish = publish;
    this.s = {
      values: db.prepare('SELECT measure, idx, value, lim FROM stat_values WHERE run = ? ORDER BY idx, measure'),
      measure: db.prepare('SELECT phase, name FROM stat_measures WHERE id = ?'),
    };
  }

  /** The alerts in force, newest first. */
  current(): StatsAlert[] {
    return [...this.active.values()].sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0));
  }

  /** Checks the runs that finished since the last call (read from the store's feed). */
  check(): void {
    const st = this.settings();
    for (const a of [...this.active.values()])
      if ((a.kind === 'rule' && !st.spcRules.includes(a.rule!)) || (a.kind === 'yield' && st.yieldAlert.minFirstPassYield === null)) this.clear(a);
    for (const f of this.runs.takeFinished()) {
      const p = this.runs.get(f.procedureId);
      const ri = p.indexOfRowid(f.rowid);
      if (ri === undefined) continue;
      const ref = p.referenceFlags(st.referenceSerialPattern)[p.serial[ri]!] === 1;
      if (ref || p.outcome[ri]! > OUTCOME.FAIL) continue;
      if (st.spcRules.length) this.checkRules(p, ri, f.rowid, st);
      if (st.yieldAlert.minFirstPassYield !== null && p.attempt[ri] === 1) this.checkYield(p, ri, st);
    }
  }

  private checkRules(p: ProcedureRuns, ri: number, rowid: number, st: StatsSettings): void {
    for (const v of this.s.values.all(rowid) as { measure: number; idx: number; value: number; lim: number }[]) {
      const key = `${v.measure}:${v.lim}`;
      let tr = this.tracks.get(key);
      let fired: number;
      if (!tr) {
        const started = this.start(p, v.measure, v.lim, st);
        if (!started) continue;
        this.tracks.set(key, (tr = started.track));
        fired = started.fired;
      } else if (ri > tr.upTo[0] || (ri === tr.upTo[0] && v.idx > tr.upTo[1])) {
        fired = push(tr, v.value, ri);
        tr.upTo = [ri, v.idx];
      } else continue;
      this.evaluate(p, tr, fired, st.spcRules);
    }
  }

  /**
   * A measurement's track, from everything stored of its limit version taken point by point
   * (once per station start); with what its newest point breaks.
   */
  private start(p: ProcedureRuns, measure: number, lim: number, st: StatsSettings): { track: Track; fired: number } | null {
    const m = this.s.measure.get(measure) as { phase: string; name: string } | undefined;
    if (!m) return null;
    const seg = segmentsOf(this.db, p, measure, { referencePattern: st.referenceSerialPattern, points: this.points }).segments.find((s) => s.lim === lim);
    if (!seg || seg.values.length === 0) return null;
    const track: Track = {
      procedureId: p.procedureId,
      measurement: `${m.phase}.${m.name}`,
      lim,
      n: 0,
      sum: 0,
      sumMr: 0,
      last: 0,
      rules: new RuleStream(),
      recent: [],
      upTo: [seg.runs.at(-1)!, Number.MAX_SAFE_INTEGER],
      quiet: new Map(),
      active: 0,
    };
    let fired = 0;
    for (let i = 0; i < seg.values.length; i++) fired = push(track, seg.values[i]!, seg.runs[i]!);
    return { track, fired };
  }

  private evaluate(p: ProcedureRuns, tr: Track, fired: number, rules: readonly SpcRule[]): void {
    if ((fired === 0 || tr.n < MIN_POINTS) && tr.active === 0) return;
    const last = tr.recent.at(-1)!;
    for (const rule of rules) {
      const id = `rule:${tr.procedureId}:${tr.measurement}:${tr.lim}:${rule}`;
      const a = this.active.get(id);
      if (tr.n >= MIN_POINTS && fired & (1 << (rule - 1))) {
        tr.quiet.set(rule, 0);
        const window = tr.recent.slice(Math.max(0, tr.recent.length - PATTERN[rule]));
        const sockets = [...new Set(window.map((ri) => p.socket[ri]!))].sort((x, y) => x - y);
        const first = window[0]!;
        const alert: StatsAlert = a
          ? { ...a, sockets: [...new Set([...a.sockets, ...sockets])].sort((x, y) => x - y), lastAt: iso(p, last), lastRunId: p.ids[last]! }
          : {
              id,
              kind: 'rule',
              message: `${tr.measurement}: ${SPC_RULE_NAMES[rule]} (rule ${rule})`,
              procedureId: tr.procedureId,
              measurement: tr.measurement,
              rule,
              sockets,
              since: iso(p, first),
              sinceRunId: p.ids[first]!,
              lastAt: iso(p, last),
              lastRunId: p.ids[last]!,
              value: tr.last,
              threshold: null,
            };
        alert.value = tr.last;
        if (!a) {
          tr.active++;
          this.trackOf.set(id, tr);
        }
        this.raise(alert, p.socket[last]!);
      } else if (a) {
        const q = (tr.quiet.get(rule) ?? 0) + 1;
        tr.quiet.set(rule, q);
        if (q >= RULE_WINDOW) this.clear(a);
      }
    }
  }

  private checkYield(p: ProcedureRuns, ri: number, st: StatsSettings): void {
    const { minFirstPassYield: threshold, window } = st.yieldAlert;
    if (threshold === null) return;
    const ref = p.referenceFlags(st.referenceSerialPattern);
    let units = 0;
    let pass = 0;
    let first = ri;
    for (let i = p.n - 1; i >= 0 && units < window; i--) {
      if (p.attempt[i] !== 1 || ref[p.serial[i]!] === 1) continue;
      units++;
      if (p.outcome[i] === OUTCOME.PASS) pass++;
      first = i;
    }
    if (units < window) return;
    const fpy = pass / units;
    const id = `yield:${p.procedureId}`;
    const a = this.active.get(id);
    if (fpy < threshold) {
      const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
      this.raise(
        {
          id,
          kind: 'yield',
          message: `${p.procedureId}: first pass yield ${pct(fpy)} over the last ${units} units, below ${pct(threshold)}`,
          procedureId: p.procedureId,
          measurement: null,
          rule: null,
          sockets: [...new Set([...(a?.sockets ?? []), p.socket[ri]!])].sort((x, y) => x - y),
          since: a?.since ?? iso(p, first),
          sinceRunId: a?.sinceRunId ?? p.ids[first]!,
          lastAt: iso(p, ri),
          lastRunId: p.ids[ri]!,
          value: fpy,
          threshold,
        },
        p.socket[ri]!,
      );
    } else if (a) this.clear(a);
  }

  private raise(a: StatsAlert, socket: number): void {
    this.active.set(a.id, a);
    this.publish({ state: 'raised', alert: a }, a.lastRunId, socket);
  }

  private clear(a: StatsAlert): void {
    this.active.delete(a.id);
    const tr = this.trackOf.get(a.id);
    if (tr) {
      tr.active--;
      this.trackOf.delete(a.id);
    }
    this.publish({ state: 'cleared', alert: a }, a.lastRunId, a.sockets[0] ?? 0);
  }
}

const iso = (p: ProcedureRuns, ri: number): string => new Date(p.t[ri]!).toISOString();
