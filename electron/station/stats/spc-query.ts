import type { DatabaseSync } from 'node:sqlite';
import type { AuditEntry } from '#contract/audit.ts';
import { StationFault } from '#contract/errors.ts';
import { SPC_RULE_NAMES, type LimitChange, type SpcLimits, type SpcResult, type SpcRule, type SpcSegment } from '#contract/stats.ts';
import { readMeasure, type PointsCache } from './stat-writer.ts';
import { OUTCOME, type ProcedureRuns } from './runs-cache.ts';
import { averageMovingRange, capability, checkRules, countOutside, histogram, imrLimits, mean, sampleSigma, D2 } from './spc.ts';

/**
 * SPC of one measurement (docs/statistics.md "SPC"): every stored value in run order, of PASS
 * and FAIL runs (ERROR and ABORTED runs and reference units left out), one segment per set of
 * limits (a capability across a limit change is not one population).
 */

export interface MeasureRow {
  id: number;
  phase: string;
  name: string;
  units: string | null;
}

/** The stored measure named `phase.name` (the phase with its parameters, as the run page shows it). */
export function findMeasure(db: DatabaseSync, procedureId: string, measurement: string): MeasureRow {
  const row = db
    .prepare(`SELECT id, phase, name, units FROM stat_measures WHERE procedure_id = ? AND phase || '.' || name = ? ORDER BY id LIMIT 1`)
    .get(procedureId, measurement) as MeasureRow | undefined;
  if (!row)
    throw new StationFault('not-found', `measurement: no numeric values of "${measurement}" are stored for procedure ${procedureId} (give it as phase.name)`, {
      field: 'measurement',
    });
  return row;
}

