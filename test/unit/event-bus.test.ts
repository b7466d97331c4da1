/**
 * The event bus on a real SQLite event log: seq numbers are monotonic within a boot
 * and across restarts (a restart may skip numbers, never reuse them), and replay
 * after a seq, from memory or from the durable log, hands over to live events
 * without a gap or a duplicate.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { DatabaseSync } from 'node:sqlite';
import type { StationEvent } from '#contract/events.ts';
import { EventBus } from '#station/events/bus.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function dataDir(): string {
  const t = tempDir('passline-bus-');
  cleanups.push(t.remove);
  return t.dir;
}

/** A bus over the event log in `dir`, as the station opens it at start. */
function boot(dir: string): { bus: EventBus; db: DatabaseSync; errors: unknown[] } {
  const db = openDatabase(dir);
  cleanups.push(() => db.isOpen && db.close());
  const bus = new EventBus(new RunsRepo(db));
  const errors: unknown[] = [];
  bus.onLogError = (e) => errors.push(e);
  return { bus, db, errors };
}

const durable = (bus: EventBus, i = 0) => bus.publish({ kind: 'socket.changed', data: { state: 'ready', message: `d${i}` }, socket: 0 });
const memoryOnly = (bus: EventBus, i = 0) =>
  bus.publish({
    kind: 'run.logged',
    data: { index: 0, phase: 'p', log: { level: 'info', ts: new Date().toISOString(), message: `m${i}` } },
    runId: 'r',
    socket: 0,
  });

/** Clean stop, as station.close() does it. */
function stop(b: { bus: EventBus; db: DatabaseSync }): void {
  b.bus.flush();
  b.db.close();
}

