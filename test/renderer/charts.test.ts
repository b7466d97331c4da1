// @vitest-environment node
/**
 * The chart kit's pure parts: a recorded series as curves with its failing points, curves of
 * different runs joined on x, histogram bins, scale ranges that keep every limit in view, and
 * the I-MR chart's moving ranges, lines, markers and rule marks.
 */
import { describe, expect, test } from 'vitest';
import type { Measurement } from '#contract/records.ts';
import { extent, rangeWith, refValues } from '../../renderer/src/components/charts/chart-model.ts';
import { alignSeries } from '../../renderer/src/components/charts/align.ts';
import { binValues, niceStep } from '../../renderer/src/components/charts/histogram.ts';
import { insideLimits, isPlottable, sweepOf } from '../../renderer/src/components/charts/measurement-series.ts';
import { individualsLines, movingRanges, versionMarkers, violationGroups, type ControlSegment } from '../../renderer/src/components/charts/control-model.ts';
import { overlayLegend } from '../../renderer/src/components/charts/legend.ts';
import { asMeasurement } from '../../renderer/src/features/overlay/use-overlay-runs.ts';

const ramp: Measurement = {
  name: 'ramp',
  value: [
    [0, 1],
    [0.01, 12.9],
    [0.02, 12.1],
    [0.03, -0.5],
  ],
  units: 'V',
  dimensions: [
    { name: 'time', units: 's' },
    { name: 'voltage', units: 'V' },
  ],
  aggregates: { min: -0.5, max: 12.9, mean: 6.375, std: 6.4, count: 4 },
  validator: { kind: 'series', aggregates: { max: { lower: 11.8, upper: 12.4 }, count: { lower: 3 } }, each: { lower: 0, upper: 12.6 } },
  outcome: 'FAIL',
};

describe('a series measurement as a chart', () => {
  test('x is the first axis, y the last, with their units; every-point limits are lines; points outside them are marked', () => {
    const s = sweepOf(ramp)!;
    expect(s.x).toEqual({ label: 'time', units: 's' });
    expect(s.y).toEqual({ label: 'voltage', units: 'V' });
    expect(s.curves).toHaveLength(1);
    expect(s.curves[0]!.y).toEqual([1, 12.9, 12.1, -0.5]);
    expect(s.lines.map((l) => [l.value, l.side, l.label])).toEqual([
      [0, 'lower', 'lower limit 0 V'],
      [12.6, 'upper', 'upper limit 12.6 V'],
    ]);
    // 12.9 is above 12.6 and -0.5 below 0.
    expect(s.failing).toEqual([
      { series: 0, index: 1 },
      { series: 0, index: 3 },
    ]);
    const max = s.aggregates.find((a) => a.name === 'max')!;
    expect(max).toMatchObject({ value: 12.9, inside: false, limits: { lower: 11.8, upper: 12.4 } });
    expect(s.aggregates.find((a) => a.name === 'count')).toMatchObject({ inside: true });
  });

  test('an exclusive limit fails the point on it; an inclusive one passes it', () => {
    expect(insideLimits(1, { lower: 1 })).toBe(true);
    expect(insideLimits(1, { lower: 1, lowerInclusive: false })).toBe(false);
    expect(insideLimits(2, { upper: 2, upperInclusive: false })).toBe(false);
    expect(insideLimits(2, undefined)).toBe(true);
  });

  test('three columns: a curve per value of the middle one, each in x order; one column: x is the position', () => {
    const m: Measurement = {
      name: 'offset',
      value: [
        [10, 25, 0.5],
        [0, 25, 0.4],
        [0, 85, 1.1],
        [10, 85, 1.3],
      ],
      dimensions: [{ name: 'time', units: 's' }, { name: 'temperature', units: '°C' }, { name: 'offset' }],
      outcome: 'PASS',
    };
    const s = sweepOf(m)!;
    expect(s.curves.map((c) => c.label)).toEqual(['temperature 25 °C', 'temperature 85 °C']);
    expect(s.curves[0]).toMatchObject({ x: [0, 10], y: [0.4, 0.5], rows: [1, 0] });
    expect(s.y).toEqual({ label: 'offset', units: undefined });

    const flat = sweepOf({ name: 'trace', value: [[3], [4], [5]], units: 'mA', outcome: 'PASS' })!;
    expect(flat.x).toEqual({ label: 'point' });
    expect(flat.curves[0]).toMatchObject({ x: [0, 1, 2], y: [3, 4, 5] });
    expect(flat.y).toEqual({ label: 'trace', units: 'mA' });
  });

  test('only a series with points is plotted', () => {
    expect(isPlottable(ramp)).toBe(true);
    expect(isPlottable({ name: 'v', value: 3.3, outcome: 'PASS' })).toBe(false);
    expect(isPlottable({ name: 'v', value: [], outcome: 'FAIL' })).toBe(false);
    expect(sweepOf({ name: 'v', value: 'x', outcome: 'PASS' })).toBeNull();
  });
});

