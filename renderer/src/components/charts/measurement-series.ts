import type { AggregateName, Limits, Measurement } from '#contract/records.ts';
import type { AxisSpec, PointMark, RefLine } from './chart-model.ts';

/**
 * A multi-dimensional measurement (a sweep, a ramp, a soak's samples) as a chart draws it.
 * Points are rows, one column per dimension; the last column is the measured value (what
 * `each` limits and aggregates apply to, as the station's validator reads it). The first
 * column is x; with three or more columns, the ones between name a curve each
 * ("temperature 25 °C"); with one column, x is the point's position.
 */
export interface SweepPlot {
  x: AxisSpec;
  y: AxisSpec;
  curves: SweepCurve[];
  /** The every-point limits (`each`) on the value axis. */
  lines: RefLine[];
  /** Points outside the every-point limits: `series` is the curve's index. */
  failing: PointMark[];
  /** Aggregate checks, as the record has them: name, value, limits, inside. */
  aggregates: { name: AggregateName; value: number; limits: Limits | undefined; inside: boolean }[];
  points: number;
}

export interface SweepCurve {
  /** "" for the only curve; "temperature 25 °C" for one of several. */
  label: string;
  x: number[];
  y: number[];
  /** Each point's row in the recorded value, for the table. */
  rows: number[];
}

/** Whether a value is a series of points (rows of numbers). */
export function isSeriesValue(v: Measurement['value']): v is number[][] {
  return Array.isArray(v) && v.every((p) => Array.isArray(p));
}

/** A measurement the run page plots: a series value with at least one point. */
export function isPlottable(m: Measurement): boolean {
  return isSeriesValue(m.value) && m.value.length > 0;
}

/** Inside an interval, honouring exclusive bounds (the station's own reading: `!== false` is inclusive). */
export function insideLimits(v: number, l: Limits | undefined): boolean {
  if (!l) return true;
  if (l.lower !== undefined && (l.lowerInclusive !== false ? v < l.lower : v <= l.lower)) return false;
  if (l.upper !== undefined && (l.upperInclusive !== false ? v > l.upper : v >= l.upper)) return false;
  return true;
}

/** Lines for an interval's bounds on the value axis: "lower limit 0 V", "upper limit 12.6 V". */
export function limitLines(l: Limits | undefined, units: string | undefined, what = 'limit', axis: 'x' | 'y' = 'y'): RefLine[] {
  if (!l) return [];
  const u = units ? ` ${units}` : '';
  const out: RefLine[] = [];
  if (l.lower !== undefined) out.push({ axis, value: l.lower, label: `lower ${what} ${fmt(l.lower)}${u}`, kind: 'limit', side: 'lower' });
  if (l.upper !== undefined) out.push({ axis, value: l.upper, label: `upper ${what} ${fmt(l.upper)}${u}`, kind: 'limit', side: 'upper' });
  return out;
}

const fmt = (n: number): string => String(Number.parseFloat(n.toPrecision(6)));

export function sweepOf(m: Measurement): SweepPlot | null {
  if (!isSeriesValue(m.value) || m.value.length === 0) return null;
  const rows = m.value;
  const cols = Math.max(...rows.map((r) => r.length));
  const dims = m.dimensions ?? [];
  const dim = (i: number, fallback: string): AxisSpec => ({ label: dims[i]?.name ?? fallback, units: dims[i]?.units });
  const last = cols - 1;
  const y: AxisSpec = { label: dims[last]?.name ?? m.name, units: dims[last]?.units ?? m.units };
  const x: AxisSpec = cols === 1 ? { label: 'point' } : dim(0, 'x');
  const each = m.validator?.kind === 'series' ? m.validator.each : undefined;

  const byKey = new Map<string, SweepCurve>();
  const curves: SweepCurve[] = [];
  rows.forEach((r, i) => {
    const between = r.slice(1, -1);
    const key = between.join('\u0000');
    let c = byKey.get(key);
    if (!c) {
      const label = between.map((v, j) => `${dims[j + 1]?.name ?? `axis ${j + 2}`} ${fmt(v)}${dims[j + 1]?.units ? ` ${dims[j + 1]!.units}` : ''}`).join(', ');
      c = { label, x: [], y: [], rows: [] };
      byKey.set(key, c);
      curves.push(c);
    }
    c.x.push(cols === 1 ? i : r[0]!);
    c.y.push(r[r.length - 1]!);
    c.rows.push(i);
  });
  // A curve's points in x order, so its line does not zigzag (a sweep recorded up and down keeps its rows).
  for (const c of curves) {
    const order = c.x.map((_, i) => i).sort((a, b) => c.x[a]! - c.x[b]!);
    if (order.some((o, i) => o !== i)) {
      c.x = order.map((o) => c.x[o]!);
      c.y = order.map((o) => c.y[o]!);
      c.rows = order.map((o) => c.rows[o]!);
    }
  }

  const failing: PointMark[] = [];
  if (each) {
    curves.forEach((c, s) => c.y.forEach((v, i) => insideLimits(v, each) || failing.push({ series: s, index: i })));
  }
  const validator = m.validator?.kind === 'series' ? m.validator : undefined;
  const aggregates = (Object.entries(m.aggregates ?? {}) as [AggregateName, number][])
    .filter(([, v]) => typeof v === 'number')
    .map(([name, value]) => {
      const limits = validator?.aggregates[name];
      return { name, value, limits, inside: insideLimits(value, limits) };
    });
  return { x, y, curves, lines: limitLines(each, y.units), failing, aggregates, points: rows.length };
}
