import { v7 as uuidv7 } from 'uuid';
import type { PhaseRecord, RunRecord } from '#contract/records.ts';

/** A run as the socket journals it at start. */
export function runStart(serial: string, startedAt = new Date().toISOString()): Omit<RunRecord, 'phases' | 'outcome'> {
  return {
    id: uuidv7(),
    stationId: 'station-t',
    socket: 0,
    appVersion: '0.0.0-test',
    procedure: { id: 'quick', name: 'Quick fixture', version: '1.0.0', hash: 'f'.repeat(64) },
    unit: { serialNumber: serial },
    startedAt,
  };
}

/** A finished phase with one measurement. */
export function phase(index: number, name: string, outcome: PhaseRecord['outcome'] = 'PASS', endedAt = new Date().toISOString()): PhaseRecord {
  return {
    index,
    name,
    group: 'main',
    attempt: 1,
    outcome,
    startedAt: endedAt,
    endedAt,
    durationMs: 1.5,
    measurements: [{ name: `${name}_v`, value: 1.5, units: 'V', outcome: outcome === 'FAIL' ? 'FAIL' : 'PASS' }],
    logs: [{ level: 'info', ts: endedAt, message: `${name} ran` }],
  };
}
