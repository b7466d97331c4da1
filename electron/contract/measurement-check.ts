import type { Measurement } from './records.ts';

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
