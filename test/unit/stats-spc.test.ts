/**
 * The SPC statistics against values computed independently: from published examples of the
 * NIST/SEMATECH e-Handbook of Statistical Methods (section named in each test), and by hand
 * where no published example fits (the arithmetic is written out beside the expectation).
 * Each Nelson rule has a series that trips it and one that just does not.
 */
import { describe, expect, test } from 'vitest';
import {
  averageMovingRange,
  capability,
  checkRules,
  countOutside,
  histogram,
  imrLimits,
  isOutside,
  mean,
  percentileSorted,
  RuleStream,
  sampleSigma,
  sigmaWithin,
} from '#station/stats/spc.ts';
import type { SpcRule } from '#contract/stats.ts';

/**
 * NIST/SEMATECH e-Handbook §6.3.2.2 "Individuals Control Charts", example: the flow rate of
 * the first 10 batches of a new process. Published: x̄ = 50.81, MR̄ = 1.8778,
 * UCL = 55.8041, LCL = 45.8159 (x̄ ± 3·MR̄/1.128), MR chart UCL = 3.267·1.8778 = 6.1347.
 * (Checked by hand: the moving ranges 2.0 2.3 1.4 3.5 3.4 1.4 0.2 1.2 1.5 sum to 16.9; /9.)
 */
const NIST_FLOW = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1];

describe('descriptive figures', () => {
  test('mean, average moving range and I-MR limits of the NIST flow-rate example (§6.3.2.2)', () => {
    expect(mean(NIST_FLOW)).toBeCloseTo(50.81, 10);
    expect(averageMovingRange(NIST_FLOW)).toBeCloseTo(1.8778, 4);
    expect(sigmaWithin(NIST_FLOW)).toBeCloseTo(1.8778 / 1.128, 4);
    const l = imrLimits(NIST_FLOW)!;
    expect(l.individuals.cl).toBeCloseTo(50.81, 10);
    expect(l.individuals.ucl).toBeCloseTo(55.8041, 3);
    expect(l.individuals.lcl).toBeCloseTo(45.8159, 3);
    expect(l.movingRange.cl).toBeCloseTo(1.8778, 4);
    expect(l.movingRange.ucl).toBeCloseTo(6.1347, 3);
    expect(l.movingRange.lcl).toBe(0);
  });

  test('sample standard deviation (n−1), by hand: 2 4 4 4 5 5 7 9', () => {
    // mean 5; squared deviations 9 1 1 1 0 0 4 16 = 32; 32 / 7 = 4.571428…; √ = 2.138090
    expect(sampleSigma([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.13809, 5);
    // Large values close together (a rail near 3.3 V): the two-pass form keeps the digits.
    expect(sampleSigma([1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3])).toBeCloseTo(0.1, 6);
  });

  test('figures that need more points are null, never 0', () => {
    expect(mean([])).toBeNull();
    expect(sampleSigma([3])).toBeNull();
    expect(averageMovingRange([3])).toBeNull();
    expect(imrLimits([3])).toBeNull();
  });

  test('nearest-rank percentile, by hand: p95 of 1..20 is the 19th value', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentileSorted(xs, 95)).toBe(19);
    expect(percentileSorted(xs, 100)).toBe(20);
    expect(percentileSorted([7], 95)).toBe(7);
    expect(percentileSorted([], 95)).toBeNull();
  });
});

