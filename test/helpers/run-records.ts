import { v7 as uuidv7 } from 'uuid';
import type { Measurement, PhaseRecord, RunRecord } from '#contract/records.ts';
import type { AttachmentWriter } from '#station/store/attachments.ts';

/** Finished run records as the station stores them, for the upload and format tests. */

const iso = (t: number): string => new Date(t).toISOString();

/** A plain run: `phases` phases of `perPhase` numeric measurements with limits, all passing unless `fail`. */
export function plainRun(serial: string, o: { phases?: number; perPhase?: number; fail?: boolean; startMs?: number } = {}): RunRecord {
  const phases = o.phases ?? 2;
  const per = o.perPhase ?? 3;
  const t0 = o.startMs ?? Date.UTC(2026, 0, 5, 8, 0, 0);
  const out: PhaseRecord[] = [];
  for (let p = 0; p < phases; p++) {
    const s = t0 + p * 20;
    const measurements: Measurement[] = [];
    for (let m = 0; m < per; m++) {
      const failing = o.fail === true && p === phases - 1 && m === 0;
      measurements.push({
        name: `m${p}_${m}`,
        value: failing ? 3.05 : 3.3 + m / 1000,
        units: 'V',
        validator: { kind: 'range', lower: 3.2, upper: 3.4 },
        outcome: failing ? 'FAIL' : 'PASS',
        ...(failing ? { reason: '3.05 V is below 3.2 V', failureCode: 'LOW_RAIL' } : {}),
      });
    }
    out.push({
      index: p,
      name: `phase_${p}`,
      group: 'main',
      attempt: 1,
      outcome: measurements.some((m) => m.outcome === 'FAIL') ? 'FAIL' : 'PASS',
      startedAt: iso(s),
      endedAt: iso(s + 15),
      durationMs: 15,
      measurements,
      logs: [{ level: 'info', ts: iso(s + 1), message: `phase ${p} measuring`, source: 'phases.ts:10' }],
    });
  }
  const end = t0 + phases * 20;
  return {
    id: uuidv7(),
    stationId: 'station-t',
    socket: 0,
    operatorId: 'op-7',
    appVersion: '0.1.0',
    procedure: { id: 'board-fvt', name: 'Board functional test', version: '1.4.0', hash: 'a'.repeat(64) },
    unit: { serialNumber: serial, partNumber: 'PCB-01' },
    startedAt: iso(t0),
    endedAt: iso(end),
    durationMs: end - t0,
    outcome: out.some((p) => p.outcome === 'FAIL') ? 'FAIL' : 'PASS',
    phases: out,
  };
}

/**
 * A run using every part of the record: each validator kind, series with dimensions
 * and aggregates, unset and skipped measurements, marginal values, failure codes,
 * parameters, a retried phase, setup and teardown, an error with a stack, logs of
 * each level with and without a source.
 */
