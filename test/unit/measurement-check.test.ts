/**
 * The hand-written measurement check on the station's hot path never accepts what the
 * contract's schema would refuse or change: for every input it accepts, the schema
 * accepts it too and returns it unchanged. Checked on real shapes and on thousands of
 * seeded random mutations of them.
 */
import { describe, expect, test } from 'vitest';
import { MeasurementSchema } from '#contract/records.ts';
import { EventDataSchemas } from '#contract/events.ts';
import { isPlainMeasured, isPlainMeasurement, isPlainPhaseStarted, isPlainRunnerPhaseEnded } from '#contract/measurement-check.ts';
import { FromRunnerSchema, RunnerPhaseEndedSchema, isPlainEventsMessage } from '#station/runner/protocol.ts';
import { mulberry32 } from '../helpers/random.ts';

const plain = [
  { name: 'v_3v3', value: 3.301, units: 'V', validator: { kind: 'range', lower: 3.2, upper: 3.4 }, outcome: 'PASS' },
  {
    name: 'v_3v3',
    value: 3.05,
    units: 'V',
    validator: { kind: 'range', lower: 3.2, upper: 3.4, lowerInclusive: false },
    outcome: 'FAIL',
    reason: '3.05 V is below 3.2 V',
    failureCode: 'RAIL',
  },
  { name: 'ripple', value: 0.021, validator: { kind: 'range', upper: 0.05, marginalUpper: 0.04, upperInclusive: true }, outcome: 'PASS', marginal: true },
  { name: 'led', value: true, outcome: 'PASS' },
  { name: 'fw', value: '1.2.3', outcome: 'PASS' },
  { name: 'unset', value: null, outcome: 'UNSET', reason: 'declared but never measured' },
  { name: 'skipped', value: null, units: 'A', outcome: 'SKIP' },
  { name: 'v_3v33', value: 3.3, units: 'V', outcome: 'UNSET', undeclared: true, reason: 'not declared in procedure.yaml: no limits to check it against' },
];

/** Shapes the check leaves to the schema (valid, but not plain). */
const notPlain = [
  {
    name: 'ramp',
    value: [
      [0, 1.2],
      [1, 1.3],
    ],
    units: 'V',
    dimensions: [{ name: 't', units: 's' }],
    outcome: 'PASS',
  },
  { name: 'id', value: 'A', validator: { kind: 'equals', value: 'A', caseSensitive: true }, outcome: 'PASS' },
  { name: 'id', value: 'A', validator: { kind: 'equals', value: 'A' }, outcome: 'PASS' },
  { name: 's', value: [[1]], aggregates: { min: 1 }, validator: { kind: 'series', aggregates: {} }, outcome: 'PASS' },
];

const JUNK: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  '',
  'x',
  'PASS',
  'range',
  true,
  false,
  [],
  [[1]],
  {},
  { kind: 'range' },
  { kind: 'equals' },
];
const KEYS = ['name', 'value', 'units', 'outcome', 'reason', 'failureCode', 'marginal', 'undeclared', 'validator', 'dimensions', 'aggregates', 'extra'];
const VKEYS = ['kind', 'lower', 'upper', 'lowerInclusive', 'upperInclusive', 'marginalLower', 'marginalUpper', 'value', 'extra'];

function mutate(rand: () => number, m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(m);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (r < 0.35) out[pick(KEYS)] = pick(JUNK);
  else if (r < 0.5) delete out[pick(KEYS)];
  else if (r < 0.85 && typeof out.validator === 'object' && out.validator !== null) (out.validator as Record<string, unknown>)[pick(VKEYS)] = pick(JUNK);
  else out.validator = pick(JUNK);
  return out;
}

