/**
 * The chart kit's data shapes: what a screen hands a chart. Pure types and small functions
 * (no DOM, no uPlot), so they are tested under Node and shared by every chart.
 */

/** An axis as people read it: "voltage (V)". */
export interface AxisSpec {
  label: string;
  units?: string | undefined;
}

export function axisTitle(a: AxisSpec): string {
  return a.units ? `${a.label} (${a.units})` : a.label;
}

/** Shapes a point is drawn with, so a failing point differs from a passing one by more than colour. */
export type Shape = 'circle' | 'cross' | 'triangle' | 'square' | 'diamond';

/**
 * What a line means: a specification limit (LSL/USL), a marginal bound, a control limit
 * (UCL/LCL), a centre line. Each kind has its own dash pattern and a text label on the chart.
 */
export type LineKind = 'limit' | 'marginal' | 'control' | 'centre';

/**
 * A straight line at `value` on the `axis` scale: y = value (a horizontal line, the usual
 * limit) or x = value (a histogram's limits, which lie on its value axis). `from`/`to`
 * bound it along the other axis (a control limit of one limit version); absent, it spans the chart.
 */
export interface RefLine {
  axis: 'x' | 'y';
  value: number;
  /** Drawn beside the line: "USL 12.6 V", "UCL". */
  label: string;
  kind: LineKind;
  /** Which side of a limit is out: a histogram marks the bins past it. */
  side?: 'lower' | 'upper';
  from?: number;
  to?: number;
}

/** A shaded stripe between two values on one axis (the marginal band), labelled in the legend. */
export interface RefBand {
  axis: 'x' | 'y';
  from: number;
  to: number;
  label: string;
  /** Bounds it along the other axis, as for lines. */
  start?: number;
  end?: number;
}

/** A vertical line at x (a limit change, a new procedure version), labelled at its top. */
export interface XMarker {
  x: number;
  label: string;
}

/**
 * A point drawn with a shape and named: a failing point ("FAIL"), a control-rule violation
 * ("Rule 2"). `series` and `index` say which point (of the chart's own series list).
 */
export interface PointMark {
  series: number;
  index: number;
  /** Short text drawn beside the point when there is room ("1", "2,5"); the legend names the group. */
  tag?: string;
}

/** A named group of marks, one legend entry: "Failing point ×", "Rule 1: beyond 3σ". */
export interface MarkGroup {
  label: string;
  shape: Shape;
  tone: 'fail' | 'warn' | 'info';
  marks: readonly PointMark[];
}

export interface XYSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** line: joined points; points: markers only; both. */
  style?: 'line' | 'points' | 'both';
  /** A dashed line, for a series that failed (so it differs from the others without colour). */
  dashed?: boolean;
  /** Thin and muted: one of many overlaid runs. */
  faint?: boolean;
  /** Its own colour (else the palette's next). */
  colour?: string;
  /** Line width in CSS pixels (default 2, faint 1.25). */
  width?: number;
}

/** Okabe–Ito: eight colours that stay apart for the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7a6a00', '#333333'] as const;

export function seriesColour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/** min and max of the finite values of some arrays (NaN/Infinity skipped); null when none. */
export function extent(...arrays: ArrayLike<number>[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * A scale range that shows the data and every line and band, padded 5 % each side, so a limit
 * far from the data still shows where it is (a chart that hides its limits hides the verdict).
 */
export function rangeWith(data: [number, number] | null, refs: readonly number[]): [number, number] {
  let lo = data ? data[0] : Infinity;
  let hi = data ? data[1] : -Infinity;
  for (const r of refs) {
    if (!Number.isFinite(r)) continue;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  if (!(lo <= hi)) return [0, 1];
  if (lo === hi) {
    const d = Math.abs(lo) * 0.1 || 1;
    return [lo - d, hi + d];
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** Values a line or band puts on an axis (for `rangeWith`). */
export function refValues(axis: 'x' | 'y', lines: readonly RefLine[] = [], bands: readonly RefBand[] = []): number[] {
  return [...lines.filter((l) => l.axis === axis).map((l) => l.value), ...bands.filter((b) => b.axis === axis).flatMap((b) => [b.from, b.to])];
}
