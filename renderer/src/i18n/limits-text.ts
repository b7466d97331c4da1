import type { TFunction } from 'i18next';
import type { Limits, Validator } from '#contract/records.ts';
import type { Formatter } from '../components/format.ts';

/**
 * Limits as an operator reads them, in the language on screen: "3,2 … 3,4 V", "= 1.4.2",
 * "5 V ± 1 %". The comparison signs are the same everywhere; numbers follow the language,
 * units and expected strings are the procedure's own. (contract/format.ts has the English one
 * the command line prints.)
 */
export function describeLimits(t: TFunction, f: Formatter, v: Validator | undefined, units?: string): string {
  if (!v) return '';
  const u = (n: number): string => (units ? `${f.number(n)} ${units}` : f.number(n));
  const interval = (l: Partial<Limits>, withUnits: boolean): string => {
    const n = withUnits ? u : f.number;
    const ge = l.lowerInclusive === false ? '>' : '≥';
    const le = l.upperInclusive === false ? '<' : '≤';
    if (l.lower !== undefined && l.upper !== undefined) {
      const open = l.lowerInclusive === false || l.upperInclusive === false;
      return open ? t('limits.both', { lower: `${ge} ${n(l.lower)}`, upper: `${le} ${n(l.upper)}` }) : `${f.number(l.lower)} … ${n(l.upper)}`;
    }
    if (l.lower !== undefined) return `${ge} ${n(l.lower)}`;
    if (l.upper !== undefined) return `${le} ${n(l.upper)}`;
    return '';
  };
  switch (v.kind) {
    case 'range':
      return interval(v, true);
    case 'equals': {
      if (typeof v.value === 'number' && v.tolerance) {
        const tol = v.tolerance;
        const band = tol.abs !== undefined ? u(tol.abs) : tol.percent !== undefined ? `${f.number(tol.percent)} %` : `${f.number(tol.ppm ?? 0)} ppm`;
        return `${u(v.value)} ± ${band}`;
      }
      return `= ${typeof v.value === 'string' ? JSON.stringify(v.value) : typeof v.value === 'number' ? u(v.value) : String(v.value)}`;
    }
    case 'regex':
      return t('limits.matches', { pattern: `/${v.pattern}/${v.flags ?? ''}` });
    case 'one-of':
      return t('limits.oneOf', { values: v.values.map((x) => JSON.stringify(x)).join(', ') });
    case 'custom':
      // The description is the test engineer's own words (phases.ts).
      return v.description;
    case 'series': {
      const parts = Object.entries(v.aggregates).map(([k, l]) => `${k} ${interval(l, k !== 'count')}`);
      if (v.each) parts.push(t('limits.each', { limits: interval(v.each, true) }));
      return parts.join('; ');
    }
  }
}

/** The word in front of a phase's error: "Timed out", "Aborted", "Not declared", "Error". */
export function phaseErrorLabel(t: TFunction, kind: string): string {
  switch (kind) {
    case 'timeout':
      return t('phaseError.timeout');
    case 'aborted':
      return t('phaseError.aborted');
    case 'undeclared-measurement':
      return t('phaseError.undeclared');
    default:
      return t('phaseError.error');
  }
}