describe('capability', () => {
  /**
   * NIST/SEMATECH e-Handbook §6.1.6 "What is Process Capability?", example: USL = 20, LSL = 8,
   * μ = 16, σ = 2 gives Cp = 12/12 = 1, Cpu = 4/6 = 0.6667, Cpl = 8/6 = 1.3333, Cpk = 0.6667.
   */
  test('the NIST example (§6.1.6): two-sided and each side alone', () => {
    const two = capability(16, 2, { lower: 8, upper: 20 });
    expect(two.c).toBeCloseTo(1, 10);
    expect(two.ck).toBeCloseTo(0.6667, 4);
    // One-sided specs: the k index from the side there is, the two-sided index undefined.
    const upper = capability(16, 2, { upper: 20 });
    expect(upper.c).toBeNull();
    expect(upper.ck).toBeCloseTo(0.6667, 4);
    const lower = capability(16, 2, { lower: 8 });
    expect(lower.c).toBeNull();
    expect(lower.ck).toBeCloseTo(1.3333, 4);
  });

  test('no limits, or no spread: nothing to say', () => {
    expect(capability(16, 2, {})).toEqual({ c: null, ck: null });
    expect(capability(16, 0, { lower: 8, upper: 20 })).toEqual({ c: null, ck: null });
    expect(capability(null, 2, { lower: 8, upper: 20 })).toEqual({ c: null, ck: null });
  });

  test('Cp/Cpk from the within sigma and Pp/Ppk from the overall sigma differ on a drifting series (by hand)', () => {
    // 1 2 3 4 5: MR̄ = 1, σ_within = 1/1.128 = 0.886525; σ_overall = √(10/4) = 1.581139; mean 3.
    const xs = [1, 2, 3, 4, 5];
    const lim = { lower: 0, upper: 10 };
    const within = capability(mean(xs), sigmaWithin(xs), lim);
    const overall = capability(mean(xs), sampleSigma(xs), lim);
    expect(within.c).toBeCloseTo(10 / (6 * 0.886525), 5); // 1.88000
    expect(within.ck).toBeCloseTo(3 / (3 * 0.886525), 5); // 1.12800
    expect(overall.c).toBeCloseTo(10 / (6 * 1.581139), 5); // 1.05409
    expect(overall.ck).toBeCloseTo(3 / (3 * 1.581139), 5); // 0.63246
  });

  test('outside the limits as the validator judges: inclusive unless the flag is false', () => {
    expect(isOutside(3.2, { lower: 3.2, upper: 3.4 })).toBe(false);
    expect(isOutside(3.2, { lower: 3.2, lowerInclusive: false })).toBe(true);
    expect(isOutside(3.4, { upper: 3.4, upperInclusive: false })).toBe(true);
    expect(isOutside(3.41, { upper: 3.4 })).toBe(true);
    expect(countOutside([3.1, 3.2, 3.3, 3.4, 3.5], { lower: 3.2, upper: 3.4 })).toBe(2);
    expect(countOutside([3.1, 3.5], {})).toBe(0);
  });
});

describe('histogram', () => {
  test('equal-width bins, the last one closed (by hand: 0..10 in 5 bins of 2)', () => {
    const h = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
    expect(h.binWidth).toBe(2);
    expect(h.bins.map((b) => b.count)).toEqual([2, 2, 2, 2, 3]);
    expect(h.bins[0]).toMatchObject({ lo: 0, hi: 2 });
    expect(h.bins[4]).toMatchObject({ lo: 8, hi: 10 });
  });

  test('the default count is √n between 5 and 60; equal values fill one bin', () => {
    expect(histogram(Array.from({ length: 100 }, (_, i) => i)).bins).toHaveLength(10);
    expect(histogram(Array.from({ length: 10_000 }, (_, i) => i)).bins).toHaveLength(60);
    expect(histogram([1, 2, 3]).bins).toHaveLength(5);
    const one = histogram([3.3, 3.3, 3.3]);
    expect(one.bins).toHaveLength(1);
    expect(one.bins[0]!.count).toBe(3);
    expect(histogram([]).bins).toEqual([]);
  });
});

