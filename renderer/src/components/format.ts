import type { TFunction } from 'i18next';
import type { Measurement } from '#contract/records.ts';

/**
 * Numbers, units, dates and durations as the language shows them (Intl), from one object per
 * language: screens take it from `useFormat()` (i18n/use-format.ts). Serial numbers,
 * measurement names, units and instrument text are data: they pass through as they are.
 */
export interface Formatter {
  /** The language's tag (`de`, `zh-CN`): what Intl formats with. */
  readonly locale: string;
  /** A measured number: whole numbers exact, else six significant digits; no grouping (a reading, not an amount). */
  number(n: number): string;
  /** A count of things (runs, entries): grouped as the language groups. */
  count(n: number): string;
  /** A value as an operator reads it; a series shows its size and aggregates. */
  value(value: unknown, aggregates?: Measurement['aggregates']): string;
  /** "850 ms", "3.2 s", "2 min 05 s", "1 h 02 min"; empty for no duration. */
  duration(ms: number | undefined): string;
  /** Time left, in whole seconds: "40 s", "2 min 05 s". */
  countdown(ms: number): string;
  /** Date and time of day (local). */
  dateTime(iso: string | undefined): string;
  /** The day alone. */
  date(iso: string | undefined): string;
  /** The time of day alone, to the second. */
  time(iso: string | undefined): string;
  /** To the millisecond, for log lines. */
  logTime(iso: string): string;
  /** Bytes as people read them: B, kB, MB. */
  size(bytes: number): string;
  /** "a, b and c" in the language's words. */
  list(items: readonly string[]): string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** yyyy-mm-dd and hh:mm:ss: ISO 8601, unambiguous on a production floor in any country (the English catalog's choice). */
const iso = {
  date: (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  time: (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
};

/**
 * `dates`: `iso` (yyyy-mm-dd hh:mm:ss) or `locale` (the language's own order and separators), as
 * the catalog's `meta.dates` says. Durations and sizes take their words from the catalog (`format.*`).
 */
export function createFormatter(locale: string, t: TFunction, dates: 'iso' | 'locale'): Formatter {
  const loc = safeLocale(locale);
  const reading = new Intl.NumberFormat(loc, { maximumSignificantDigits: 6, useGrouping: false });
  const whole = new Intl.NumberFormat(loc, { maximumFractionDigits: 0, useGrouping: false });
  const grouped = new Intl.NumberFormat(loc, { maximumFractionDigits: 0 });
  const tenths = new Intl.NumberFormat(loc, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
  const upToTenths = new Intl.NumberFormat(loc, { maximumFractionDigits: 1, useGrouping: false });
  const twoDigits = new Intl.NumberFormat(loc, { minimumIntegerDigits: 2, useGrouping: false });
  const dayFmt = new Intl.DateTimeFormat(loc, { year: 'numeric', month: '2-digit', day: '2-digit' });
  const timeFmt = new Intl.DateTimeFormat(loc, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const bothFmt = new Intl.DateTimeFormat(loc, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const listFmt = new Intl.ListFormat(loc, { type: 'conjunction' });
  const decimal = new Intl.NumberFormat(loc).formatToParts(0.5).find((p) => p.type === 'decimal')?.value ?? '.';
  const parse = (s: string | undefined): Date | null => {
    if (!s) return null;
    // A day alone (a calibration due date) is that day here, not midnight UTC.
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    const d = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  const number = (n: number): string => (Number.isInteger(n) ? whole.format(n) : reading.format(n));

  return {
    locale: loc,
    number,
    count: (n) => grouped.format(n),
    value(value, aggregates) {
      if (value === null || value === undefined) return '—';
      if (typeof value === 'number') return number(value);
      // true/false, strings: the value as measured, not a word of the UI.
      if (typeof value === 'boolean' || typeof value === 'string') return String(value);
      if (Array.isArray(value)) {
        // The count and the range of the values, to fit a table cell; the run page plots the
        // points with every aggregate beside the chart.
        const points = t('format.points', { count: value.length, n: grouped.format(value.length) });
        const min = aggregates?.min;
        const max = aggregates?.max;
        return typeof min === 'number' && typeof max === 'number' && value.length > 1 ? `${points}, ${number(min)} … ${number(max)}` : points;
      }
      return JSON.stringify(value);
    },
    duration(ms) {
      if (ms === undefined || !Number.isFinite(ms)) return '';
      if (ms < 1000) return t('format.milliseconds', { n: whole.format(Math.round(ms)) });
      if (ms < 60_000) return t('format.seconds', { n: tenths.format(ms / 1000) });
      const s = Math.round(ms / 1000);
      if (s < 3600) return t('format.minutesSeconds', { min: whole.format(Math.floor(s / 60)), s: twoDigits.format(s % 60) });
      return t('format.hoursMinutes', { h: whole.format(Math.floor(s / 3600)), min: twoDigits.format(Math.floor((s % 3600) / 60)) });
    },
    countdown(ms) {
      const s = Math.ceil(ms / 1000);
      return s < 60 ? t('format.seconds', { n: whole.format(s) }) : this.duration(s * 1000);
    },
    dateTime(s) {
      const d = parse(s);
      if (!d) return s ?? '';
      return dates === 'iso' ? `${iso.date(d)} ${iso.time(d)}` : bothFmt.format(d);
    },
    date(s) {
      const d = parse(s);
      if (!d) return s ?? '';
      return dates === 'iso' ? iso.date(d) : dayFmt.format(d);
    },
    time(s) {
      const d = parse(s);
      if (!d) return s ?? '';
      return dates === 'iso' ? iso.time(d) : timeFmt.format(d);
    },
    logTime(s) {
      const d = parse(s);
      if (!d) return s;
      // The milliseconds after the language's own decimal sign.
      return `${dates === 'iso' ? iso.time(d) : timeFmt.format(d)}${decimal}${pad(d.getMilliseconds(), 3)}`;
    },
    size(bytes) {
      if (bytes < 1024) return t('format.bytes', { n: whole.format(bytes) });
      if (bytes < 1024 * 1024) return t('format.kilobytes', { n: upToTenths.format(Math.round(bytes / 102.4) / 10) });
      return t('format.megabytes', { n: upToTenths.format(Math.round(bytes / (1024 * 102.4)) / 10) });
    },
    list: (items) => listFmt.format(items),
  };
}

/** A tag Intl knows, else English: a plant's catalog may be named `xx-plant` or anything. */
function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** Failing (and unset) measurements first, keeping the recorded order otherwise. */
export function failingFirst<T extends { outcome: Measurement['outcome'] }>(ms: readonly T[]): T[] {
  const bad = (m: T): number => (m.outcome === 'FAIL' || m.outcome === 'UNSET' ? 0 : 1);
  return ms
    .map((m, i) => ({ m, i }))
    .sort((a, b) => bad(a.m) - bad(b.m) || a.i - b.i)
    .map((x) => x.m);
}

// Legacy English formatting, kept only for screens merged from main that are not yet converted
// to useFormat() (charts, SPC, yield, overlay). Remove once they are.
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "850 ms", "3.2 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad2(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad2(Math.floor((s % 3600) / 60))} min`;
}

/** Local time as "2026-11-22 09:14:03". */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number.parseFloat(n.toPrecision(6)));
}
