import type { Shift } from '#contract/stats.ts';

/**
 * Local time for grouping (hour, day, shift), cheaply for 100,000 runs: the offset from UTC is
 * looked up once per UTC hour (offsets change on the hour or half hour, never within a
 * quarter), so a run's local time is arithmetic.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;

export class LocalClock {
  private readonly offsets = new Map<number, number>();
  private readonly offsetMinutes: (t: number) => number;
  /** `offsetMinutes(t)`: minutes to add to UTC at epoch ms `t` (the station's zone by default). */
  constructor(offsetMinutes: (t: number) => number = (t) => -new Date(t).getTimezoneOffset()) {
    this.offsetMinutes = offsetMinutes;
  }

  /** Local time as epoch-like ms (UTC fields read as local fields). */
  local(t: number): number {
    // Quarter hours: zones with :30 and :45 offsets change on those.
    const q = Math.floor(t / (HOUR / 4));
    let off = this.offsets.get(q);
    if (off === undefined) {
      off = this.offsetMinutes(t) * 60_000;
      if (this.offsets.size > 200_000) this.offsets.clear();
      this.offsets.set(q, off);
    }
    return t + off;
  }

  /** Minutes since local midnight. */
  minuteOfDay(t: number): number {
    const l = this.local(t);
    return Math.floor((((l % DAY) + DAY) % DAY) / 60_000);
  }

  /** `2026-03-02` */
  dayKey(t: number): string {
    return new Date(this.local(t)).toISOString().slice(0, 10);
  }

  /** `2026-03-02T14` */
  hourKey(t: number): string {
    return new Date(this.local(t)).toISOString().slice(0, 13);
  }
}

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Shifts by start, each with its start in minutes; a time before the first start is in the last shift (from the day before). */
export function shiftTable(shifts: readonly Shift[]): { name: string; start: number }[] {
  return shifts.map((s) => ({ name: s.name, start: minutesOf(s.start) })).sort((a, b) => a.start - b.start);
}

/** The shift a minute of the day falls in; null without shifts. */
export function shiftAt(table: readonly { name: string; start: number }[], minute: number): { name: string; start: number } | null {
  if (table.length === 0) return null;
  let found = table[table.length - 1]!;
  for (const s of table) if (s.start <= minute) found = s;
  return found;
}

/**
 * The current shift at `now`: its name and when it started (epoch ms). Without shifts, the
 * local day so far (name null).
 */
export function currentShift(shifts: readonly Shift[], now: number, clock = new LocalClock()): { name: string | null; since: number } {
  const minute = clock.minuteOfDay(now);
  const table = shiftTable(shifts);
  const s = shiftAt(table, minute);
  const start = s ? s.start : 0;
  // Back from now to the shift's start: today's, or yesterday's when it started before midnight.
  const back = (minute - start + 1440) % 1440;
  const l = clock.local(now);
  const sinceLocal = Math.floor(l / 60_000) * 60_000 - back * 60_000;
  // Local → UTC: subtract the offset in force then (looked up near it).
  const since = sinceLocal - (clock.local(sinceLocal) - sinceLocal);
  return { name: s?.name ?? null, since };
}