describe('isPlainMeasurement', () => {
  test('accepts the common shapes, each exactly as the schema returns it', () => {
    for (const m of plain) {
      expect(isPlainMeasurement(m)).toBe(true);
      expect(MeasurementSchema.parse(m)).toEqual(m);
    }
  });

  test('leaves series, other validators and defaults to the schema', () => {
    for (const m of notPlain) {
      expect(MeasurementSchema.safeParse(m).success).toBe(true);
      expect(isPlainMeasurement(m)).toBe(false);
    }
  });

  test('never accepts what the schema refuses or would change (20 000 seeded mutations)', () => {
    const rand = mulberry32(20261122);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const m = mutate(rand, plain[i % plain.length]!);
      if (!isPlainMeasurement(m)) continue;
      accepted++;
      const parsed = MeasurementSchema.safeParse(m);
      expect(parsed.success, JSON.stringify(m)).toBe(true);
      expect(parsed.data, JSON.stringify(m)).toEqual(m);
    }
    // The mutations must reach both sides of the check.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19_000);
  });
});

describe('isPlainMeasured', () => {
  const schema = EventDataSchemas['run.measured'];
  test('takes a run.measured event of plain measurements as the schema does', () => {
    const d = { index: 2, phase: 'rail_3v3', measurements: plain };
    expect(isPlainMeasured(d)).toBe(true);
    expect(schema.parse(d)).toEqual(d);
  });

  test.each([
    ['no measurements', { index: 2, phase: 'p', measurements: [] }],
    ['a fractional index', { index: 2.5, phase: 'p', measurements: plain }],
    ['no phase', { index: 2, measurements: plain }],
    ['an unknown key', { index: 2, phase: 'p', measurements: plain, extra: 1 }],
    ['one bad measurement', { index: 2, phase: 'p', measurements: [...plain, { name: '', value: 1, outcome: 'PASS' }] }],
    ['one series', { index: 2, phase: 'p', measurements: [...plain, notPlain[0]] }],
  ])('leaves %s to the schema', (_what, d) => {
    expect(isPlainMeasured(d)).toBe(false);
  });
});

describe('isPlainRunnerPhaseEnded', () => {
  const base = {
    index: 5,
    name: 'rail_3v3',
    group: 'main',
    attempt: 1,
    outcome: 'FAIL',
    startedAt: '2026-11-22T09:00:00.000Z',
    endedAt: '2026-11-22T09:00:00.100Z',
    durationMs: 100.5,
    measurements: [0, 1, plain[5]],
    logs: [0, { level: 'debug', ts: '2026-11-22T09:00:00.050Z', message: 'I/O trace', source: 'io-trace' }],
  };
  const ends = [
    { phase: base },
    { phase: { ...base, outcome: 'ERROR', error: { kind: 'exception', message: 'boom', stack: 'Error: boom' }, failureCode: 'RAIL' } },
    { phase: { ...base, outcome: 'ERROR', error: { kind: 'undeclared-measurement', message: 'measurement "x" is not declared', source: 'phases.ts:5' } } },
    { phase: { ...base, group: 'teardown', outcome: 'SKIP', measurements: [], logs: [] } },
  ];
  const KEYS2 = [
    'index',
    'name',
    'group',
    'attempt',
    'outcome',
    'startedAt',
    'endedAt',
    'durationMs',
    'measurements',
    'logs',
    'error',
    'failureCode',
    'params',
    'attachments',
    'extra',
  ];
  const JUNK2: unknown[] = [
    ...JUNK,
    -3,
    0,
    2,
    [0, 1],
    [-1],
    [plain[0]],
    [{ level: 'info', ts: 't' }],
    { kind: 'timeout', message: 'm' },
    { kind: 'exception', message: 'm', source: 'phases.ts:6' },
    { kind: 'exception', message: 'm', source: 6 },
    { kind: 'nope', message: 'm' },
    'setup',
    'ABORTED',
  ];

  test('takes the common phase ends exactly as the schema returns them; leaves params, attachments and a missing group to it', () => {
    for (const d of ends) {
      expect(isPlainRunnerPhaseEnded(d)).toBe(true);
      expect(RunnerPhaseEndedSchema.parse(d)).toEqual(d);
    }
    const { group: _g, ...noGroup } = base;
    for (const p of [{ ...base, params: { rail: '3V3' } }, { ...base, attachments: [] }, noGroup]) {
      expect(RunnerPhaseEndedSchema.safeParse({ phase: p }).success).toBe(true);
      expect(isPlainRunnerPhaseEnded({ phase: p })).toBe(false);
    }
  });

  test('never accepts what the schema refuses or would change (20 000 seeded mutations)', () => {
    const rand = mulberry32(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = structuredClone(ends[i % ends.length]!) as { phase: Record<string, unknown> };
      const r = rand();
      if (r < 0.45) d.phase[pick(KEYS2)] = pick(JUNK2);
      else if (r < 0.6) delete d.phase[pick(KEYS2)];
      else if (r < 0.8) (d.phase.measurements as unknown[]).push(pick(JUNK2));
      else (d.phase.logs as unknown[]).push(pick(JUNK2));
      if (!isPlainRunnerPhaseEnded(d)) continue;
      accepted++;
      const parsed = RunnerPhaseEndedSchema.safeParse(d);
      expect(parsed.success, JSON.stringify(d)).toBe(true);
      expect(parsed.data, JSON.stringify(d)).toEqual(d);
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19_000);
  });
});

