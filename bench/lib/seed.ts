import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { indexFinishedRuns, packStatValues } from '#station/stats/stat-writer.ts';
import type { Measurement, PhaseRecord } from '#contract/records.ts';

/** A finished phase with `n` numeric measurements, as the demo would record them. */
export function phaseWith(index: number, n: number, t: string): PhaseRecord {
  const measurements: Measurement[] = [];
  for (let j = 0; j < n; j++) {
    measurements.push({
      name: `m${j}`,
      value: 3.3 + j / 1000,
      units: 'V',
      validator: { kind: 'range', lower: 3.2, upper: 3.4 + j, lowerInclusive: true, upperInclusive: true },
      outcome: 'PASS',
    });
  }
  return { index, name: `phase_${index}`, group: 'main', attempt: 1, outcome: 'PASS', startedAt: t, endedAt: t, durationMs: 12.5, measurements, logs: [{ level: 'info', ts: t, message: `phase ${index} done` }] };
}

/** Writes `runs` finished runs (each `phases` x `perPhase` measurements) into a store at `dir`. */
export function seedStore(dir: string, runs: number, phases: number, perPhase: number): void {
  const db = openDatabase(dir);
  const repo = new RunsRepo(db);
  const t0 = Date.UTC(2026, 0, 1);
  db.exec('PRAGMA synchronous = OFF');
  for (let i = 0; i < runs; i += 1000) {
    repo.transaction(() => {
      for (let k = i; k < Math.min(runs, i + 1000); k++) {
        const t = new Date(t0 + k * 30_000).toISOString();
        const id = `00000000-0000-7000-8000-${String(k).padStart(12, '0')}`;
        repo.insertRun({
          id,
          stationId: 'bench',
          socket: 0,
          appVersion: '0.1.0',
          operatorId: `op-${k % 7}`,
          procedure: { id: 'demo-board', name: 'Demo board functional test', version: '1.0.0', hash: 'f'.repeat(64) },
          unit: { serialNumber: `SN-${String(k).padStart(7, '0')}`, partNumber: `PN-${k % 3}` },
          startedAt: t,
        });
        const ps: PhaseRecord[] = [];
        for (let p = 0; p < phases; p++) ps.push(phaseWith(p, perPhase, t));
        repo.finishRun(id, { outcome: k % 13 === 0 ? 'FAIL' : 'PASS', endedAt: t, durationMs: 1300 }, ps, []);
      }
    });
  }
  // The station indexes each run's measurement values after it and packs them between runs; a seeded store is left as it would.
  while (indexFinishedRuns(db, 5000) > 0);
  while (packStatValues(db, 262_144) > 0);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}
