// @vitest-environment node
/**
 * The renderer's live view: a snapshot plus events, applied in order exactly once.
 * Pure functions over the contract's types; no DOM needed.
 */
import { describe, expect, test } from 'vitest';
import { StationSnapshotSchema, type StationSnapshot } from '#contract/commands.ts';
import type { StationEvent } from '#contract/events.ts';
import { applyStationEvent, initialView, viewFromSnapshot, type StationView } from '../../renderer/src/api/station-view.ts';

const RUN = '01a2b3c4-0000-7000-8000-000000000001';

// Parsed, so fields the contract defaults (storage, upload) are filled as the station sends them.
const snapshot: StationSnapshot = StationSnapshotSchema.parse({
  station: { id: 'station-1', name: 'Line 3 / bench 2', appVersion: '0.1.0', bootId: 'boot-a', dataDir: '/tmp/x' },
  seq: 10,
  procedure: null,
  procedureError: null,
  procedureWarning: null,
  sockets: [{ socket: 0, state: 'ready', runner: 'ready', run: null, prompt: null }],
});

const procedure: NonNullable<StationSnapshot['procedure']> = {
  id: 'demo-board',
  name: 'Demo board functional test',
  version: '1.0.0',
  hash: 'h',
  serialPattern: '^DEMO-',
  phases: [],
  dir: '/x',
};

function ev(
  seq: number,
  e: Omit<StationEvent, 'seq' | 'parentSeq' | 'ts' | 'runId' | 'socket'> & { runId?: string | null; socket?: number | null },
): StationEvent {
  return { seq, parentSeq: null, ts: '2026-11-22T09:00:00.000Z', runId: e.runId ?? RUN, socket: e.socket === undefined ? 0 : e.socket, ...e } as StationEvent;
}

const started = (seq: number, socket = 0): StationEvent =>
  ev(seq, {
    kind: 'run.started',
    socket,
    data: {
      procedure: { id: 'demo-board', name: 'Demo', version: '1.0.0', hash: 'h' },
      unit: { serialNumber: 'DEMO-0001' },
      startedAt: '2026-11-22T09:00:00.000Z',
      plannedPhases: [{ name: 'rail_3v3', group: 'main' }],
    },
  });

const measured = (seq: number): StationEvent =>
  ev(seq, {
    kind: 'run.measured',
    data: { index: 0, phase: 'rail_3v3', measurements: [{ name: 'v_3v3', value: 3.3, units: 'V', outcome: 'PASS' }] },
  });

function live(): StationView {
  return viewFromSnapshot(initialView, snapshot);
}

describe('applyStationEvent', () => {
  test('an event at or below the seq already applied changes nothing (a replay after reconnect is not doubled)', () => {
    let v = live();
    v = applyStationEvent(v, started(11));
    v = applyStationEvent(
      v,
      ev(12, { kind: 'run.phaseStarted', data: { index: 0, name: 'rail_3v3', attempt: 1, timeoutMs: 5000, startedAt: '2026-11-22T09:00:00.100Z' } }),
    );
    v = applyStationEvent(v, measured(13));
    const again = applyStationEvent(v, measured(13));
    expect(again).toBe(v);
    expect(applyStationEvent(v, started(5))).toBe(v);
    expect(v.sockets[0]!.run!.phases[0]!.measurements).toHaveLength(1);
    expect(v.seq).toBe(13);
  });

  test('events before the snapshot (seq ≤ snapshot.seq) are ignored', () => {
    const v = live();
    expect(applyStationEvent(v, started(10))).toBe(v);
    expect(applyStationEvent(v, started(11)).sockets[0]!.run?.unit.serialNumber).toBe('DEMO-0001');
  });

  test('each event goes to its own socket; a socket the snapshot did not have is added in order', () => {
    let v = viewFromSnapshot(initialView, { ...snapshot, sockets: [{ socket: 0, state: 'ready', runner: 'ready', run: null, prompt: null }] });
    v = applyStationEvent(v, ev(11, { kind: 'socket.changed', socket: 2, data: { state: 'ready' } }));
    v = applyStationEvent(v, started(12, 1));
    expect(v.sockets.map((s) => s.socket)).toEqual([0, 1, 2]);
    expect(v.sockets[0]!.run).toBeNull();
    expect(v.sockets[1]!.run?.unit.serialNumber).toBe('DEMO-0001');
  });

  test('a run end counts for lists that refresh, and a procedure error replaces the procedure state', () => {
    let v = applyStationEvent(live(), started(11));
    v = applyStationEvent(
      v,
      ev(12, {
        kind: 'run.ended',
        data: {
          outcome: 'FAIL',
          endedAt: '2026-11-22T09:00:02.000Z',
          durationMs: 2000,
          failing: [{ phase: 'rail_3v3', name: 'v_3v3', value: 3.05, units: 'V' }],
        },
      }),
    );
    expect(v.runsEnded).toBe(1);
    expect(v.sockets[0]!.run?.outcome).toBe('FAIL');
    expect(v.sockets[0]!.run?.failing[0]?.name).toBe('v_3v3');
    v = applyStationEvent(
      v,
      ev(13, {
        kind: 'procedure.failed',
        runId: null,
        socket: null,
        data: { error: { kind: 'sequence.invalid', message: 'procedure.yaml:6: phases.0.timeoutMs: Too small' } },
      }),
    );
    expect(v.procedureError?.message).toContain('procedure.yaml:6');
  });

  test('a failed edit while a procedure runs is a warning (the last good version goes on), and a reload clears it', () => {
    let v = viewFromSnapshot(initialView, { ...snapshot, procedure });
    v = applyStationEvent(
      v,
      ev(11, { kind: 'procedure.failed', runId: null, socket: 0, data: { error: { kind: 'sequence.invalid', message: 'phases.ts:3: boom' } } }),
    );
    expect(v.procedureError).toBeNull();
    expect(v.procedureWarning?.message).toBe('phases.ts:3: boom');
    expect(v.procedure?.version).toBe('1.0.0');
    v = applyStationEvent(v, ev(12, { kind: 'procedure.loaded', runId: null, socket: 0, data: { procedure: { ...procedure, version: '1.0.1' } } }));
    expect(v.procedureWarning).toBeNull();
    expect(v.procedure?.version).toBe('1.0.1');
  });

  test("a serial scanner's refused scan stays on the view until one of its scans is accepted; keyboard scans do not touch it", () => {
    const scan = (seq: number, source: string, accepted: boolean, message?: string): StationEvent =>
      ev(seq, {
        kind: 'scan.received',
        runId: null,
        data: { text: `DEMO-000${seq}`, source, at: '2026-11-22T09:00:00.000Z', socket: 0, route: 'serial', accepted, ...(message ? { message } : {}) },
      });
    let v = live();
    v = applyStationEvent(v, scan(11, 'bench-1', false, 'socket 1 is testing DEMO-0001: finish or abort this unit first'));
    expect(v.scannerRefusal).toMatchObject({
      text: 'DEMO-00011',
      source: 'bench-1',
      message: 'socket 1 is testing DEMO-0001: finish or abort this unit first',
    });
    v = applyStationEvent(v, scan(12, 'keyboard', true));
    expect(v.scannerRefusal?.source).toBe('bench-1');
    v = applyStationEvent(v, scan(13, 'bench-1', true));
    expect(v.scannerRefusal).toBeNull();
  });
});
