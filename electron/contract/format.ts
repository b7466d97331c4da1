import type { Limits, PhaseError, Validator } from './records.ts';

function interval(l: Partial<Limits>, u: string): string {
  if (l.lower !== undefined && l.upper !== undefined) {
    const open = l.lowerInclusive === false || l.upperInclusive === false;
    return open
      ? `${l.lowerInclusive === false ? '>' : '≥'} ${l.lower}${u} and ${l.upperInclusive === false ? '<' : '≤'} ${l.upper}${u}`
      : `${l.lower} … ${l.upper}${u}`;
  }
  if (l.lower !== undefined) return `${l.lowerInclusive === false ? '>' : '≥'} ${l.lower}${u}`;
  if (l.upper !== undefined) return `${l.upperInclusive === false ? '<' : '≤'} ${l.upper}${u}`;
  return '';
}

/** Limits as an operator reads them: "3.2 … 3.4 V", "= 1.4.2", "5 V ± 1 %". */
export function describeValidator(v: Validator | undefined, units?: string): string {
  if (!v) return '';
  const u = units ? ` ${units}` : '';
  switch (v.kind) {
    case 'range':
      return interval(v, u);
    case 'equals': {
      if (typeof v.value === 'number' && v.tolerance) {
        const t = v.tolerance;
        const tol = t.abs !== undefined ? `${t.abs}${u}` : t.percent !== undefined ? `${t.percent} %` : `${t.ppm ?? 0} ppm`;
        return `${v.value}${u} ± ${tol}`;
      }
      return `= ${typeof v.value === 'string' ? JSON.stringify(v.value) : String(v.value)}${typeof v.value === 'number' ? u : ''}`;
    }
    case 'regex':
      return `matches /${v.pattern}/${v.flags ?? ''}`;
    case 'one-of':
      return `one of ${v.values.map((x) => JSON.stringify(x)).join(', ')}`;
    case 'custom':
      return v.description;
    case 'series': {
      const parts = Object.entries(v.aggregates).map(([k, l]) => `${k} ${interval(l, k === 'count' ? '' : u)}`);
      if (v.each) parts.push(`each ${interval(v.each, u)}`);
      return parts.join('; ');
    }
  }
}

/** The word in front of a phase's error: "Timed out", "Aborted", "Not declared", "Error". */
export function phaseErrorLabel(kind: PhaseError['kind']): string {
  switch (kind) {
    case 'timeout':
      return 'Timed out';
    case 'aborted':
      return 'Aborted';
    case 'undeclared-measurement':
      return 'Not declared';
    default:
      return 'Error';
  }
}

/**
 * A phase's error in one line, where it was in the procedure's code after it:
 * "relay K3 did not close (at phases.ts:6)". For `passline run` and other plain-text views.
 */
export function describePhaseError(e: Pick<PhaseError, 'message' | 'source'>): string {
  return e.source ? `${e.message} (at ${e.source})` : e.message;
}