export function limitsById(db: DatabaseSync, ids: readonly number[]): Map<number, SpcLimits> {
  const out = new Map<number, SpcLimits>();
  if (ids.length === 0) return out;
  const rows = db
    .prepare('SELECT id, lower, upper, lower_inc, upper_inc, marginal_lower, marginal_upper FROM stat_limits WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids)) as { id: number; lower: number | null; upper: number | null; lower_inc: number; upper_inc: number; marginal_lower: number | null; marginal_upper: number | null }[];
  for (const r of rows)
    out.set(Number(r.id), {
      lower: r.lower,
      upper: r.upper,
      lowerInclusive: r.lower_inc === 1,
      upperInclusive: r.upper_inc === 1,
      marginalLower: r.marginal_lower,
      marginalUpper: r.marginal_upper,
    });
  return out;
}

/** One limit version's points: values and the run (index into the procedure's runs) of each. */
export interface Segment {
  lim: number;
  values: Float64Array;
  runs: Int32Array;
}

export interface SegmentOptions {
  version?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  referencePattern: string;
  /** Packed points kept between reads (the station's). */
  points?: PointsCache | undefined;
}

/** The measurement's points, filtered and split by limits, in order of each limit version's first point. */
export function segmentsOf(db: DatabaseSync, runs: ProcedureRuns, measure: number, o: SegmentOptions): { segments: Segment[]; excluded: SpcResult['excluded'] } {
  const pts = readMeasure(db, measure, o.points);
  const ref = runs.referenceFlags(o.referencePattern);
  const version = o.version === undefined ? -1 : runs.versions.values.indexOf(o.version);
  const excluded = { errorOrAborted: 0, reference: 0, notNumeric: 0 };
  if (o.version !== undefined && version < 0) return { segments: [], excluded };
  const from = o.from ?? -Infinity;
  const to = o.to ?? Infinity;
  // Points and runs are both in (start time, rowid) order: one walk pairs them, no lookups.
  const keptRun = new Int32Array(pts.n);
  const keptLim = new Int32Array(pts.n);
  const keptValue = new Float64Array(pts.n);
  let kept = 0;
  const { t: rt, rowid: rr } = runs;
  let j = 0;
  for (let k = 0; k < pts.n; k++) {
    const t = pts.t[k]!;
    const run = pts.run[k]!;
    while (j < runs.n && (rt[j]! < t || (rt[j] === t && rr[j]! < run))) j++;
    // No finished run with that start and rowid: still running, or gone.
    if (j >= runs.n || rt[j] !== t || rr[j] !== run) continue;
    if (t < from || t >= to) continue;
    if (version >= 0 && runs.version[j] !== version) continue;
    if (runs.outcome[j]! > OUTCOME.FAIL) {
      excluded.errorOrAborted++;
      continue;
    }
    if (ref[runs.serial[j]!] === 1) {
      excluded.reference++;
      continue;
    }
    keptRun[kept] = j;
    keptLim[kept] = pts.lim[k]!;
    keptValue[kept] = pts.value[k]!;
    kept++;
  }
  // Split by limits (usually one set): counts, then each segment filled in order.
  const counts = new Map<number, number>();
  for (let k = 0; k < kept; k++) counts.set(keptLim[k]!, (counts.get(keptLim[k]!) ?? 0) + 1);
  if (counts.size === 1) {
    const lim = keptLim[0]!;
    return { segments: [{ lim, values: keptValue.subarray(0, kept), runs: keptRun.subarray(0, kept) }], excluded };
  }
  const segs = new Map<number, { seg: Segment; at: number }>();
  for (const [lim, n] of counts) segs.set(lim, { seg: { lim, values: new Float64Array(n), runs: new Int32Array(n) }, at: 0 });
  for (let k = 0; k < kept; k++) {
    const s = segs.get(keptLim[k]!)!;
    s.seg.values[s.at] = keptValue[k]!;
    s.seg.runs[s.at++] = keptRun[k]!;
  }
  return { segments: [...segs.values()].map((s) => s.seg), excluded };
}

export interface SpcOptions extends SegmentOptions {
  rules: readonly SpcRule[];
  maxPoints: number;
  bins?: number | undefined;
  /** The procedure's audit entries (procedure.changed), for limit-change markers. */
  audit?: readonly AuditEntry[];
}

export function computeSpc(db: DatabaseSync, runs: ProcedureRuns, m: MeasureRow, o: SpcOptions): SpcResult {
  const { segments, excluded } = segmentsOf(db, runs, m.id, o);
  const limits = limitsById(
    db,
    segments.map((s) => s.lim),
  );
  const none: SpcLimits = { lower: null, upper: null, lowerInclusive: true, upperInclusive: true, marginalLower: null, marginalUpper: null };
  const out: SpcSegment[] = segments.map((s) => segmentFigures(runs, s, limits.get(s.lim) ?? none, o));
  return {
    procedureId: runs.procedureId,
    measurement: `${m.phase}.${m.name}`,
    units: m.units,
    rules: [...o.rules],
    segments: out,
    limitChanges: limitChanges(m, out, o.audit ?? []),
    excluded,
  };
}

function segmentFigures(runs: ProcedureRuns, s: Segment, limits: SpcLimits, o: SpcOptions): SpcSegment {
  const xs = s.values;
  const n = xs.length;
  const mu = mean(xs);
  const sigmaOverall = sampleSigma(xs, mu);
  const mrBar = averageMovingRange(xs);
  const sigmaWithin = mrBar === null ? null : mrBar / D2;
  const spec = { lower: limits.lower, upper: limits.upper, lowerInclusive: limits.lowerInclusive, upperInclusive: limits.upperInclusive };
  const within = capability(mu, sigmaWithin, spec);
  const overall = capability(mu, sigmaOverall, spec);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (xs[i]! < min) min = xs[i]!;
    if (xs[i]! > max) max = xs[i]!;
  }
  const outside = countOutside(xs, spec);
  const imr = imrLimits(xs);
  const hits = sigmaWithin !== null && mu !== null ? checkRules(xs, { cl: mu, sigma: sigmaWithin }, o.rules) : new Map<SpcRule, number[]>();
  const offset = Math.max(0, n - o.maxPoints);
  const value: number[] = [];
  const mr: (number | null)[] = [];
  const at: number[] = [];
  const runId: string[] = [];
  const socket: number[] = [];
  const outcome: ('PASS' | 'FAIL')[] = [];
  for (let i = offset; i < n; i++) {
    const ri = s.runs[i]!;
    value.push(xs[i]!);
    mr.push(i === 0 ? null : Math.abs(xs[i]! - xs[i - 1]!));
    at.push(runs.t[ri]!);
    runId.push(runs.ids[ri]!);
    socket.push(runs.socket[ri]!);
    outcome.push(runs.outcome[ri] === OUTCOME.PASS ? 'PASS' : 'FAIL');
  }
  const first = s.runs[0];
  const last = s.runs[n - 1];
  return {
    n,
    mean: mu,
    sigmaOverall,
    sigmaWithin,
    mrBar,
    cp: within.c,
    cpk: within.ck,
    pp: overall.c,
    ppk: overall.ck,
    min: n ? min : null,
    max: n ? max : null,
    outside,
    pctOutside: n ? (100 * outside) / n : null,
    limits,
    versions: versionsOf(runs, s.runs),
    firstAt: first === undefined ? null : new Date(runs.t[first]!).toISOString(),
    lastAt: last === undefined ? null : new Date(runs.t[last]!).toISOString(),
    histogram: histogram(xs, o.bins),
    individuals: imr?.individuals ?? null,
    movingRange: imr?.movingRange ?? null,
    points: { offset, value, mr, at, runId, socket, outcome },
    violations: [...hits].map(([rule, points]) => ({ rule, name: SPC_RULE_NAMES[rule], count: points.length, points: points.slice(-1000) })),
  };
}

