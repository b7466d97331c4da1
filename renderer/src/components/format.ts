import type { Measurement } from '#contract/records.ts';

/** "850 ms", "3.2 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local time as "2026-11-22 09:14:03": unambiguous on a production floor in any locale. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "09:14:03.120" for log lines. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Six significant digits: enough for any bench instrument, short enough to read.
  return String(Number.parseFloat(n.toPrecision(6)));
}

/** A value as an operator reads it; a series shows its size and aggregates. */
export function formatValue(value: unknown, aggregates?: Measurement['aggregates']): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    // The count and the range of the values in a line that fits a table cell; the run page
    // plots the points, with every aggregate beside the chart.
    const n = `${value.length} point${value.length === 1 ? '' : 's'}`;
    const { min, max } = aggregates ?? {};
    return typeof min === 'number' && typeof max === 'number' && value.length > 1 ? `${n}, ${formatNumber(min)} … ${formatNumber(max)}` : n;
  }
  return JSON.stringify(value);
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

/**
 * A station refusal as an operator reads it: a bad input's own sentence ("a serial number
 * has at most 128 characters") without the field path in front, first letter capital.
 */
export function operatorMessage(error: { kind: string; message: string; details?: unknown }): string {
  let message = error.message;
  if (error.kind === 'invalid-input' && Array.isArray(error.details)) {
    const parts = (error.details as { message?: unknown }[]).map((i) => (typeof i.message === 'string' ? i.message : '')).filter(Boolean);
    if (parts.length) message = parts.join('; ');
  }
  message = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.?!]$/.test(message) ? message : `${message}.`;
}
