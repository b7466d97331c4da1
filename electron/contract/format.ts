import type { Validator } from './records.ts';

/** Limits as an operator reads them: "3.2 … 3.4 V", "= 1.4.2". */
export function describeValidator(v: Validator | undefined, units?: string): string {
  if (!v) return '';
  const u = units ? ` ${units}` : '';
  if (v.kind === 'equals') return `= ${JSON.stringify(v.value)}`;
  if (v.lower !== undefined && v.upper !== undefined) return `${v.lower} … ${v.upper}${u}`;
  if (v.lower !== undefined) return `${v.lowerInclusive ? '≥' : '>'} ${v.lower}${u}`;
  if (v.upper !== undefined) return `${v.upperInclusive ? '≤' : '<'} ${v.upper}${u}`;
  return '';
}
