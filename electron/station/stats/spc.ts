/**
 * Statistics for SPC, small and pure: descriptive figures, capability indices, histogram,
 * individuals/moving-range control limits and the Nelson rules. Named and computed as
 * Montgomery (Introduction to Statistical Quality Control) and the NIST/SEMATECH e-Handbook
 * do; docs/statistics.md has every formula. Inputs are array-likes so typed arrays work.
 */
import type { SpcRule } from '#contract/stats.ts';

type Values = ArrayLike<number>;

/** d2 for subgroups of 2 (moving ranges of consecutive individuals). */
export const D2 = 1.128;
/** D4 for subgroups of 2: the MR chart's upper limit is D4·MR̄. */
export const D4 = 3.267;

export function mean(xs: Values): number | null {
  const n = xs.length;
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  return s / n;
}

/** Sample standard deviation (divisor n−1): the overall sigma. Null below two points. */
export function sampleSigma(xs: Values, m: number | null = mean(xs)): number | null {
  const n = xs.length;
  if (n < 2 || m === null) return null;
  // Two-pass (deviations from the mean): stable where the values are large and close together.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Average of |x[i] − x[i−1]|. Null below two points. */
export function averageMovingRange(xs: Values): number | null {
  const n = xs.length;
  if (n < 2) return null;
  let s = 0;
  for (let i = 1; i < n; i++) s += Math.abs(xs[i]! - xs[i - 1]!);
  return s / (n - 1);
}

/** The within sigma of individual values: MR̄ / d2. */
export function sigmaWithin(xs: Values): number | null {
  const mr = averageMovingRange(xs);
  return mr === null ? null : mr / D2;
}

/** Nearest-rank percentile (p in 0..100) of values sorted ascending. */
export function percentileSorted(sorted: Values, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1]!;
}

export interface SpecLimits {
  lower?: number | null | undefined;
  upper?: number | null | undefined;
  /** Inclusive unless false (as validators are). */
  lowerInclusive?: boolean | undefined;
  upperInclusive?: boolean | undefined;
}

const has = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Capability from a mean and a sigma: with the within sigma these are Cp and Cpk, with the
 * overall sigma Pp and Ppk. The two-sided index needs both limits; the k index is the
 * nearer side's (a one-sided spec has only that side). Null where sigma is 0 or unknown.
 */
export function capability(m: number | null, sigma: number | null, limits: SpecLimits): { c: number | null; ck: number | null } {
  if (m === null || sigma === null || !(sigma > 0)) return { c: null, ck: null };
  const lo = has(limits.lower) ? limits.lower : null;
  const hi = has(limits.upper) ? limits.upper : null;
  const c = lo !== null && hi !== null ? (hi - lo) / (6 * sigma) : null;
  const upperSide = hi !== null ? (hi - m) / (3 * sigma) : null;
  const lowerSide = lo !== null ? (m - lo) / (3 * sigma) : null;
  const ck = upperSide !== null && lowerSide !== null ? Math.min(upperSide, lowerSide) : (upperSide ?? lowerSide);
  return { c, ck };
}

/** Whether a value is outside the limits, judged as the validator does (inclusive unless the flag is false). */
export function isOutside(x: number, limits: SpecLimits): boolean {
  if (has(limits.lower) && (limits.lowerInclusive === false ? x <= limits.lower : x < limits.lower)) return true;
  if (has(limits.upper) && (limits.upperInclusive === false ? x >= limits.upper : x > limits.upper)) return true;
  return false;
}

export function countOutside(xs: Values, limits: SpecLimits): number {
  if (!has(limits.lower) && !has(limits.upper)) return 0;
  let k = 0;
  for (let i = 0; i < xs.length; i++) if (isOutside(xs[i]!, limits)) k++;
  return k;
}

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Equal-width bins from the smallest to the largest value: `bins` of them (default √n, 5 to 60).
 * Each bin holds lo ≤ x < hi, the last one also x = hi. All values equal: one bin around them.
 */
