import type { DatabaseSync } from 'node:sqlite';
import type { RunSummary } from '#contract/records.ts';
import type { FailureQuery, ParetoBy, ParetoResult, StatsFilter } from '#contract/stats.ts';
import { SUMMARY_COLUMNS, toSummary } from '#station/store/runs-repo.ts';
import { OUTCOME, type ProcedureRuns } from './runs-cache.ts';

/**
 * The Pareto of failures (docs/statistics.md "Failures"): of the non-reference FAIL and ERROR
 * runs in the range, by failing measurement (`phase.name`, from the failures table), by phase
 * that did not pass, or by failure code (the failing measurements' and phases' codes; `''` for
 * a failed run with none). A run counts once per key.
 */

export interface ParetoOptions {
  filter: StatsFilter;
  from?: number | undefined;
  to?: number | undefined;
  referencePattern: string;
}

/** Run indexes (into the procedure's runs) that failed, in the range and version, not reference units. */
function failedRuns(p: ProcedureRuns, o: ParetoOptions): { failed: number[]; runs: number } {
  const start = o.from === undefined ? 0 : p.lowerBound(o.from);
  const end = o.to === undefined ? p.n : p.lowerBound(o.to);
  const ref = p.referenceFlags(o.referencePattern);
  const version = o.filter.version === undefined ? -1 : p.versions.values.indexOf(o.filter.version);
  const failed: number[] = [];
  let runs = 0;
  if (o.filter.version !== undefined && version < 0) return { failed, runs };
  for (let i = start; i < end; i++) {
    if (version >= 0 && p.version[i] !== version) continue;
    if (ref[p.serial[i]!] === 1) continue;
    runs++;
    const oc = p.outcome[i]!;
    if (oc === OUTCOME.FAIL || oc === OUTCOME.ERROR) failed.push(i);
  }
  return { failed, runs };
}

/** key → the run indexes behind it, ascending. */
function keysOf(db: DatabaseSync, p: ProcedureRuns, failed: readonly number[], by: ParetoBy): Map<string, number[]> {
  const byId = new Map(failed.map((i) => [p.ids[i]!, i]));
  const ids = JSON.stringify([...byId.keys()]);
  const keys = new Map<number, Set<string>>();
  const add = (runId: string, key: string) => {
    const i = byId.get(runId);
    if (i === undefined) return;
    let s = keys.get(i);
    if (!s) keys.set(i, (s = new Set()));
    s.add(key);
  };
  if (by === 'measurement' || by === 'failureCode') {
    const rows = db.prepare('SELECT run_id, phase, measurement, failure_code FROM failures WHERE run_id IN (SELECT value FROM json_each(?))').all(ids) as {
      run_id: string;
      phase: string;
      measurement: string;
      failure_code: string | null;
    }[];
    for (const r of rows) add(r.run_id, by === 'measurement' ? `${r.phase}.${r.measurement}` : (r.failure_code ?? ''));
  }
  if (by === 'phase' || by === 'failureCode') {
    const rows = db
      .prepare(`SELECT run_id, name, failure_code FROM phases WHERE run_id IN (SELECT value FROM json_each(?)) AND outcome IN ('FAIL', 'ERROR')`)
      .all(ids) as { run_id: string; name: string; failure_code: string | null }[];
    for (const r of rows) {
      if (by === 'phase') add(r.run_id, r.name);
      else if (r.failure_code !== null) add(r.run_id, r.failure_code);
    }
  }
  if (by === 'failureCode') {
    // A code stands for its run: a run whose failures carry codes is not also "no code".
    for (const i of failed) {
      const s = keys.get(i);
      if (!s) keys.set(i, new Set(['']));
      else if (s.size > 1) s.delete('');
    }
  }
  const out = new Map<string, number[]>();
  for (const i of failed) {
    for (const k of keys.get(i) ?? []) {
      let l = out.get(k);
      if (!l) out.set(k, (l = []));
      l.push(i);
    }
  }
  return out;
}

export function computePareto(db: DatabaseSync, p: ProcedureRuns, o: ParetoOptions & { groupBy: ParetoBy; limit: number }): ParetoResult {
  const { failed, runs } = failedRuns(p, o);
  const keys = [...keysOf(db, p, failed, o.groupBy)].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0));
  const failures = keys.reduce((n, [, l]) => n + l.length, 0);
  let cumulative = 0;
  const bars = keys.slice(0, o.limit).map(([key, l]) => {
    cumulative += l.length;
    return {
      key,
      count: l.length,
      share: l.length / failures,
      cumulativeShare: cumulative / failures,
      runIds: l
        .slice(-50)
        .reverse()
        .map((i) => p.ids[i]!),
      query: { ...o.filter, groupBy: o.groupBy, key },
    };
  });
  return {
    procedureId: p.procedureId,
    groupBy: o.groupBy,
    failures,
    failedRuns: failed.length,
    runs,
    bars,
    otherCount: keys.slice(o.limit).reduce((n, [, l]) => n + l.length, 0),
  };
}

/** The runs behind one bar, newest first. */
export function failureRuns(db: DatabaseSync, p: ProcedureRuns, o: ParetoOptions & { query: FailureQuery; limit: number; before?: string | undefined }): RunSummary[] {
  const { failed } = failedRuns(p, o);
  const l = keysOf(db, p, failed, o.query.groupBy).get(o.query.key) ?? [];
  const before = o.before === undefined ? Infinity : Date.parse(o.before);
  const ids = l
    .filter((i) => p.t[i]! < before)
    .slice(-o.limit)
    .reverse()
    .map((i) => p.ids[i]!);
  if (ids.length === 0) return [];
  const rows = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Record<
    string,
    string | number | null
  >[];
  const order = new Map(ids.map((id, k) => [id, k]));
  return rows.map(toSummary).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}