describe('Nelson rules (centre line 0, sigma 1)', () => {
  const basis = { cl: 0, sigma: 1 };
  const hits = (rule: SpcRule, xs: number[]): number[] => checkRules(xs, basis, [rule]).get(rule)!;
  const repeat = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

  test('1: a point beyond 3 sigma; exactly 3 sigma is not beyond', () => {
    expect(hits(1, [0, 0.5, 3.1, -3.2])).toEqual([2, 3]);
    expect(hits(1, [0, 3, -3, 2.99])).toEqual([]);
  });

  test('2: nine in a row on one side; eight, or nine broken by a point on the line, do not', () => {
    expect(hits(2, repeat(10, () => 0.5))).toEqual([8, 9]);
    expect(hits(2, [...repeat(8, () => 0.5), -0.5, ...repeat(8, () => 0.5)])).toEqual([]);
    expect(hits(2, [...repeat(4, () => -0.5), 0, ...repeat(5, () => -0.5)])).toEqual([]);
  });

  test('3: six in a row increasing or decreasing; five, or six with a tie, do not', () => {
    expect(hits(3, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])).toEqual([5]);
    expect(hits(3, [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0])).toEqual([5, 6]);
    expect(hits(3, [0.1, 0.2, 0.3, 0.4, 0.5, 0.4, 0.5])).toEqual([]);
    expect(hits(3, [0.1, 0.2, 0.3, 0.3, 0.4, 0.5])).toEqual([]);
  });

  test('4: fourteen in a row alternating up and down; thirteen do not', () => {
    const alt = (n: number) => repeat(n, (i) => (i % 2 ? -0.5 : 0.5));
    expect(hits(4, alt(14))).toEqual([13]);
    expect(hits(4, alt(15))).toEqual([13, 14]);
    expect(hits(4, [...alt(13), 0.5, -0.5])).toEqual([]);
  });

  test('5: two of three beyond 2 sigma on one side; on opposite sides, or two of four, do not', () => {
    expect(hits(5, [0, 2.5, 0, 2.5])).toEqual([3]);
    expect(hits(5, [-2.1, -2.2])).toEqual([1]);
    expect(hits(5, [2.5, 0, -2.5])).toEqual([]);
    expect(hits(5, [2.5, 0, 0, 2.5])).toEqual([]);
  });

  test('6: four of five beyond 1 sigma on one side; three of five do not', () => {
    expect(hits(6, [1.5, 1.5, 0, 1.5, 1.5])).toEqual([4]);
    expect(hits(6, [1.5, 1.5, 0, 0, 1.5, 1.5])).toEqual([]);
    expect(hits(6, [1.5, -1.5, 1.5, 1.5, -1.5])).toEqual([]);
  });

  test('7: fifteen in a row within 1 sigma (either side); fourteen do not', () => {
    const hug = (n: number) => repeat(n, (i) => (i % 2 ? -0.5 : 0.5));
    expect(hits(7, hug(15))).toEqual([14]);
    expect(hits(7, [...hug(14), 1.5, ...hug(14)])).toEqual([]);
  });

  test('8: eight in a row beyond 1 sigma on either side; seven, then one inside, do not', () => {
    const wide = (n: number) => repeat(n, (i) => (i % 2 ? -1.5 : 1.5));
    expect(hits(8, wide(8))).toEqual([7]);
    expect(hits(8, [...wide(7), 0.5, ...wide(7)])).toEqual([]);
  });

  test('only the rules asked for are checked; no spread, nothing fires', () => {
    const r = checkRules([0, 5, 0], basis, [1, 2]);
    expect([...r.keys()]).toEqual([1, 2]);
    expect(r.get(1)).toEqual([1]);
    expect(checkRules([1, 1, 1], { cl: 1, sigma: 0 }, [1]).get(1)).toEqual([]);
  });
});

describe('the rules one point at a time (drift alerts)', () => {
  test('with one basis for every point, RuleStream marks exactly what checkRules marks', () => {
    // A seeded walk with drifts, oscillations and flat stretches: every rule fires somewhere.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const xs: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const phase = Math.floor(i / 100) % 5;
      xs.push(phase === 0 ? rnd() * 8 : phase === 1 ? 1.5 + rnd() : phase === 2 ? (i % 2 ? 0.8 : -0.8) : phase === 3 ? (i % 100) / 20 - 2 : rnd() * 0.5);
    }
    const basis = { cl: 0, sigma: 1 };
    const rules = [1, 2, 3, 4, 5, 6, 7, 8] as const;
    const batch = checkRules(xs, basis, rules);
    const stream = new RuleStream();
    const streamed = new Map<number, number[]>(rules.map((r) => [r, []]));
    xs.forEach((x, i) => {
      const fired = stream.step(x, basis);
      for (const r of rules) if (fired & (1 << (r - 1))) streamed.get(r)!.push(i);
    });
    for (const r of rules) {
      expect(batch.get(r)!.length, `rule ${r} fires in this series`).toBeGreaterThan(0);
      expect(streamed.get(r), `rule ${r}`).toEqual(batch.get(r));
    }
  });
});