/** The procedure versions of a segment's runs, in order of first appearance. */
function versionsOf(runs: ProcedureRuns, ris: Int32Array): string[] {
  const seen = new Uint8Array(runs.versions.values.length);
  const out: string[] = [];
  for (let k = 0; k < ris.length; k++) {
    const v = runs.version[ris[k]!]!;
    if (seen[v]) continue;
    seen[v] = 1;
    out.push(runs.versions.values[v]!);
  }
  return out;
}

const LIMIT_FIELDS = new Set(['lower', 'upper', 'lowerInclusive', 'upperInclusive', 'marginalLower', 'marginalUpper', 'equals', 'tolerance', 'tolerancePercent', 'tolerancePpm']);

/**
 * Limit changes of the measurement: each `procedure.changed` audit entry whose changes touch its
 * limits (the phase by its name before any parameters, every instance of it), and, where the
 * trail has none (runs from before it, an edit by hand), the start of each later segment.
 */
function limitChanges(m: MeasureRow, segments: readonly SpcSegment[], audit: readonly AuditEntry[]): LimitChange[] {
  const phaseBase = m.phase.replace(/\[.*$/, '');
  const out: LimitChange[] = [];
  for (const e of audit) {
    if (e.action !== 'procedure.changed') continue;
    const d = e.details as { changes?: { path?: unknown[]; from?: unknown; to?: unknown }[]; reason?: string } | null;
    const changes = (d?.changes ?? []).filter((c) => {
      const p = c.path ?? [];
      if (p[0] !== 'phases' || p[1] !== phaseBase) return false;
      const at = p.indexOf('measurements');
      return at > 0 && p[at + 1] === m.name && LIMIT_FIELDS.has(String(p[at + 2]));
    });
    if (changes.length === 0) continue;
    out.push({
      at: e.at,
      source: 'audit',
      auditSeq: e.seq,
      actor: e.actor,
      reason: typeof d?.reason === 'string' ? d.reason : null,
      changes: changes.map((c) => ({ field: String((c.path ?? []).at(-1)), before: c.from ?? null, after: c.to ?? null })),
      segment: null,
    });
  }
  // A segment (after the first) starts with new limits: the audit change just before its first point, else a marker from the data.
  segments.forEach((s, i) => {
    if (i === 0 || s.firstAt === null) return;
    const prevLast = segments[i - 1]!.lastAt ?? '';
    const match = out.filter((c) => c.source === 'audit' && c.segment === null && c.at <= s.firstAt! && c.at >= prevLast).at(-1);
    if (match) match.segment = i;
    else {
      const before = segments[i - 1]!.limits;
      const changes = (Object.keys(s.limits) as (keyof SpcLimits)[])
        .filter((k) => s.limits[k] !== before[k])
        .map((k) => ({ field: k, before: before[k], after: s.limits[k] }));
      out.push({ at: s.firstAt, source: 'data', auditSeq: null, actor: null, reason: null, changes, segment: i });
    }
  });
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
