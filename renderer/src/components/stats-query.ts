import type { StatsFilter } from '#contract/stats.ts';
import type { StatsQuery } from '../router.ts';

/** A local calendar day as the ISO instant it starts at. */
function dayStart(day: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString();
}

/** The screens' query as the station's filter: `to` is the whole chosen day (the station's `to` is exclusive). */
export function statsFilter(q: StatsQuery & { procedureId: string }): StatsFilter {
  const from = q.from ? dayStart(q.from) : undefined;
  const to = q.to ? dayStart(q.to, 1) : undefined;
  return { procedureId: q.procedureId, ...(q.version ? { version: q.version } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** A fraction (0..1) as people read it: "96.4 %"; a figure that cannot be computed is a dash. */
export function percent(f: number | null | undefined, digits = 1): string {
  return f === null || f === undefined || !Number.isFinite(f) ? '—' : `${(f * 100).toFixed(digits)} %`;
}

/** A statistic with 4 significant digits ("1.333", "0.0125"), or a dash. */
export function figure(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : String(Number.parseFloat(v.toPrecision(digits)));
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