describe('isPlainPhaseStarted', () => {
  const schema = EventDataSchemas['run.phaseStarted'];
  const base = { index: 3, name: 'rail_3v3', attempt: 1, timeoutMs: 60_000, startedAt: '2026-11-22T09:00:00.000Z' };
  const KEYS3 = ['index', 'name', 'attempt', 'timeoutMs', 'startedAt', 'extra'];

  test('takes a phase start exactly as the schema returns it', () => {
    expect(isPlainPhaseStarted(base)).toBe(true);
    expect(schema.parse(base)).toEqual(base);
  });

  test('never accepts what the schema refuses or would change (5 000 seeded mutations)', () => {
    const rand = mulberry32(20261204);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    let accepted = 0;
    for (let i = 0; i < 5_000; i++) {
      const d: Record<string, unknown> = { ...base };
      if (rand() < 0.3) delete d[pick(KEYS3)];
      else d[pick(KEYS3)] = pick([...JUNK, 7, 12.5, '2026-11-22']);
      if (!isPlainPhaseStarted(d)) continue;
      accepted++;
      const parsed = schema.safeParse(d);
      expect(parsed.success, JSON.stringify(d)).toBe(true);
      expect(parsed.data, JSON.stringify(d)).toEqual(d);
    }
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(4_900);
  });
});

describe('isPlainEventsMessage', () => {
  const base = { type: 'events', runId: 'r1', events: [{ kind: 'run.phaseStarted', data: { index: 0 } }, { kind: 'run.logged', data: null }] };

  test('takes an events message exactly as FromRunnerSchema returns it', () => {
    expect(isPlainEventsMessage(base)).toBe(true);
    expect(FromRunnerSchema.parse(base)).toEqual(base);
  });

  test('never accepts what the schema refuses or would change (5 000 seeded mutations)', () => {
    const rand = mulberry32(20261205);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = [...JUNK, 'events', 'loaded', [{ kind: 'x' }], [{ kind: 1, data: 1 }], [{ kind: 'x', data: 1, extra: 1 }], [{ data: 1 }]];
    let accepted = 0;
    for (let i = 0; i < 5_000; i++) {
      const m: Record<string, unknown> = structuredClone(base);
      const r = rand();
      if (r < 0.2) delete m[pick(['type', 'runId', 'events'])];
      else if (r < 0.5) m[pick(['type', 'runId', 'events', 'extra'])] = pick(junk);
      else if (r < 0.8) (m.events as Record<string, unknown>[])[0]![pick(['kind', 'data', 'extra'])] = pick(junk);
      else delete (m.events as Record<string, unknown>[])[1]![pick(['kind', 'data'])];
      if (!isPlainEventsMessage(m)) continue;
      accepted++;
      const parsed = FromRunnerSchema.safeParse(m);
      expect(parsed.success, JSON.stringify(m)).toBe(true);
      expect(parsed.data, JSON.stringify(m)).toEqual(m);
    }
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(4_900);
  });
});