describe('curves of different runs on one x', () => {
  test('shared x is used as it is', () => {
    const x = [1, 2, 3];
    const a = alignSeries([
      { x, y: [1, 2, 3] },
      { x: [1, 2, 3], y: [4, 5, 6] },
    ]);
    expect(a.x).toBe(x);
    expect(a.at(1, 2)).toBe(2);
  });

  test('different x values are joined on their union, each curve null where it has no point', () => {
    const a = alignSeries([
      { x: [0, 2], y: [10, 12] },
      { x: [1, 2, 3], y: [21, 22, 23] },
    ]);
    expect(Array.from(a.x)).toEqual([0, 1, 2, 3]);
    expect(a.ys).toEqual([
      [10, null, 12, null],
      [null, 21, 22, 23],
    ]);
    expect(a.at(0, 1)).toBe(2);
    expect(a.pointAt(1, 0)).toBe(-1);
    expect(a.pointAt(1, 3)).toBe(2);
  });
});

describe('histogram bins', () => {
  test('widths are 1, 2 or 5 times a power of ten', () => {
    expect([0.013, 0.02, 0.03, 0.7, 7, 12].map(niceStep)).toEqual([0.02, 0.02, 0.05, 1, 10, 20]);
  });

  test('every finite value lands in one bin; the bins cover the data in equal, round widths', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 3.3 + Math.sin(i * 12.9898) * 0.05);
    const b = binValues([...values, Number.NaN]);
    expect(b.counts.reduce((a, c) => a + c, 0)).toBe(1000);
    expect(b.skipped).toBe(1);
    expect(b.edges[0]).toBeLessThanOrEqual(Math.min(...values));
    expect(b.edges.at(-1)! + b.width).toBeGreaterThan(Math.max(...values));
    expect(b.counts.length).toBeGreaterThanOrEqual(5);
    expect(b.counts.length).toBeLessThanOrEqual(60);
    expect(niceStep(b.width)).toBeCloseTo(b.width, 12);
  });

  test('one repeated value is one bin around it; no values, no bins', () => {
    expect(binValues([5, 5, 5])).toMatchObject({ counts: [3] });
    expect(binValues([])).toMatchObject({ counts: [], edges: [] });
  });
});

describe('scale ranges', () => {
  test('a limit far from the data stays in view, padded 5 %', () => {
    const [a, b] = rangeWith([3.29, 3.31], [3.2, 3.4]);
    expect(a).toBeCloseTo(3.19, 10);
    expect(b).toBeCloseTo(3.41, 10);
    const [lo, hi] = rangeWith([0, 10], [20]);
    expect(lo).toBeCloseTo(-1);
    expect(hi).toBeCloseTo(21);
    expect(rangeWith(null, [])).toEqual([0, 1]);
    expect(rangeWith([2, 2], [])).toEqual([1.8, 2.2]);
  });

  test('extent skips nothing finite and answers null for no values', () => {
    expect(extent([3, 1], [7])).toEqual([1, 7]);
    expect(extent([])).toBeNull();
    expect(refValues('y', [{ axis: 'y', value: 1, label: 'a', kind: 'limit' }], [{ axis: 'x', from: 0, to: 2, label: 'b' }])).toEqual([1]);
  });
});

