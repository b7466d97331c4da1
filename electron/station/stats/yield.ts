import type { Shift, YieldFigures, YieldGroup, YieldResult } from '#contract/stats.ts';
import { OUTCOME, type ProcedureRuns } from './runs-cache.ts';
import { percentileSorted } from './spc.ts';
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

class Acc {
  units = 0;
  firstPass = 0;
  finalPass = 0;
  retested = 0;
  runs = 0;
  readonly outcomes = [0, 0, 0, 0];
  durSum = 0;
  durs: number[] = [];

  figures(): YieldFigures {
    const u = this.units;
    const sorted = Float64Array.from(this.durs).sort();
    return {
      unitsTested: u,
      firstPassUnits: this.firstPass,
      finalPassUnits: this.finalPass,
      retestedUnits: this.retested,
      firstPassYield: u ? this.firstPass / u : null,
      finalYield: u ? this.finalPass / u : null,
      retestRate: u ? this.retested / u : null,
      runs: this.runs,
      passRuns: this.outcomes[OUTCOME.PASS]!,
      failRuns: this.outcomes[OUTCOME.FAIL]!,
      errorRuns: this.outcomes[OUTCOME.ERROR]!,
      abortedRuns: this.outcomes[OUTCOME.ABORTED]!,
      meanTestMs: sorted.length ? this.durSum / sorted.length : null,
      p95TestMs: percentileSorted(sorted, 95),
    };
  }
}

export const emptyYield = (): YieldFigures => new Acc().figures();

export function computeYield(p: ProcedureRuns, o: YieldOptions): YieldResult {
  const clock = o.clock ?? new LocalClock();
  const to = o.to ?? Infinity;
  const start = o.from === undefined ? 0 : p.lowerBound(o.from);
  const end = o.to === undefined ? p.n : p.lowerBound(o.to);
  const ref = p.referenceFlags(o.referencePattern);
  const version = o.version === undefined ? -1 : p.versions.values.indexOf(o.version);
  const total = new Acc();
  const reference = new Acc();
  const groups = new Map<string, Acc>();
  const keyOf = groupKey(p, o.groupBy, o.shifts, clock);
  const { t, outcome, attempt, next, serial, duration } = p;
  if (o.version === undefined || version >= 0) {
    for (let i = start; i < end; i++) {
      if (version >= 0 && p.version[i] !== version) continue;
      const isRef = ref[serial[i]!] === 1;
      const accs: Acc[] = isRef ? [reference] : [total];
      if (!isRef && keyOf) {
        const k = keyOf(i);
        let g = groups.get(k);
        if (!g) groups.set(k, (g = new Acc()));
        accs.push(g);
      }
      const oc = outcome[i]!;
      const a = attempt[i]!;
      const d = duration[i]!;
      let unit: { pass: boolean; final: boolean; retested: boolean } | null = null;
      if (a === 1) {
        let last = i;
        let n = 1;
        for (let j = next[i]!; j >= 0 && t[j]! < to; j = next[j]!) {
          last = j;
          n++;
        }
        unit = { pass: oc === OUTCOME.PASS, final: outcome[last] === OUTCOME.PASS, retested: n > 1 };
      }
      for (const acc of accs) {
        acc.runs++;
        acc.outcomes[oc]!++;
        if (a > 0 && Number.isFinite(d)) {
          acc.durSum += d;
          acc.durs.push(d);
        }
        if (unit) {
          acc.units++;
          if (unit.pass) acc.firstPass++;
          if (unit.final) acc.finalPass++;
          if (unit.retested) acc.retested++;
        }
      }
    }
  }
  const rows = [...groups].map(([key, acc]) => ({ key, ...acc.figures() }));
  rows.sort(compareKeys(o.groupBy));
  return {
    procedureId: p.procedureId,
    groupBy: o.groupBy ?? null,
    total: total.figures(),
    rows,
    reference: reference.figures(),
    referenceSerialPattern: o.referencePattern,
  };
}

function groupKey(p: ProcedureRuns, g: YieldGroup | undefined, shifts: readonly Shift[], clock: LocalClock): ((i: number) => string) | null {
  switch (g) {
    case undefined:
      return null;
    case 'procedureVersion':
      return (i) => p.versions.values[p.version[i]!]!;
    case 'partNumber':
      return (i) => p.parts.values[p.part[i]!]!;
    case 'operator':
      return (i) => p.operators.values[p.operator[i]!]!;
    case 'fixture':
      return (i) => p.fixtures.values[p.fixture[i]!]!;
    case 'socket':
      return (i) => String(p.socket[i]);
    case 'shift': {
      const table = shiftTable(shifts);
      return (i) => shiftAt(table, clock.minuteOfDay(p.t[i]!))?.name ?? '';
    }
    case 'hour':
    case 'day': {
      // One string per quarter hour, not per run.
      const cache = new Map<number, string>();
      const f = g === 'hour' ? (t: number) => clock.hourKey(t) : (t: number) => clock.dayKey(t);
      return (i) => {
        const q = Math.floor(p.t[i]! / 900_000);
        let k = cache.get(q);
        if (k === undefined) cache.set(q, (k = f(q * 900_000)));
        return k;
      };
    }
  }
}

/** Time keys sort as text, sockets as numbers, names as text with "none recorded" last. */
function compareKeys(g: YieldGroup | undefined): (a: { key: string }, b: { key: string }) => number {
  if (g === 'socket') return (a, b) => Number(a.key) - Number(b.key);
  return (a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