export function histogram(xs: Values, bins?: number): { bins: Bin[]; binWidth: number } {
  const n = xs.length;
  if (n === 0) return { bins: [], binWidth: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min === max) {
    const half = Math.abs(min) * 1e-6 || 0.5;
    return { bins: [{ lo: min - half, hi: max + half, count: n }], binWidth: 2 * half };
  }
  const k = Math.max(1, Math.round(bins ?? Math.min(60, Math.max(5, Math.ceil(Math.sqrt(n))))));
  const width = (max - min) / k;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const b = Math.min(k - 1, Math.floor((xs[i]! - min) / width));
    counts[b]!++;
  }
  return { bins: counts.map((count, b) => ({ lo: min + b * width, hi: b === k - 1 ? max : min + (b + 1) * width, count })), binWidth: width };
}

export interface ControlLimits {
  cl: number;
  ucl: number;
  lcl: number;
}

/**
 * I-MR chart limits: individuals CL = x̄, UCL/LCL = x̄ ± 3·MR̄/d2 (x̄ ± 2.66·MR̄);
 * moving range CL = MR̄, UCL = D4·MR̄, LCL = 0. Null below two points.
 */
export function imrLimits(xs: Values): { individuals: ControlLimits; movingRange: ControlLimits } | null {
  const m = mean(xs);
  const mr = averageMovingRange(xs);
  if (m === null || mr === null) return null;
  const s = mr / D2;
  return { individuals: { cl: m, ucl: m + 3 * s, lcl: m - 3 * s }, movingRange: { cl: mr, ucl: D4 * mr, lcl: 0 } };
}

/** What a rule needs: the centre line and the sigma its zones are drawn with (the within sigma). */
export interface RuleBasis {
  cl: number;
  sigma: number;
}

/** Points (indexes) that break each rule. */
export type RuleHits = Map<SpcRule, number[]>;

/**
 * The Nelson rules (Nelson 1984; Montgomery §5.3.6). A point is marked where the pattern is
 * complete: rule 1 the point itself; rules 2, 3, 4, 7, 8 the last point of the run and every
 * point that extends it; rules 5 and 6 the last point of the window when it is itself one of
 * the points beyond the zone. A point on the centre line is on neither side (it ends a run of
 * rule 2); equal neighbours end a trend (rule 3) and an alternation (rule 4).
 */
export function checkRules(xs: Values, basis: RuleBasis, rules: readonly SpcRule[]): RuleHits {
  const hits: RuleHits = new Map(rules.map((r) => [r, []]));
  const n = xs.length;
  const { cl, sigma } = basis;
  if (n === 0 || !(sigma > 0)) return hits;
  const r1 = hits.get(1);
  const r2 = hits.get(2);
  const r3 = hits.get(3);
  const r4 = hits.get(4);
  const r5 = hits.get(5);
  const r6 = hits.get(6);
  const r7 = hits.get(7);
  const r8 = hits.get(8);
  // Running counts, one pass.
  let side = 0; // +1 above, −1 below, 0 on the line
  let sideRun = 0;
  let trendDir = 0; // +1 up, −1 down
  let trendRun = 1; // points in the current monotone run
  let altRun = 1; // points in the current alternating run
  let lastDiffSign = 0;
  let within1Run = 0;
  let beyond1Run = 0;
  // Windows for rules 5 and 6: zone membership of the last 3 and 5 points, by side.
  const z = (x: number) => (x - cl) / sigma;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const d = z(x);
    if (r1 && Math.abs(d) > 3) r1.push(i);
    // Rule 2: nine in a row on one side.
    const s = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (s !== 0 && s === side) sideRun++;
    else sideRun = s === 0 ? 0 : 1;
    side = s;
    if (r2 && sideRun >= 9) r2.push(i);
    if (i > 0) {
      const diff = x - xs[i - 1]!;
      const ds = diff > 0 ? 1 : diff < 0 ? -1 : 0;
      // Rule 3: six points in a row steadily increasing or decreasing (five steps one way).
      if (ds !== 0 && ds === trendDir) trendRun++;
      else trendRun = ds === 0 ? 1 : 2;
      trendDir = ds;
      if (r3 && trendRun >= 6) r3.push(i);
      // Rule 4: fourteen points in a row alternating up and down (thirteen steps, each turning).
      if (ds !== 0 && lastDiffSign !== 0 && ds === -lastDiffSign) altRun++;
      else altRun = ds === 0 ? 1 : 2;
      lastDiffSign = ds;
      if (r4 && altRun >= 14) r4.push(i);
    }
    // Rule 7: fifteen in a row within 1 sigma (either side); rule 8: eight in a row beyond 1 sigma (either side).
    if (Math.abs(d) < 1) {
      within1Run++;
      beyond1Run = 0;
    } else {
      within1Run = 0;
      beyond1Run = Math.abs(d) > 1 ? beyond1Run + 1 : 0;
    }
    if (r7 && within1Run >= 15) r7.push(i);
    if (r8 && beyond1Run >= 8) r8.push(i);
    // Rules 5 and 6: k of the last k+1 (or 4 of 5) beyond 2 (1) sigma on the point's side.
    if ((r5 || r6) && s !== 0) {
      if (r5 && Math.abs(d) > 2 && countBeyond(xs, i, 3, 2, s, cl, sigma) >= 2) r5.push(i);
      if (r6 && Math.abs(d) > 1 && countBeyond(xs, i, 5, 1, s, cl, sigma) >= 4) r6.push(i);
    }
  }
  return hits;
}

