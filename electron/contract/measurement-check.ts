import type { LogEntry, Measurement } from './records.ts';

/**
 * The common measurement — a number, string, boolean or null with at most a range
 * validator — checked by hand, for the station's hottest boundary (every measurement a
 * runner sends). It accepts only what `MeasurementSchema` accepts unchanged (nothing to
 * strip or default), so the value itself is the parsed result: no copy. Anything else
 * (series, other validators, an unknown key) returns false and goes through the schema,
 * which also words the error. `measurement-check.test.ts` holds the two in step.
 */
export function isPlainMeasurement(m: unknown): m is Measurement {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  let name = false;
  let outcome = false;
  for (const key in o) {
    const v = o[key];
    switch (key) {
      case 'name':
        if (typeof v !== 'string' || v.length === 0) return false;
        name = true;
        break;
      case 'value':
        if (v !== null && typeof v !== 'string' && typeof v !== 'boolean' && !isNumber(v)) return false;
        break;
      case 'outcome':
        if (v !== 'PASS' && v !== 'FAIL' && v !== 'UNSET' && v !== 'SKIP') return false;
        outcome = true;
        break;
      case 'units':
      case 'reason':
      case 'failureCode':
        if (typeof v !== 'string') return false;
        break;
      case 'marginal':
      case 'undeclared':
        if (typeof v !== 'boolean') return false;
        break;
      case 'validator':
        if (!isPlainRange(v)) return false;
        break;
      default:
        return false;
    }
  }
  // `value` is required (null when there is none).
  return name && outcome && 'value' in o;
}

/** `run.measured` data as a runner sends it: `{index, phase, measurements}` with plain measurements only. */
export function isPlainMeasured(d: unknown): d is { index: number; phase: string; measurements: Measurement[] } {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
  const o = d as Record<string, unknown>;
  for (const key in o) if (key !== 'index' && key !== 'phase' && key !== 'measurements') return false;
  return (
    Number.isSafeInteger(o.index) &&
    typeof o.phase === 'string' &&
    Array.isArray(o.measurements) &&
    o.measurements.length > 0 &&
    o.measurements.every(isPlainMeasurement)
  );
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPlainRange(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (o.kind !== 'range') return false;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'kind':
        break;
      case 'lower':
      case 'upper':
      case 'marginalLower':
      case 'marginalUpper':
        if (!isNumber(x)) return false;
        break;
      case 'lowerInclusive':
      case 'upperInclusive':
        if (typeof x !== 'boolean') return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const PHASE_OUTCOMES: ReadonlySet<unknown> = new Set(['PASS', 'FAIL', 'ERROR', 'SKIP', 'ABORTED']);
const LOG_LEVELS: ReadonlySet<unknown> = new Set(['debug', 'info', 'warning', 'error']);
const ERROR_KINDS: ReadonlySet<unknown> = new Set([
  'exception',
  'timeout',
  'aborted',
  'runner-crashed',
  'unset-measurement',
  'prompt-timeout',
  'undeclared-measurement',
]);
const GROUPS: ReadonlySet<unknown> = new Set(['setup', 'main', 'teardown']);

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function isPlainLogEntry(l: unknown): l is LogEntry {
  if (typeof l !== 'object' || l === null || Array.isArray(l)) return false;
  const o = l as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if (key === 'level') {
      if (!LOG_LEVELS.has(v)) return false;
    } else if (key === 'ts' || key === 'message' || key === 'source') {
      if (typeof v !== 'string') return false;
    } else return false;
  }
  return 'level' in o && 'ts' in o && 'message' in o;
}

function isPlainPhaseError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const o = e as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if (key === 'kind') {
      if (!ERROR_KINDS.has(v)) return false;
    } else if (key === 'message' || key === 'stack' || key === 'source') {
      if (typeof v !== 'string') return false;
    } else return false;
  }
  return 'kind' in o && 'message' in o;
}

/**
 * A runner's `run.phaseEnded` data (`{phase}`, measurements and logs as positions or in
 * full) in its common shape, checked by hand like `isPlainMeasurement`: attachments,
 * params, a missing group and anything unusual go through `RunnerPhaseEndedSchema`.
 */
export function isPlainRunnerPhaseEnded(d: unknown): boolean {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
  for (const key in d) if (key !== 'phase') return false;
  const p = (d as { phase?: unknown }).phase;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
  const o = p as Record<string, unknown>;
  let n = 0;
  for (const key in o) {
    const v = o[key];
    switch (key) {
      case 'index':
        if (!isIndex(v)) return false;
        break;
      case 'attempt':
        if (!isIndex(v) || v === 0) return false;
        break;
      case 'name':
      case 'startedAt':
      case 'endedAt':
        if (typeof v !== 'string') return false;
        break;
      case 'group':
        if (!GROUPS.has(v)) return false;
        break;
      case 'outcome':
        if (!PHASE_OUTCOMES.has(v)) return false;
        break;
      case 'durationMs':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return false;
        break;
      case 'measurements':
        if (!Array.isArray(v) || !v.every((m) => isIndex(m) || isPlainMeasurement(m))) return false;
        break;
      case 'logs':
        if (!Array.isArray(v) || !v.every((l) => isIndex(l) || isPlainLogEntry(l))) return false;
        break;
      case 'failureCode':
        if (typeof v !== 'string') return false;
        n--;
        break;
      case 'error':
        if (!isPlainPhaseError(v)) return false;
        n--;
        break;
      default:
        return false;
    }
    n++;
  }
  // Every required field, group included (the schema would fill a missing one in).
  return n === 10;
}

/**
 * A `run.phaseStarted` event's data as a runner sends it (one per phase, so a thousand a
 * second in a fast sequence), checked by hand like the others: exactly the five fields of
 * its schema, as the schema takes them unchanged.
 */
export function isPlainPhaseStarted(d: unknown): boolean {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
  const o = d as Record<string, unknown>;
  let n = 0;
  for (const key in o) {
    const v = o[key];
    switch (key) {
      case 'index':
      case 'attempt':
        if (!isIndex(v)) return false;
        break;
      case 'name':
      case 'startedAt':
        if (typeof v !== 'string') return false;
        break;
      case 'timeoutMs':
        if (!isNumber(v)) return false;
        break;
      default:
        return false;
    }
    n++;
  }
  return n === 5;
}
