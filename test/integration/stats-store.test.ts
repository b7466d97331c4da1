/**
 * Statistics over a real store (SQLite file, runs written by the RunsRepo as the station does):
 * yield with retests, ERROR/ABORTED runs and reference units; the Pareto and the runs behind a
 * bar; SPC per limit version with the journal and the packed blocks giving the same figures;
 * series; the shift figure; drift alerts. Expected figures are counted by hand from the runs
 * written here (written out beside each expectation).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { DatabaseSync } from 'node:sqlite';
import type { Measurement, PhaseRecord, RunOutcome } from '#contract/records.ts';
import type { StatsAlertEvent } from '#contract/stats.ts';
import { DEFAULT_SHIFTS } from '#contract/stats.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { AuditLog } from '#station/store/audit.ts';
import { InventoryRepo } from '#station/store/inventory-repo.ts';
import { StatsService, type StatsSettings } from '#station/stats/service.ts';
import { AlertMonitor } from '#station/stats/alerts.ts';
import { journalRows, packStatValues } from '#station/stats/stat-writer.ts';
import { LocalClock } from '#station/stats/time.ts';
import { runStart } from '../helpers/records.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function store(): { db: DatabaseSync; repo: RunsRepo } {
  const t = tempDir('passline-stats-');
  const db = openDatabase(t.dir);
  cleanups.push(t.remove, () => db.close());
  return { db, repo: new RunsRepo(db) };
}

const T0 = Date.UTC(2026, 2, 2, 7, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const v = (value: number, upper = 3.4, extra: Partial<Measurement> = {}): Measurement => ({
  name: 'v',
  value,
  units: 'V',
  validator: { kind: 'range', lower: 3.2, upper },
  outcome: value >= 3.2 && value <= upper ? 'PASS' : 'FAIL',
  ...extra,
});

interface RunSpec {
  serial: string;
  minute: number;
  outcome: RunOutcome;
  socket?: number;
  version?: string;
  durationMs?: number;
  measurements?: Measurement[];
  phases?: PhaseRecord[];
  part?: string;
  operator?: string;
}

function addRun(repo: RunsRepo, r: RunSpec): string {
  const start = runStart(r.serial, at(r.minute));
  const rec = {
    ...start,
    socket: r.socket ?? 0,
    procedure: { ...start.procedure, version: r.version ?? '1.0.0' },
    unit: { serialNumber: r.serial, ...(r.part ? { partNumber: r.part } : {}) },
    ...(r.operator ? { operatorId: r.operator } : {}),
  };
  repo.insertRun(rec);
  const t = at(r.minute);
  const phases = r.phases ?? [
    {
      index: 0,
      name: 'rail',
      group: 'main' as const,
      attempt: 1,
      outcome: r.outcome === 'FAIL' ? ('FAIL' as const) : ('PASS' as const),
      startedAt: t,
      endedAt: t,
      durationMs: 1,
      measurements: r.measurements ?? [v(3.3)],
      logs: [],
    },
  ];
  repo.finishRun(rec.id, { outcome: r.outcome, endedAt: t, durationMs: r.durationMs ?? 1000 }, phases, []);
  return rec.id;
}

const settings = (over: Partial<StatsSettings> = {}): StatsSettings => ({
  shifts: DEFAULT_SHIFTS,
  referenceSerialPattern: '^GOLD-',
  spcRules: [1, 2, 3, 4],
  yieldAlert: { minFirstPassYield: null, window: 50 },
  ...over,
});
const utc = new LocalClock(() => 0);

describe('yield', () => {
  function line() {
    const s = store();
    const ids = {
      u1: addRun(s.repo, { serial: 'U1', minute: 0, outcome: 'PASS', durationMs: 1000 }),
      u2a: addRun(s.repo, { serial: 'U2', minute: 10, outcome: 'FAIL', durationMs: 2000 }),
      u3a: addRun(s.repo, { serial: 'U3', minute: 20, outcome: 'ERROR', durationMs: 99 }),
      u2b: addRun(s.repo, { serial: 'U2', minute: 30, outcome: 'PASS', durationMs: 3000 }),
      u3b: addRun(s.repo, { serial: 'U3', minute: 40, outcome: 'FAIL', durationMs: 4000 }),
      u4: addRun(s.repo, { serial: 'U4', minute: 50, outcome: 'ABORTED', durationMs: 98 }),
      g1: addRun(s.repo, { serial: 'GOLD-1', minute: 60, outcome: 'PASS', durationMs: 500 }),
      g2: addRun(s.repo, { serial: 'GOLD-1', minute: 70, outcome: 'PASS', durationMs: 500 }),
      u5: addRun(s.repo, { serial: 'U5', minute: 480, outcome: 'PASS', socket: 1, version: '1.1.0', durationMs: 5000 }),
    };
    return { ...s, ids, stats: new StatsService(s.db, () => settings(), { clock: utc }) };
  }

  test('first pass, final, retest, volume and test time; ERROR and ABORTED are no attempt; reference units apart', () => {
    const { stats } = line();
    const y = stats.yield({ procedureId: 'quick' });
    // Units with a PASS/FAIL run: U1 U2 U3 U5 (U4 only aborted). First attempts passed: U1, U5 (U3's is its FAIL after the ERROR).
    // Last attempts passed: U1, U2, U5. Tested again: U2. Runs: 7 (9 minus the two of GOLD-1).
    // Test time over PASS/FAIL runs: 1000 2000 3000 4000 5000: mean 3000, p95 the 5th of 5 (nearest rank).
    expect(y.total).toEqual({
      unitsTested: 4,
      firstPassUnits: 2,
      finalPassUnits: 3,
      retestedUnits: 1,
      firstPassYield: 0.5,
      finalYield: 0.75,
      retestRate: 0.25,
      runs: 7,
      passRuns: 3,
      failRuns: 2,
      errorRuns: 1,
      abortedRuns: 1,
      meanTestMs: 3000,
      p95TestMs: 5000,
    });
    expect(y.reference).toMatchObject({ unitsTested: 1, firstPassUnits: 1, retestedUnits: 1, runs: 2, firstPassYield: 1 });
    expect(y.rows).toEqual([]);
  });

  test('per socket, version and shift; a unit is in the group of its first attempt', () => {
    const { stats } = line();
    const bySocket = stats.yield({ procedureId: 'quick', groupBy: 'socket' }).rows;
    expect(bySocket.map((r) => [r.key, r.unitsTested, r.firstPassUnits, r.runs])).toEqual([
      ['0', 3, 1, 6],
      ['1', 1, 1, 1],
    ]);
    const byVersion = stats.yield({ procedureId: 'quick', groupBy: 'procedureVersion' }).rows;
    expect(byVersion.map((r) => [r.key, r.unitsTested])).toEqual([
      ['1.0.0', 3],
      ['1.1.0', 1],
    ]);
    // 07:00–08:10 UTC is shift A (06:00), 15:00 is shift B (14:00); the clock here is UTC.
    const byShift = stats.yield({ procedureId: 'quick', groupBy: 'shift' }).rows;
    expect(byShift.map((r) => [r.key, r.unitsTested])).toEqual([
      ['A', 3],
      ['B', 1],
    ]);
    // GOLD-1's runs at 08:00 and 08:10 are reference units: no row of their own.
    expect(stats.yield({ procedureId: 'quick', groupBy: 'hour' }).rows.map((r) => r.key)).toEqual(['2026-03-02T07', '2026-03-02T15']);
    expect(stats.yield({ procedureId: 'quick', groupBy: 'day' }).rows.map((r) => r.key)).toEqual(['2026-03-02']);
    expect(stats.yield({ procedureId: 'quick', version: '1.1.0' }).total).toMatchObject({ unitsTested: 1, runs: 1 });
    expect(stats.yield({ procedureId: 'quick', version: 'nope' }).total).toMatchObject({ unitsTested: 0, runs: 0, firstPassYield: null });
  });

  test('per fixture and operator, as recorded with the run; none recorded is its own row, last', () => {
    const { db, ids } = line();
    const inv = new InventoryRepo(db);
    inv.annotate(ids.u1, { fixtureId: 'FX-7' });
    inv.annotate(ids.u2a, { fixtureId: 'FX-7' });
    inv.annotate(ids.u5, { fixtureId: 'FX-2' });
    const fresh = new StatsService(db, () => settings(), { clock: utc });
    expect(fresh.yield({ procedureId: 'quick', groupBy: 'fixture' }).rows.map((r) => [r.key, r.unitsTested, r.runs])).toEqual([
      ['FX-2', 1, 1],
      ['FX-7', 2, 2],
      ['', 1, 4],
    ]);
  });

  test('a time range: units first tested in it; the final outcome as of its end', () => {
    const { stats } = line();
    // From 07:15: U2's first attempt (07:10) is before: not a unit of the range, its retest is volume.
    const later = stats.yield({ procedureId: 'quick', from: at(15) }).total;
    expect(later).toMatchObject({ unitsTested: 2, firstPassUnits: 1, runs: 5 });
    // Up to 07:25: U2 has failed once and not yet been retested.
    const early = stats.yield({ procedureId: 'quick', to: at(25) }).total;
    expect(early).toMatchObject({ unitsTested: 2, firstPassUnits: 1, finalPassUnits: 1, retestedUnits: 0, runs: 3 });
    expect(() => stats.yield({ procedureId: 'quick', from: at(30), to: at(10) })).toThrow(/to: .* is not after from/);
  });

  test('runs stored after the first query are counted (the cache follows the store)', () => {
    const { stats, repo } = line();
    expect(stats.yield({ procedureId: 'quick' }).total.unitsTested).toBe(4);
    addRun(repo, { serial: 'U6', minute: 500, outcome: 'FAIL' });
    addRun(repo, { serial: 'U1', minute: 510, outcome: 'FAIL' });
    const y = stats.yield({ procedureId: 'quick' }).total;
    // U6 is a new unit (first attempt FAIL); U1 is tested again and its last attempt now fails.
    expect(y).toMatchObject({ unitsTested: 5, firstPassUnits: 2, finalPassUnits: 2, retestedUnits: 2, runs: 9 });
    // An import of an older run reloads the procedure in order.
    addRun(repo, { serial: 'U0', minute: -60, outcome: 'PASS' });
    expect(stats.yield({ procedureId: 'quick' }).total).toMatchObject({ unitsTested: 6, firstPassUnits: 3, runs: 10 });
  });

  test('the current shift for the header: first attempts since the shift began, every procedure', () => {
    const { stats } = line();
    // 15:30 UTC is in shift B (from 14:00): only U5 started since.
    expect(stats.shift(T0 + 8.5 * 3_600_000)).toEqual({
      shift: 'B',
      since: '2026-03-02T14:00:00.000Z',
      unitsTested: 1,
      firstPassUnits: 1,
      firstPassYield: 1,
    });
    // 05:00 the next morning is still shift C, which began at 22:00.
    expect(stats.shift(Date.UTC(2026, 2, 3, 5, 0)).since).toBe('2026-03-02T22:00:00.000Z');
  });
});

describe('Pareto of failures', () => {
  test('by measurement, phase and failure code, each bar with its runs', () => {
    const s = store();
    const t = at(0);
    const ph = (name: string, outcome: PhaseRecord['outcome'], measurements: Measurement[], failureCode?: string): PhaseRecord => ({
      index: name === 'boot' ? 0 : 1,
      name,
      group: 'main',
      attempt: 1,
      outcome,
      startedAt: t,
      endedAt: t,
      durationMs: 1,
      measurements,
      logs: [],
      ...(failureCode ? { failureCode } : {}),
    });
    const i = (value: number, failureCode?: string): Measurement => ({ name: 'i', value, outcome: value > 1 ? 'FAIL' : 'PASS', ...(failureCode ? { failureCode } : {}) });
    const a = addRun(s.repo, { serial: 'A', minute: 0, outcome: 'FAIL', phases: [ph('rail', 'FAIL', [v(3.5)])] });
    const b = addRun(s.repo, { serial: 'B', minute: 1, outcome: 'FAIL', phases: [ph('rail', 'FAIL', [v(3.6), i(2, 'I_HIGH')])] });
    const c = addRun(s.repo, { serial: 'C', minute: 2, outcome: 'ERROR', phases: [ph('boot', 'ERROR', [], 'BOOT')] });
    addRun(s.repo, { serial: 'D', minute: 3, outcome: 'PASS' });
    addRun(s.repo, { serial: 'GOLD-2', minute: 4, outcome: 'FAIL', phases: [ph('rail', 'FAIL', [v(3.7)])] });
    const stats = new StatsService(s.db, () => settings(), { clock: utc });
    const byM = stats.pareto({ procedureId: 'quick', groupBy: 'measurement', limit: 20 });
    expect(byM.bars.map((x) => [x.key, x.count, x.runIds])).toEqual([
      ['rail.v', 2, [b, a]],
      ['rail.i', 1, [b]],
    ]);
    expect(byM).toMatchObject({ failures: 3, failedRuns: 3, runs: 4, otherCount: 0 });
    expect(byM.bars[0]).toMatchObject({ share: 2 / 3, cumulativeShare: 2 / 3, query: { procedureId: 'quick', groupBy: 'measurement', key: 'rail.v' } });
    expect(stats.pareto({ procedureId: 'quick', groupBy: 'phase', limit: 20 }).bars.map((x) => [x.key, x.count])).toEqual([
      ['rail', 2],
      ['boot', 1],
    ]);
    expect(stats.pareto({ procedureId: 'quick', groupBy: 'failureCode', limit: 20 }).bars.map((x) => [x.key, x.count])).toEqual([
      ['', 1],
      ['BOOT', 1],
      ['I_HIGH', 1],
    ]);
    const limited = stats.pareto({ procedureId: 'quick', groupBy: 'measurement', limit: 1 });
    expect([limited.bars.length, limited.otherCount]).toEqual([1, 1]);
    const behind = stats.failureRuns({ procedureId: 'quick', groupBy: 'measurement', key: 'rail.v', limit: 50 }).runs;
    expect(behind.map((r) => [r.id, r.serialNumber, r.outcome])).toEqual([
      [b, 'B', 'FAIL'],
      [a, 'A', 'FAIL'],
    ]);
    expect(stats.failureRuns({ procedureId: 'quick', groupBy: 'phase', key: 'boot', limit: 50 }).runs.map((r) => r.id)).toEqual([c]);
    expect(stats.failureRuns({ procedureId: 'quick', groupBy: 'measurement', key: 'rail.v', limit: 50, before: at(1) }).runs.map((r) => r.id)).toEqual([a]);
  });
});

describe('SPC', () => {
  function spcLine() {
    const s = store();
    // Limits 3.2..3.4: 3.30 3.32 3.28 3.31 3.29; an ERROR run and a reference unit are left out.
    const first = [3.3, 3.32, 3.28, 3.31, 3.29];
    first.forEach((x, k) => addRun(s.repo, { serial: `S${k}`, minute: k, outcome: x > 3.4 ? 'FAIL' : 'PASS', measurements: [v(x)] }));
    addRun(s.repo, { serial: 'E1', minute: 5, outcome: 'ERROR', measurements: [v(9)] });
    addRun(s.repo, { serial: 'GOLD-9', minute: 6, outcome: 'PASS', measurements: [v(3.9)] });
    // Then the upper limit becomes 3.35: 3.34 3.36 (outside, a FAIL run).
    addRun(s.repo, { serial: 'S5', minute: 10, outcome: 'PASS', measurements: [v(3.34, 3.35)] });
    addRun(s.repo, { serial: 'S6', minute: 11, outcome: 'FAIL', measurements: [v(3.36, 3.35)] });
    const audit = new AuditLog(s.db);
    audit.append({
      actor: 'SUP-1',
      action: 'procedure.changed',
      procedureId: 'quick',
      at: at(9),
      details: { reason: 'tighter', changes: [{ path: ['phases', 'rail', 'measurements', 'v', 'upper'], from: 3.4, to: 3.35, words: 'rail · v upper 3.4 → 3.35' }] },
    });
    return { ...s, stats: new StatsService(s.db, () => settings(), { clock: utc, audit }) };
  }

  test('one segment per limit version, figures as the formulas give them (by hand)', () => {
    const { stats } = spcLine();
    const r = stats.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 10_000 });
    expect(r.segments).toHaveLength(2);
    expect(r.excluded).toEqual({ errorOrAborted: 1, reference: 1, notNumeric: 0 });
    const [a, b] = r.segments;
    // mean 16.5/5 = 3.3; deviations 0 .02 −.02 .01 −.01: Σd² = 0.001, /4 → σ = 0.0158114
    // moving ranges .02 .04 .03 .02 → MR̄ = 0.0275, σ_within = 0.0275/1.128 = 0.0243794
    expect(a!.n).toBe(5);
    expect(a!.mean).toBeCloseTo(3.3, 12);
    expect(a!.sigmaOverall).toBeCloseTo(0.0158114, 6);
    expect(a!.mrBar).toBeCloseTo(0.0275, 12);
    expect(a!.sigmaWithin).toBeCloseTo(0.0243794, 6);
    // Cp = 0.2·1.128/(6·0.0275) = 1.367273; Cpk = 0.1·1.128/(3·0.0275), the same (centred); Pp = 0.2/(6·0.0158114) = 2.108185
    expect(a!.cp).toBeCloseTo(1.367273, 5);
    expect(a!.cpk).toBeCloseTo(1.367273, 5);
    expect(a!.pp).toBeCloseTo(2.108185, 5);
    expect(a!.individuals!.ucl).toBeCloseTo(3.3 + 3 * 0.0243794, 6);
    expect(a!.limits).toMatchObject({ lower: 3.2, upper: 3.4 });
    expect(a!.points.value).toEqual([3.3, 3.32, 3.28, 3.31, 3.29]);
    expect(a!.points.mr[0]).toBeNull();
    expect(b!.n).toBe(2);
    expect(b!.limits.upper).toBe(3.35);
    expect([b!.outside, b!.pctOutside]).toEqual([1, 50]);
    expect(b!.points.outcome).toEqual(['PASS', 'FAIL']);
    // The change is in the audit trail, and starts the second segment.
    expect(r.limitChanges).toEqual([
      { at: at(9), source: 'audit', auditSeq: 1, actor: 'SUP-1', reason: 'tighter', changes: [{ field: 'upper', before: 3.4, after: 3.35 }], segment: 1 },
    ]);
  });

  test('the same figures from the journal and from packed blocks; a retried phase counts its last attempt', () => {
    const { stats, db, repo } = spcLine();
    const t = at(20);
    const retried = (attempt: number, value: number): PhaseRecord => ({
      index: 0,
      name: 'rail',
      group: 'main',
      attempt,
      outcome: 'PASS',
      startedAt: t,
      endedAt: t,
      durationMs: 1,
      measurements: [v(value, 3.35)],
      logs: [],
    });
    addRun(repo, { serial: 'S7', minute: 20, outcome: 'PASS', phases: [retried(1, 3.9), retried(2, 3.33)] });
    const before = stats.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 10_000 });
    expect(before.segments[1]!.points.value).toEqual([3.34, 3.36, 3.33]);
    expect(journalRows(db)).toBeGreaterThan(0);
    expect(packStatValues(db)).toBeGreaterThan(0);
    expect(journalRows(db)).toBe(0);
    expect(stats.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 10_000 })).toEqual(before);
    // Only the newest points are sent when asked; the figures still cover all.
    const few = stats.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 2 }).segments[0]!;
    expect([few.n, few.points.offset, few.points.value]).toEqual([5, 3, [3.31, 3.29]]);
  });

  test('an index that fell behind the feed is made again from the phases, with the same figures and no point twice', () => {
    const { stats, db } = spcLine();
    stats.refresh();
    packStatValues(db);
    // Read once, so the packed blocks are kept in memory.
    const before = stats.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 10_000 });
    // As if 50,000 runs had finished unindexed: the feed no longer reaches back to the mark.
    db.exec(`UPDATE stat_meta SET value = 0; DELETE FROM stat_changes WHERE seq < (SELECT max(seq) FROM stat_changes)`);
    expect(stats.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 10_000 })).toEqual(before);
  });

  test('an unknown measurement is named; the measurements list counts what is stored', () => {
    const { stats } = spcLine();
    expect(() => stats.spc({ procedureId: 'quick', measurement: 'rail.nope', maxPoints: 10 })).toThrow(/measurement: no numeric values of "rail.nope"/);
    expect(stats.measurements({ procedureId: 'quick' }).measurements).toEqual([
      { measurement: 'rail.v', phase: 'rail', name: 'v', units: 'V', count: 9, lastAt: at(11) },
    ]);
  });
});

describe('series', () => {
  test('the newest runs with a multi-dimensional measurement, filtered by part number', () => {
    const s = store();
    const sweep = (k: number): Measurement => ({
      name: 'curve',
      value: [
        [1, k],
        [2, k + 1],
      ],
      dimensions: [
        { name: 'f', units: 'Hz' },
        { name: 'gain', units: 'dB' },
      ],
      outcome: 'PASS',
    });
    for (let k = 0; k < 4; k++) addRun(s.repo, { serial: `W${k}`, minute: k, outcome: 'PASS', part: k % 2 ? 'PN-B' : 'PN-A', measurements: [sweep(k)] });
    const stats = new StatsService(s.db, () => settings(), { clock: utc });
    const r = stats.series({ procedureId: 'quick', measurement: 'rail.curve', partNumber: 'PN-A', limit: 50 });
    expect(r.series.map((x) => [x.serialNumber, x.points[0]])).toEqual([
      ['W2', [1, 2]],
      ['W0', [1, 0]],
    ]);
    expect(r.series[0]!.dimensions[1]).toEqual({ name: 'gain', units: 'dB' });
  });
});

describe('drift alerts', () => {
  test('a rule raised on the newest point, kept while it fires, cleared after fifteen quiet points', () => {
    const s = store();
    const events: StatsAlertEvent[] = [];
    const stats = new StatsService(s.db, () => settings({ spcRules: [2] }), { clock: utc });
    const monitor = new AlertMonitor(s.db, stats.runs, () => settings({ spcRules: [2] }), (e) => events.push(e));
    let minute = 0;
    const run = (x: number, socket = 0) => {
      addRun(s.repo, { serial: `D${minute}`, minute: minute++, outcome: 'PASS', socket, measurements: [v(x)] });
      // As the station does after each run: index its values, then check.
      stats.refresh();
      monitor.check();
    };
    // 30 points alternating around 3.30: no run of nine on one side.
    for (let k = 0; k < 30; k++) run(k % 2 ? 3.29 : 3.31);
    expect(events).toEqual([]);
    // Nine in a row above the centre line (socket 1 for the last ones).
    for (let k = 0; k < 9; k++) run(3.315, k > 5 ? 1 : 0);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ state: 'raised', alert: { kind: 'rule', rule: 2, measurement: 'rail.v', procedureId: 'quick', sockets: [0, 1], since: at(30) } });
    expect(monitor.current().map((a) => a.rule)).toEqual([2]);
    run(3.315);
    expect(events.at(-1)).toMatchObject({ state: 'raised', alert: { since: at(30), lastAt: at(39) } });
    for (let k = 0; k < 14; k++) run(k % 2 ? 3.35 : 3.25);
    expect(events.at(-1)!.state).toBe('raised');
    run(3.35);
    expect(events.at(-1)).toMatchObject({ state: 'cleared', alert: { rule: 2 } });
    expect(monitor.current()).toEqual([]);
  });

  test('yield below the threshold over the last units; cleared when it is back', () => {
    const s = store();
    const st = settings({ spcRules: [], yieldAlert: { minFirstPassYield: 0.8, window: 5 } });
    const events: StatsAlertEvent[] = [];
    const stats = new StatsService(s.db, () => st, { clock: utc });
    const monitor = new AlertMonitor(s.db, stats.runs, () => st, (e) => events.push(e));
    const outcomes: RunOutcome[] = ['PASS', 'PASS', 'PASS', 'PASS', 'FAIL', 'FAIL', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS'];
    outcomes.forEach((o, k) => {
      addRun(s.repo, { serial: `Y${k}`, minute: k, outcome: o });
      stats.refresh();
      monitor.check();
    });
    // After Y5: the last five first attempts are P P P F F: 60 % < 80 %. Back to 80 % at Y9 (F P P P P).
    expect(events.map((e) => [e.state, e.alert.value])).toEqual([
      ['raised', 0.6],
      ['raised', 0.6],
      ['raised', 0.6],
      ['raised', 0.6],
      ['cleared', 0.6],
    ]);
    expect(events[0]!.alert).toMatchObject({ id: 'yield:quick', kind: 'yield', threshold: 0.8, since: at(1) });
  });
});
