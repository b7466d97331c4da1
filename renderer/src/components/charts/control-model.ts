import type { MarkGroup, RefLine, Shape, XMarker } from './chart-model.ts';

/**
 * An individuals and moving-range (I-MR) chart's content, computed from what the station's
 * statistics give: values in run order, and per limit version its centre line and control
 * limits (from the within sigma) and its specification limits. Pure, so it is tested under Node.
 */
export interface ControlSegment {
  /** First and last point of this limit version (0-based, inclusive). */
  from: number;
  to: number;
  /** Names the version ("limits v2"). */
  label: string;
  /** The text of the marker where it begins, if not its label ("limits changed 2026-03-02 by SUP-7"). */
  marker?: string | undefined;
  centre: number;
  ucl: number;
  lcl: number;
  mrCentre: number;
  mrUcl: number;
  lower?: number | undefined;
  upper?: number | undefined;
}

export interface Violation {
  index: number;
  rules: readonly number[];
}

/** Moving ranges |x_i − x_(i−1)|; none at a version's first point (a new population starts there). */
export function movingRanges(values: ArrayLike<number>, segments: readonly ControlSegment[]): (number | null)[] {
  const out = new Array<number | null>(values.length);
  const starts = new Set(segments.map((s) => s.from));
  out[0] = null;
  for (let i = 1; i < values.length; i++) out[i] = starts.has(i) ? null : Math.abs(values[i]! - values[i - 1]!);
  return out;
}

const f = (n: number): string => String(Number.parseFloat(n.toPrecision(5)));

/** Centre line, control limits and specification limits of each version, as lines over that version's points. */
export function individualsLines(segments: readonly ControlSegment[], x: ArrayLike<number>, units?: string): RefLine[] {
  const u = units ? ` ${units}` : '';
  const out: RefLine[] = [];
  for (const s of segments) {
    const from = x[s.from]!;
    const to = x[s.to]!;
    const span = { from: from - 0.5, to: to + 0.5 };
    // A version of one point has no control limits (NaN): nothing to draw for it.
    if (Number.isFinite(s.centre)) out.push({ axis: 'y', value: s.centre, label: `CL ${f(s.centre)}`, kind: 'centre', ...span });
    if (Number.isFinite(s.ucl)) out.push({ axis: 'y', value: s.ucl, label: `UCL ${f(s.ucl)}`, kind: 'control', ...span });
    if (Number.isFinite(s.lcl)) out.push({ axis: 'y', value: s.lcl, label: `LCL ${f(s.lcl)}`, kind: 'control', ...span });
    if (s.lower !== undefined) out.push({ axis: 'y', value: s.lower, label: `LSL ${f(s.lower)}${u}`, kind: 'limit', side: 'lower', ...span });
    if (s.upper !== undefined) out.push({ axis: 'y', value: s.upper, label: `USL ${f(s.upper)}${u}`, kind: 'limit', side: 'upper', ...span });
  }
  return out;
}

export function movingRangeLines(segments: readonly ControlSegment[], x: ArrayLike<number>): RefLine[] {
  return segments.flatMap((s): RefLine[] => {
    const span = { from: x[s.from]! - 0.5, to: x[s.to]! + 0.5 };
    const lines: RefLine[] = [
      { axis: 'y', value: s.mrCentre, label: `MR̄ ${f(s.mrCentre)}`, kind: 'centre', ...span },
      { axis: 'y', value: s.mrUcl, label: `UCL ${f(s.mrUcl)}`, kind: 'control', ...span },
    ];
    return lines.filter((l) => Number.isFinite(l.value));
  });
}

/** A marker where each version after the first begins, between its first point and the one before. */
export function versionMarkers(segments: readonly ControlSegment[], x: ArrayLike<number>): XMarker[] {
  return segments.slice(1).map((s) => ({ x: s.from > 0 ? (x[s.from]! + x[s.from - 1]!) / 2 : x[s.from]!, label: s.marker ?? s.label }));
}

const SHAPES: readonly Shape[] = ['square', 'circle', 'triangle', 'diamond'];

/**
 * One mark group per rule, in rule order, each point tagged with every rule it breaks
 * ("1,5") once, on the group of its first rule. Rule 1 (beyond 3σ) is a fail tone, the
 * patterns a warning tone; shapes differ by rule and the tag names it, so colour is never alone.
 */
export function violationGroups(violations: readonly Violation[], ruleNames: Readonly<Record<number, string>>): MarkGroup[] {
  const rules = [...new Set(violations.flatMap((v) => v.rules))].sort((a, b) => a - b);
  return rules.map((r, k) => ({
    label: `Rule ${r}: ${ruleNames[r] ?? 'rule broken'}`,
    shape: SHAPES[k % SHAPES.length]!,
    tone: r === 1 ? 'fail' : 'warn',
    marks: violations
      .filter((v) => v.rules.includes(r))
      .map((v) => {
        const sorted = [...v.rules].sort((a, b) => a - b);
        return sorted[0] === r ? { series: 0, index: v.index, tag: sorted.join(',') } : { series: 0, index: v.index };
      }),
  }));
}
