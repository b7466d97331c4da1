import type { Shift, YieldFigures, YieldGroup, YieldResult } from '#contract/stats.ts';
import { OUTCOME, type ProcedureRuns } from './runs-cache.ts';
import { LocalClock, shiftAt, shiftTable } from './time.ts';

/**
 * Yield of one procedure's runs (docs/statistics.md "Yield"). A unit belongs to the range, the
 * version and the group of its first attempt; its final outcome is its last attempt before the
 * end of the range. Volume and test time count the runs in the range themselves.
 */

export interface YieldOptions {
  version?: string | undefined;
  /** Epoch ms; from inclusive, to exclusive. */
  from?: number | undefined;
  to?: number | undefined;
  groupBy?: YieldGroup | undefined;
  referencePattern: string;
  shifts: readonly Shift[];
  clock?: LocalClock;
}

/** Counts per group code (0: the whole; groups from 1), kept in plain arrays: no object per run. */
class Accs {
  units: number[] = [];
  firstPass: number[] = [];
  finalPass: number[] = [];
  retested: number[] = [];
  runs: number[] = [];
  outcomes: number[][] = [[], [], [], []];
  durSum: number[] = [];
  durN: number[] = [];

  ensure(g: number): void {
    while (this.units.length <= g) {
      this.units.push(0);
      this.firstPass.push(0);
      this.finalPass.push(0);
      this.retested.push(0);
      this.runs.push(0);
      for (const o of this.outcomes) o.push(0);
      this.durSum.push(0);
      this.durN.push(0);
    }
  }

  figures(g: number, p95: number | null): YieldFigures {
    const u = this.units[g] ?? 0;
    const fp = this.firstPass[g] ?? 0;
    const dn = this.durN[g] ?? 0;
    return {
      unitsTested: u,
      firstPassUnits: fp,
      finalPassUnits: this.finalPass[g] ?? 0,
      retestedUnits: this.retested[g] ?? 0,
      firstPassYield: u ? fp / u : null,
      finalYield: u ? (this.finalPass[g] ?? 0) / u : null,
      retestRate: u ? (this.retested[g] ?? 0) / u : null,
      runs: this.runs[g] ?? 0,
      passRuns: this.outcomes[OUTCOME.PASS]![g] ?? 0,
      failRuns: this.outcomes[OUTCOME.FAIL]![g] ?? 0,
      errorRuns: this.outcomes[OUTCOME.ERROR]![g] ?? 0,
      abortedRuns: this.outcomes[OUTCOME.ABORTED]![g] ?? 0,
      meanTestMs: dn ? this.durSum[g]! / dn : null,
      p95TestMs: p95,
    };
  }
}

export const emptyYield = (): YieldFigures => new Accs().figures(0, null);

export function computeYield(p: ProcedureRuns, o: YieldOptions): YieldResult {
  const clock = o.clock ?? new LocalClock();
  const to = o.to ?? Infinity;
  const start = o.from === undefined ? 0 : p.lowerBound(o.from);
  const end = o.to === undefined ? p.n : p.lowerBound(o.to);
  const ref = p.referenceFlags(o.referencePattern);
  const version = o.version === undefined ? -1 : p.versions.values.indexOf(o.version);
  const main = new Accs();
  const reference = new Accs();
  main.ensure(0);
  reference.ensure(0);
  const grouping = groupCodes(p, o.groupBy, o.shifts, clock);
  const { t, outcome, attempt, next, serial, duration } = p;
  // Each counted run's duration and group (for p95), in run order; the reference units' apart.
  const durs = new Float64Array(Math.max(0, end - start));
  const durGroup = new Int32Array(Math.max(0, end - start));
  let nd = 0;
  const refDurs: number[] = [];
  if (o.version === undefined || version >= 0) {
    for (let i = start; i < end; i++) {
      if (version >= 0 && p.version[i] !== version) continue;
      const isRef = ref[serial[i]!] === 1;
      const acc = isRef ? reference : main;
      const g = isRef || !grouping ? 0 : grouping.code(i);
      if (g) acc.ensure(g);
      const oc = outcome[i]!;
      const a = attempt[i]!;
      const d = duration[i]!;
      acc.runs[0]!++;
      acc.outcomes[oc]![0]!++;
      if (g) {
        acc.runs[g]!++;
        acc.outcomes[oc]![g]!++;
      }
      if (a > 0 && d === d) {
        acc.durSum[0]! += d;
        acc.durN[0]!++;
        if (g) {
          acc.durSum[g]! += d;
          acc.durN[g]!++;
        }
        if (isRef) refDurs.push(d);
        else {
          durs[nd] = d;
          durGroup[nd++] = g;
        }
      }
      if (a === 1) {
        let last = i;
        let n = 1;
        for (let j = next[i]!; j >= 0 && t[j]! < to; j = next[j]!) {
          last = j;
          n++;
        }
        const fp = oc === OUTCOME.PASS ? 1 : 0;
        const fin = outcome[last] === OUTCOME.PASS ? 1 : 0;
        const re = n > 1 ? 1 : 0;
        acc.units[0]!++;
        acc.firstPass[0]! += fp;
        acc.finalPass[0]! += fin;
        acc.retested[0]! += re;
        if (g) {
          acc.units[g]!++;
          acc.firstPass[g]! += fp;
          acc.finalPass[g]! += fin;
          acc.retested[g]! += re;
        }
      }
    }
  }
  const all = durs.subarray(0, nd);
  const rows = grouping
    ? grouping.keys
        .map((key, g) => ({ key, g }))
        .filter(({ g }) => g > 0 && g < main.units.length && main.runs[g]! > 0)
        .map(({ key, g }) => ({ key, ...main.figures(g, p95Of(all, durGroup, g)) }))
    : [];
  rows.sort(compareKeys(o.groupBy, o.shifts));
  return {
    procedureId: p.procedureId,
    groupBy: o.groupBy ?? null,
    total: main.figures(0, nd ? select(Float64Array.from(all), p95Rank(nd)) : null),
    rows,
    reference: reference.figures(0, refDurs.length ? select(Float64Array.from(refDurs), p95Rank(refDurs.length)) : null),
    referenceSerialPattern: o.referencePattern,
  };
}