/** Of the `w` points ending at `i`, how many are beyond `k` sigma on side `s`. */
function countBeyond(xs: Values, i: number, w: number, k: number, s: number, cl: number, sigma: number): number {
  let c = 0;
  for (let j = Math.max(0, i - w + 1); j <= i; j++) if (((xs[j]! - cl) / sigma) * s > k) c++;
  return c;
}

/** Points a rule needs at most to fire: the window an incremental check must keep. */
export const RULE_WINDOW = 15;

/**
 * The Nelson rules one point at a time, in O(1) and without allocation, for drift alerts: each
 * point is judged against the centre line and sigma given with it (those of the moment it came).
 * With the same basis for every point it marks exactly the points `checkRules` marks.
 */
export class RuleStream {
  private prev = NaN;
  private side = 0;
  private sideRun = 0;
  private trendDir = 0;
  private trendRun = 1;
  private altRun = 1;
  private lastDiff = 0;
  private within1 = 0;
  private beyond1 = 0;
  /** The last five z values, newest at `at`. */
  private readonly zs = new Float64Array(5);
  private count = 0;
  private at = -1;

  /** The rules (bit r−1 set for rule r) the point `x` breaks. */
  step(x: number, basis: RuleBasis): number {
    const d = (x - basis.cl) / basis.sigma;
    let fired = 0;
    if (Math.abs(d) > 3) fired |= 1 << 0;
    const s = d > 0 ? 1 : d < 0 ? -1 : 0;
    this.sideRun = s !== 0 && s === this.side ? this.sideRun + 1 : s === 0 ? 0 : 1;
    this.side = s;
    if (this.sideRun >= 9) fired |= 1 << 1;
    if (this.count > 0) {
      const diff = x - this.prev;
      const ds = diff > 0 ? 1 : diff < 0 ? -1 : 0;
      this.trendRun = ds !== 0 && ds === this.trendDir ? this.trendRun + 1 : ds === 0 ? 1 : 2;
      this.trendDir = ds;
      if (this.trendRun >= 6) fired |= 1 << 2;
      this.altRun = ds !== 0 && this.lastDiff !== 0 && ds === -this.lastDiff ? this.altRun + 1 : ds === 0 ? 1 : 2;
      this.lastDiff = ds;
      if (this.altRun >= 14) fired |= 1 << 3;
    }
    if (Math.abs(d) < 1) {
      this.within1++;
      this.beyond1 = 0;
    } else {
      this.within1 = 0;
      this.beyond1 = Math.abs(d) > 1 ? this.beyond1 + 1 : 0;
    }
    if (this.within1 >= 15) fired |= 1 << 6;
    if (this.beyond1 >= 8) fired |= 1 << 7;
    this.at = (this.at + 1) % 5;
    this.zs[this.at] = d;
    this.count++;
    if (s !== 0) {
      if (Math.abs(d) > 2 && this.beyondInLast(3, 2, s) >= 2) fired |= 1 << 4;
      if (Math.abs(d) > 1 && this.beyondInLast(5, 1, s) >= 4) fired |= 1 << 5;
    }
    this.prev = x;
    return fired;
  }

  private beyondInLast(w: number, k: number, s: number): number {
    let c = 0;
    for (let j = 0; j < Math.min(w, this.count); j++) if (this.zs[(this.at - j + 5) % 5]! * s > k) c++;
    return c;
  }
}