const seqs = (events: readonly StationEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function collect(bus: EventBus, afterSeq?: number): { events: StationEvent[]; off: () => void } {
  const events: StationEvent[] = [];
  const off = bus.subscribe((e, json) => {
    // What a WebSocket subscriber receives is the JSON; it must be the event.
    expect(JSON.parse(json())).toEqual(e);
    events.push(e);
  }, afterSeq);
  return { events, off };
}

describe('seq numbers', () => {
  test('start at 1 and grow by one per event', () => {
    const { bus } = boot(dataDir());
    expect(bus.lastSeq).toBe(0);
    expect([durable(bus).seq, memoryOnly(bus).seq, durable(bus).seq]).toEqual([1, 2, 3]);
    expect(bus.lastSeq).toBe(3);
  });

  test('continue across a clean restart on the same data dir', () => {
    const dir = dataDir();
    const first = boot(dir);
    for (let i = 0; i < 5; i++) durable(first.bus, i);
    stop(first);
    const second = boot(dir);
    const next = durable(second.bus).seq;
    expect(next).toBeGreaterThan(5);
  });

  test('continue past the last event even when it was a memory-only kind', () => {
    const dir = dataDir();
    const first = boot(dir);
    durable(first.bus);
    const last = memoryOnly(first.bus).seq;
    stop(first);
    const second = boot(dir);
    expect(durable(second.bus).seq).toBeGreaterThan(last);
  });

  test('are never reused after a crash that lost events not yet written', () => {
    const dir = dataDir();
    const first = boot(dir);
    durable(first.bus);
    first.bus.flush();
    // Seen live by subscribers, then the process dies before the next flush.
    const handedOut = [durable(first.bus).seq, memoryOnly(first.bus).seq, durable(first.bus).seq];
    first.db.close();
    const second = boot(dir);
    expect(durable(second.bus).seq).toBeGreaterThan(Math.max(...handedOut));
  });
});

describe('replay', () => {
  test('since(afterSeq) from memory: everything after, in order, with limit and truncation', () => {
    const { bus } = boot(dataDir());
    for (let i = 0; i < 10; i++) (i % 2 ? memoryOnly : durable)(bus, i);
    expect(seqs(bus.since(4).events)).toEqual(range(5, 10));
    expect(bus.since(4).truncated).toBe(false);
    expect(bus.since(0, 3)).toMatchObject({ truncated: true });
    expect(seqs(bus.since(0, 3).events)).toEqual([1, 2, 3]);
    expect(bus.since(10)).toEqual({ events: [], truncated: false });
  });

  test('subscribe(afterSeq) replays then streams live, each event exactly once', () => {
    const { bus } = boot(dataDir());
    for (let i = 0; i < 10; i++) durable(bus, i);
    const sub = collect(bus, 6);
    expect(seqs(sub.events)).toEqual([7, 8, 9, 10]);
    durable(bus);
    memoryOnly(bus);
    expect(seqs(sub.events)).toEqual([7, 8, 9, 10, 11, 12]);
    sub.off();
    durable(bus);
    expect(sub.events).toHaveLength(6);
  });

  test('subscribe() without afterSeq streams only new events', () => {
    const { bus } = boot(dataDir());
    durable(bus);
    const sub = collect(bus);
    durable(bus);
    expect(seqs(sub.events)).toEqual([2]);
  });

  test('after a restart, replay from the previous boot comes from the durable log and hands over to memory with no gap or duplicate', () => {
    const dir = dataDir();
    const first = boot(dir);
    const firstBoot: StationEvent[] = [];
    for (let i = 0; i < 20; i++) firstBoot.push((i % 4 === 3 ? memoryOnly : durable)(first.bus, i));
    stop(first);

    const second = boot(dir);
    const secondBoot: StationEvent[] = [];
    for (let i = 0; i < 10; i++) secondBoot.push((i % 2 ? memoryOnly : durable)(second.bus, i));
    const sub = collect(second.bus, 5);
    const live = durable(second.bus);

    // The previous boot's memory-only kinds (log, measured) are not in the durable log by
    // design (run.phaseEnded repeats them); everything of this boot is still in memory.
    const expected = [...firstBoot.filter((e) => e.seq > 5 && e.kind !== 'run.logged'), ...secondBoot, live];
    expect(seqs(sub.events)).toEqual(seqs(expected));
    expect(sub.events).toEqual(expected);
    expect(second.errors).toEqual([]);
  });

  test('a phase end replayed from the log after a restart has its measurements and logs again (the log keeps them in the phase row only)', () => {
    const dir = dataDir();
    const first = boot(dir);
    const repo = new RunsRepo(first.db);
    const run = {
      id: 'run-1',
      stationId: 'st',
      socket: 0,
      appVersion: '0.1.0',
      procedure: { id: 'p', name: 'P', version: '1', hash: 'h' },
      unit: { serialNumber: 'SN-1' },
      startedAt: '2026-11-22T09:00:00.000Z',
    };
    const phase = {
      index: 0,
      name: 'rail',
      group: 'main' as const,
      attempt: 1,
      outcome: 'FAIL' as const,
      startedAt: '2026-11-22T09:00:00.000Z',
      endedAt: '2026-11-22T09:00:01.000Z',
      durationMs: 1000,
      measurements: [{ name: 'v', value: 3.05, units: 'V', outcome: 'FAIL' as const, reason: '3.05 V is below 3.2 V' }],
      logs: [{ level: 'info' as const, ts: '2026-11-22T09:00:00.500Z', message: 'rail on' }],
    };
    repo.insertRun(run);
    repo.insertPhases(run.id, [phase]);
    const ended = first.bus.publish({ kind: 'run.phaseEnded', data: { phase }, runId: run.id, socket: 0 });
    // A second run's phase end whose run is pruned later: replayed without what it measured.
    repo.insertRun({ ...run, id: 'run-2' });
    repo.insertPhases('run-2', [phase]);
    const gone = first.bus.publish({ kind: 'run.phaseEnded', data: { phase }, runId: 'run-2', socket: 0 });
    stop(first);

    const second = boot(dir);
    second.db.exec("DELETE FROM runs WHERE id = 'run-2'");
    const sub = collect(second.bus, 0);
    const replayed = sub.events.filter((e) => e.kind === 'run.phaseEnded');
    expect(replayed).toEqual([ended, { ...gone, data: { phase: { ...phase, measurements: [], logs: [] } } }]);
    // The stored event itself does not repeat the measurements.
    const body = String(
      (second.db.prepare('SELECT body FROM events WHERE first_seq <= ? AND last_seq >= ?').get(ended.seq, ended.seq) as { body: string }).body,
    );
    expect(body).not.toContain('below 3.2 V');
  });

  test('a replay longer than memory holds reads the log, then memory, exactly once', () => {
    const dir = dataDir();
    const { bus, errors } = boot(dir);
    // More than the in-memory ring keeps (20 000), so the oldest come from the log.
    const total = 30_000;
    for (let i = 0; i < total; i++) durable(bus, i);
    bus.flush();
    const sub = collect(bus, 0);
    expect(sub.events).toHaveLength(total);
    expect(seqs(sub.events)).toEqual(range(1, total));
    expect(errors).toEqual([]);
  });
});
