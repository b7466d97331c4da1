/**
 * With 100,000 stored runs of 10 measurements each (one procedure; 1 in 20 a FAIL, half of
 * those retested, 1 in 200 an ERROR, 1 in 100 a reference unit; values with noise):
 * stats.yield_100k_ms — `stats.yield` for the procedure over all runs, grouped by shift, as the
 *   station answers it (its runs cache warm: after the first query), median of 21; beside it
 *   cold_ms, the first query in a fresh process's service (the runs read from SQLite).
 * stats.spc_100k_ms — `stats.spc` for one measurement (100,000 points): every figure, histogram,
 *   I-MR limits and all eight rules, median of 21; beside it cold_ms (runs cache not loaded).
 * The values were indexed and packed into blocks first, as the station does between runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { StatsService, type StatsSettings } from '#station/stats/service.ts';
import { indexFinishedRuns, packStatValues } from '#station/stats/stat-writer.ts';
import { DEFAULT_SHIFTS } from '#contract/stats.ts';
import type { Measurement, PhaseRecord, RunOutcome } from '#contract/records.ts';
import { median, report, spreadOf, wanted } from '../lib/report.ts';

const N = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));

/** A small fast PRNG, so every run of the bench stores the same data. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seed(): number {
  const t0 = performance.now();
  const db = openDatabase(dir);
  const repo = new RunsRepo(db);
  db.exec('PRAGMA synchronous = OFF');
  const r = rng(7);
  const noise = () => (r() + r() + r() + r() - 2) * 0.02;
  const start = Date.UTC(2026, 0, 1);
  let k = 0;
  let serial = 0;
  while (k < N) {
    repo.transaction(() => {
      for (let b = 0; b < 1000 && k < N; b++) {
        const ref = serial % 100 === 0;
        const sn = ref ? `GOLD-${serial % 7}` : `SN-${String(serial).padStart(7, '0')}`;
        const roll = r();
        const outcome: RunOutcome = roll < 0.005 ? 'ERROR' : roll < 0.055 ? 'FAIL' : 'PASS';
        const attempts: RunOutcome[] = outcome === 'FAIL' && r() < 0.5 ? ['FAIL', 'PASS'] : [outcome];
        for (const o of attempts) {
          if (k >= N) break;
          const t = new Date(start + k * 30_000).toISOString();
          const id = `00000000-0000-7000-8000-${String(k).padStart(12, '0')}`;
          repo.insertRun({
            id,
            stationId: 'bench',
            socket: k % 2,
            appVersion: '0.1.0',
            operatorId: `op-${k % 7}`,
            procedure: { id: 'demo-board', name: 'Demo board functional test', version: k < N / 2 ? '1.0.0' : '1.1.0', hash: 'f'.repeat(64) },
            unit: { serialNumber: sn, partNumber: `PN-${k % 3}` },
            startedAt: t,
          });
          const phases: PhaseRecord[] = [];
          for (let p = 0; p < 2; p++) {
            const ms: Measurement[] = [];
            for (let j = 0; j < 5; j++) {
              const value = 3.3 + j * 0.1 + noise() + (o === 'FAIL' && p === 0 && j === 0 ? 0.2 : 0);
              const upper = 3.4 + j * 0.1;
              ms.push({ name: `m${j}`, value, units: 'V', validator: { kind: 'range', lower: 3.2 + j * 0.1, upper }, outcome: value > upper ? 'FAIL' : 'PASS' });
            }
            phases.push({ index: p, name: `phase_${p}`, group: 'main', attempt: 1, outcome: o === 'FAIL' && p === 0 ? 'FAIL' : 'PASS', startedAt: t, endedAt: t, durationMs: 600, measurements: ms, logs: [] });
          }
          repo.finishRun(id, { outcome: o, endedAt: t, durationMs: 1200 + Math.round(r() * 400) }, phases, []);
          k++;
        }
        serial++;
      }
    });
  }
  while (indexFinishedRuns(db, 5000) > 0);
  while (packStatValues(db, 262_144) > 0);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return (performance.now() - t0) / 1000;
}

const settings: StatsSettings = { shifts: DEFAULT_SHIFTS, referenceSerialPattern: '^GOLD-', spcRules: [1, 2, 3, 4, 5, 6, 7, 8], yieldAlert: { minFirstPassYield: null, window: 50 } };

try {
  const seedS = seed();
  const db = openDatabase(dir);
  const time = (f: () => unknown): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  if (wanted('stats.yield_100k_ms')) {
    const cold = time(() => new StatsService(db, () => settings).yield({ procedureId: 'demo-board', groupBy: 'shift' }));
    const service = new StatsService(db, () => settings);
    service.yield({ procedureId: 'demo-board' });
    const xs: number[] = [];
    let units = 0;
    for (let i = 0; i < 21; i++)
      xs.push(
        time(() => {
          units = service.yield({ procedureId: 'demo-board', groupBy: 'shift' }).total.unitsTested;
        }),
      );
    report('stats.yield_100k_ms', median(xs), 'ms', 100, { ...spreadOf(xs), cold_ms: Math.round(cold), runs: N, units, seed_s: Math.round(seedS) });
  }
  if (wanted('stats.spc_100k_ms')) {
    const input = { procedureId: 'demo-board', measurement: 'phase_0.m1', maxPoints: 10_000 };
    const cold = time(() => new StatsService(db, () => settings).spc(input));
    const service = new StatsService(db, () => settings);
    let n = 0;
    const xs: number[] = [];
    for (let i = 0; i < 22; i++) {
      const ms = time(() => {
        n = service.spc(input).segments.reduce((a, s) => a + s.n, 0);
      });
      if (i > 0) xs.push(ms);
    }
    report('stats.spc_100k_ms', median(xs), 'ms', 150, { ...spreadOf(xs), cold_ms: Math.round(cold), points: n, rules: 8 });
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
