import { randomUUID } from 'node:crypto';
import type { Measurement, PhaseRecord, RunRecord } from '#contract/records.ts';

/** A finished run as the station stores it: `phases` × `perPhase` numeric measurements with limits and units, one log per phase. */
export function benchRun(i: number, phases: number, perPhase: number): RunRecord {
  const t0 = Date.UTC(2026, 0, 1) + i * 1000;
  const iso = (ms: number): string => new Date(t0 + ms).toISOString();
  const out: PhaseRecord[] = [];
  for (let p = 0; p < phases; p++) {
    const measurements: Measurement[] = [];
    for (let m = 0; m < perPhase; m++) {
      measurements.push({
        name: `m_${p}_${m}`,
        value: 3.3 + ((i + m) % 7) / 1000,
        units: 'V',
        validator: { kind: 'range', lower: 3.2, upper: 3.4, lowerInclusive: true, upperInclusive: true },
        outcome: 'PASS',
      });
    }
    out.push({
      index: p,
      name: `phase_${p}`,
      group: 'main',
      attempt: 1,
      outcome: 'PASS',
      startedAt: iso(p * 10),
      endedAt: iso(p * 10 + 8),
      durationMs: 8,
      measurements,
      logs: [{ level: 'info', ts: iso(p * 10 + 1), message: `phase ${p}`, source: 'phases.ts:12' }],
    });
  }
  return {
    id: randomUUID(),
    stationId: 'bench',
    socket: 0,
    appVersion: '0.1.0',
    procedure: { id: 'bench', name: 'Bench', version: '1', hash: 'c'.repeat(64) },
    unit: { serialNumber: `BENCH-${i}`, partNumber: 'PCB-01' },
    startedAt: iso(0),
    endedAt: iso(phases * 10),
    durationMs: phases * 10,
    outcome: 'PASS',
    phases: out,
  };
}