export function fullRun(outcome: RunRecord['outcome'] = 'FAIL'): RunRecord {
  const t0 = Date.UTC(2026, 1, 2, 9, 30, 0, 123);
  const at = (ms: number): string => iso(t0 + ms);
  const phases: PhaseRecord[] = [
    {
      index: 0,
      name: 'power_on',
      group: 'setup',
      attempt: 1,
      outcome: 'PASS',
      startedAt: at(0),
      endedAt: at(40),
      durationMs: 40.25,
      measurements: [],
      logs: [
        { level: 'debug', ts: at(1), message: 'psu output on' },
        { level: 'info', ts: at(2), message: 'rails up', source: 'phases.ts:14:7' },
      ],
    },
    {
      index: 1,
      name: 'rail_voltage[rail=3V3]',
      group: 'main',
      attempt: 1,
      outcome: 'FAIL',
      startedAt: at(40),
      endedAt: at(90),
      durationMs: 50,
      params: { rail: '3V3', nominal: 3.3, strict: true },
      failureCode: 'RAIL_3V3',
      measurements: [
        {
          name: 'v_3v3',
          value: 3.05,
          units: 'V',
          validator: { kind: 'range', lower: 3.2, upper: 3.4, upperInclusive: false, marginalLower: 3.22, marginalUpper: 3.38 },
          outcome: 'FAIL',
          reason: '3.05 V is below 3.2 V',
          failureCode: 'LOW_3V3',
        },
        { name: 'ripple', value: 0.021, units: 'V', validator: { kind: 'range', upper: 0.05 }, outcome: 'PASS' },
        {
          name: 'i_idle',
          value: 0.118,
          units: 'A',
          validator: { kind: 'range', lower: 0.1, upper: 0.2, marginalLower: 0.12 },
          outcome: 'PASS',
          marginal: true,
        },
      ],
      logs: [{ level: 'warning', ts: at(80), message: 'rail low', source: 'phases.ts:31' }],
    },
    {
      index: 2,
      name: 'rail_voltage[rail=3V3]',
      group: 'main',
      attempt: 2,
      outcome: 'PASS',
      startedAt: at(90),
      endedAt: at(130),
      durationMs: 40,
      params: { rail: '3V3', nominal: 3.3, strict: true },
      measurements: [
        {
          name: 'v_3v3',
          value: 3.31,
          units: 'V',
          validator: { kind: 'range', lower: 3.2, upper: 3.4, upperInclusive: false },
          outcome: 'PASS',
        },
      ],
      logs: [],
    },
    {
      index: 3,
      name: 'identity',
      group: 'main',
      attempt: 1,
      outcome: outcome === 'FAIL' ? 'FAIL' : 'PASS',
      startedAt: at(130),
      endedAt: at(170),
      durationMs: 40,
      measurements: [
        { name: 'firmware', value: '1.4.3', validator: { kind: 'regex', pattern: '^1\\.4\\.\\d+$' }, outcome: 'PASS' },
        { name: 'board_rev', value: 'B', validator: { kind: 'one-of', values: ['A', 'B'], caseSensitive: false }, outcome: 'PASS' },
        { name: 'gain_code', value: 4, validator: { kind: 'one-of', values: [2, 4, 8], caseSensitive: true }, outcome: 'PASS' },
        { name: 'led_green', value: true, validator: { kind: 'equals', value: true, caseSensitive: true }, outcome: 'PASS' },
        { name: 'vendor', value: 'ACME', validator: { kind: 'equals', value: 'acme', caseSensitive: false }, outcome: 'PASS' },
        {
          name: 'ref_10v',
          value: 10.002,
          units: 'V',
          validator: { kind: 'equals', value: 10, caseSensitive: true, tolerance: { percent: 0.1 } },
          outcome: 'PASS',
        },
        {
          name: 'checksum_ok',
          value: false,
          validator: { kind: 'custom', name: 'crc', description: 'CRC of the image matches the header' },
          outcome: outcome === 'FAIL' ? 'FAIL' : 'PASS',
        },
        // A passing run has no unset measurement: there it was skipped.
        outcome === 'PASS'
          ? { name: 'temperature', value: null, units: '°C', outcome: 'SKIP' }
          : { name: 'temperature', value: null, units: '°C', outcome: 'UNSET', reason: 'not measured' },
        { name: 'optional_probe', value: null, outcome: 'SKIP' },
      ],
      logs: [{ level: 'error', ts: at(165), message: 'crc mismatch\nline two', source: 'lib/crc.ts:88' }],
    },
    {
      index: 4,
      name: 'sweep',
      group: 'main',
      attempt: 1,
      outcome: 'PASS',
      startedAt: at(170),
      endedAt: at(260),
      durationMs: 90,
      measurements: [
        {
          name: 'gain_vs_freq',
          value: [
            [100, 20.1],
            [1000, 20.0],
            [10000, 19.4],
          ],
          dimensions: [
            { name: 'frequency', units: 'Hz' },
            { name: 'gain', units: 'dB' },
          ],
          aggregates: { min: 19.4, max: 20.1, mean: 19.833333333333332, count: 3 },
          validator: {
            kind: 'series',
            aggregates: { min: { lower: 19 } },
            each: { lower: 18, upper: 22 },
          },
          outcome: 'PASS',
        },
      ],
      logs: [],
    },
    {
      index: 5,
      name: 'flash',
      group: 'main',
      attempt: 1,
      outcome: outcome === 'ERROR' ? 'ERROR' : 'SKIP',
      startedAt: at(260),
      endedAt: at(300),
      durationMs: 40,
      measurements: [],
      logs: [],
      ...(outcome === 'ERROR'
        ? { error: { kind: 'exception' as const, message: 'TypeError: cannot read "x"', stack: 'TypeError: cannot read "x"\n    at flash (phases.ts:77:9)' } }
        : {}),
    },
    {
      index: 6,
      name: 'power_off',
      group: 'teardown',
      attempt: 1,
      outcome: 'PASS',
      startedAt: at(300),
      endedAt: at(310),
      durationMs: 10,
      measurements: [],
      logs: [{ level: 'info', ts: at(305), message: 'outputs off' }],
    },
  ];
  return {
    id: uuidv7(),
    stationId: 'line-2-station-4',
    socket: 1,
    operatorId: 'alice@example.com',
    appVersion: '0.1.0',
    procedure: {
      id: 'board-fvt',
      name: 'Board functional test',
      version: '1.4.0',
      hash: 'b'.repeat(64),
      files: [
        { name: 'lib/rails.ts', sha256: 'c'.repeat(64) },
        { name: 'phases.ts', sha256: 'd'.repeat(64) },
        { name: 'procedure.yaml', sha256: 'e'.repeat(64) },
      ],
    },
    unit: { serialNumber: 'PCB01A69658', partNumber: 'PCB-01', revision: 'B', batch: '11-24' },
    startedAt: at(0),
    endedAt: at(310),
    durationMs: 310,
    outcome,
    ...(outcome === 'ERROR' ? { outcomeReason: 'phase flash threw' } : outcome === 'ABORTED' ? { outcomeReason: 'operator aborted' } : {}),
    phases,
  };
}

/**
 * Files attached to `rec` as a phase attaches them, their bytes put in `files` (a real
 * AttachmentStore): a binary image, a CSV, the same CSV again in a retried phase, and two
 * files of the same name in one phase. Returns the bytes by sha256.
 */
export function withAttachments(rec: RunRecord, files: AttachmentWriter): Map<string, Buffer> {
  const bytes = new Map<string, Buffer>();
  const attach = (phase: number, name: string, mediaType: string, data: Buffer): void => {
    const stored = files.put(data);
    bytes.set(stored.sha256, data);
    (rec.phases[phase]!.attachments ??= []).push({ name, mediaType, ...stored });
  };
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 300 }, (_, i) => (i * 37) % 256)]);
  const csv = Buffer.from('time_s,voltage_v\n0,0.0000\n0.01,3.2990\n', 'utf8');
  const last = rec.phases.length - 1;
  attach(Math.min(1, last), 'scope.png', 'image/png', png);
  attach(Math.min(1, last), 'ramp.csv', 'text/csv', csv);
  attach(Math.min(2, last), 'ramp.csv', 'text/csv', csv);
  attach(last, 'notes.txt', 'text/plain', Buffer.from('first try: contact bounce\n'));
  attach(last, 'notes.txt', 'text/plain', Buffer.from('second try: ok, üñí\n'));
  return bytes;
}