describe('the I-MR chart', () => {
  const segments: ControlSegment[] = [
    { from: 0, to: 2, label: 'v1', centre: 1, ucl: 2, lcl: 0, mrCentre: 0.5, mrUcl: 1.6, lower: 0.5, upper: 1.5 },
    { from: 3, to: 4, label: 'limits v2', centre: 5, ucl: 6, lcl: 4, mrCentre: 0.3, mrUcl: 1 },
  ];
  const x = [1, 2, 3, 4, 5];

  test('moving ranges start again at each limit version', () => {
    expect(movingRanges([1, 1.5, 0.5, 5, 5.25], segments)).toEqual([null, 0.5, 1, null, 0.25]);
  });

  test('centre line, control and specification limits span their own version; a marker where the next begins', () => {
    const lines = individualsLines(segments, x, 'V');
    expect(lines.filter((l) => l.from === 0.5 && l.to === 3.5).map((l) => l.label)).toEqual(['CL 1', 'UCL 2', 'LCL 0', 'LSL 0.5 V', 'USL 1.5 V']);
    expect(lines.filter((l) => l.from === 3.5).map((l) => l.kind)).toEqual(['centre', 'control', 'control']);
    expect(versionMarkers(segments, x)).toEqual([{ x: 3.5, label: 'limits v2' }]);
  });

  test('a group per rule in rule order, each point tagged once with every rule it breaks', () => {
    const groups = violationGroups(
      [
        { index: 4, rules: [5, 1] },
        { index: 9, rules: [2] },
      ],
      { 1: 'beyond 3σ', 2: 'nine in a row on one side', 5: 'two of three beyond 2σ' },
    );
    expect(groups.map((g) => [g.label, g.tone])).toEqual([
      ['Rule 1: beyond 3σ', 'fail'],
      ['Rule 2: nine in a row on one side', 'warn'],
      ['Rule 5: two of three beyond 2σ', 'warn'],
    ]);
    expect(groups[0]!.marks).toEqual([{ series: 0, index: 4, tag: '1,5' }]);
    expect(groups[2]!.marks).toEqual([{ series: 0, index: 4 }]);
    // Shapes differ from rule to rule, and the legend counts each rule's points.
    expect(new Set(groups.map((g) => g.shape)).size).toBe(3);
    expect(overlayLegend({ groups }).map((e) => e.label)).toEqual([
      'Rule 1: beyond 3σ · 1',
      'Rule 2: nine in a row on one side · 1',
      'Rule 5: two of three beyond 2σ · 1',
    ]);
  });
});

describe('an overlaid run', () => {
  test('a stats.series item reads as the measurement it was: points, axes, limits, aggregates of its last column', () => {
    const m = asMeasurement('gain', {
      runId: 'r1',
      serialNumber: 'AMP-1',
      partNumber: 'AMP-200',
      startedAt: '2026-03-02T10:00:00.000Z',
      outcome: 'FAIL',
      measurementOutcome: 'FAIL',
      dimensions: [
        { name: 'frequency', units: 'kHz' },
        { name: 'gain', units: 'dB' },
      ],
      points: [
        [1, 0.5],
        [2, 1.5],
      ],
      validator: { kind: 'series', aggregates: {}, each: { lower: -1, upper: 1 } },
    });
    expect(m).toMatchObject({ units: 'dB', outcome: 'FAIL', aggregates: { min: 0.5, max: 1.5, mean: 1, count: 2 } });
    expect(sweepOf(m)!.failing).toEqual([{ series: 0, index: 1 }]);
  });
});