/** Nearest rank of the 95th percentile, 0-based. */
const p95Rank = (n: number): number => Math.max(1, Math.ceil(0.95 * n)) - 1;

function p95Of(all: Float64Array, groups: Int32Array, g: number): number | null {
  let n = 0;
  for (let k = 0; k < all.length; k++) if (groups[k] === g) n++;
  if (n === 0) return null;
  const xs = new Float64Array(n);
  let at = 0;
  for (let k = 0; k < all.length; k++) if (groups[k] === g) xs[at++] = all[k]!;
  return select(xs, p95Rank(n));
}

/** The k-th smallest value (0-based), reordering `xs` (quickselect: linear on average, no full sort). */
export function select(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const x = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

/** Group codes from 1, and each code's key (keys[code]); runs in order make neighbours share a code. */
interface Grouping {
  code(i: number): number;
  keys: string[];
}

function groupCodes(p: ProcedureRuns, g: YieldGroup | undefined, shifts: readonly Shift[], clock: LocalClock): Grouping | null {
  // Dictionary codes are 0 for "none recorded": shifted by one so 0 stays "no group".
  const dict = (codes: Int32Array, values: string[]): Grouping => ({ code: (i) => codes[i]! + 1, keys: ['', ...values] });
  switch (g) {
    case undefined:
      return null;
    case 'procedureVersion':
      return dict(p.version, p.versions.values);
    case 'partNumber':
      return dict(p.part, p.parts.values);
    case 'operator':
      return dict(p.operator, p.operators.values);
    case 'fixture':
      return dict(p.fixture, p.fixtures.values);
    case 'socket': {
      const keys = [''];
      const bySocket = new Map<number, number>();
      return {
        keys,
        code: (i) => {
          const s = p.socket[i]!;
          let c = bySocket.get(s);
          if (c === undefined) {
            c = keys.length;
            keys.push(String(s));
            bySocket.set(s, c);
          }
          return c;
        },
      };
    }
    case 'shift':
    case 'hour':
    case 'day': {
      // By quarter hour (local offsets change on quarter hours): neighbours in run order share it.
      const table = shiftTable(shifts);
      const keyOf =
        g === 'shift' ? (t: number) => shiftAt(table, clock.minuteOfDay(t))?.name ?? '' : g === 'hour' ? (t: number) => clock.hourKey(t) : (t: number) => clock.dayKey(t);
      const keys = [''];
      const byKey = new Map<string, number>();
      const byQuarter = new Map<number, number>();
      let lastQ = NaN;
      let lastCode = 0;
      return {
        keys,
        code: (i) => {
          const q = Math.floor(p.t[i]! / 900_000);
          if (q === lastQ) return lastCode;
          let c = byQuarter.get(q);
          if (c === undefined) {
            const k = keyOf(q * 900_000);
            c = byKey.get(k);
            if (c === undefined) {
              c = keys.length;
              keys.push(k);
              byKey.set(k, c);
            }
            byQuarter.set(q, c);
          }
          lastQ = q;
          lastCode = c;
          return c;
        },
      };
    }
  }
}

/** Time keys sort as text, sockets as numbers, shifts by start, names as text with "none recorded" last. */
function compareKeys(g: YieldGroup | undefined, shifts: readonly Shift[]): (a: { key: string }, b: { key: string }) => number {
  if (g === 'socket') return (a, b) => Number(a.key) - Number(b.key);
  if (g === 'shift') {
    const order = shiftTable(shifts).map((s) => s.name);
    return (a, b) => order.indexOf(a.key) - order.indexOf(b.key);
  }
  return (a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
