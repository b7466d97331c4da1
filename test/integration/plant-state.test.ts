/**
 * A station's state in the plant database (uploader/state-shipper.ts): a real station with a
 * PostgreSQL target on a real server writes its row (name, line, version, heartbeat) and its
 * sockets' state; while the server is down it keeps testing, and back up it catches up in order,
 * each state change once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { openTestStation } from '../helpers/station.ts';

let server: Postgres;
beforeAll(async () => {
  server = await startPostgres({ fsync: false });
}, 60_000);
afterAll(() => server?.stop());

async function sql<T extends Record<string, unknown>>(text: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(server.url);
  await c.connect();
  try {
    return (await c.query<T>(text, args)).rows;
  } finally {
    await c.end();
  }
}

const target = (schema: string) => ({
  id: 'plant',
  kind: 'postgres',
  connectionString: server.url,
  schema,
  timeoutMs: 2000,
});

describe('station state in the plant database', () => {
  test('the station row, its sockets and each state change once, in order, across an outage', async () => {
    const ts = await openTestStation({
      procedureId: 'quick',
      sockets: 2,
      settings: {
        stationId: 'ST-STATE-1',
        stationName: 'Line 1 / FCT 1',
        stationLine: 'L1',
        heartbeatSeconds: 1,
        uploadTargets: [target('state_a')],
        uploadRetry: { firstDelayMs: 50, maxDelayMs: 300 },
      },
    });
    try {
      const first = await ts.start('Q-0001');
      await ts.ended(first);
      await ts.station.plantDrained(20_000);
      const [st] = await sql<{ id: string; name: string; line: string; sockets: number; state: string; heartbeat_s: number }>(
        'SELECT id, name, line, sockets, state, heartbeat_s FROM state_a.stations',
      );
      expect(st).toEqual({ id: 'ST-STATE-1', name: 'Line 1 / FCT 1', line: 'L1', sockets: 2, state: 'online', heartbeat_s: 1 });
      const sockets = await sql<{ socket: number; procedure_id: string; serial_number: string | null; last_outcome: string | null }>(
        'SELECT socket, procedure_id, serial_number, last_outcome FROM state_a.station_sockets ORDER BY socket',
      );
      expect(sockets).toEqual([
        { socket: 0, procedure_id: 'quick', serial_number: 'Q-0001', last_outcome: 'PASS' },
        { socket: 1, procedure_id: 'quick', serial_number: null, last_outcome: null },
      ]);

      // The server goes away; the station keeps testing.
      server.kill();
      const offline: string[] = [];
      for (let i = 2; i <= 4; i++) {
        const id = await ts.start(`Q-000${i}`, i % 2);
        await ts.ended(id);
        offline.push(id);
      }
      server.start();
      const upTo = ts.station.bus.lastSeq;
      await ts.station.plantDrained(30_000);

      const events = await sql<{ seq: string; kind: string; run_id: string | null }>(
        `SELECT seq::text AS seq, kind, run_id FROM state_a.station_events e WHERE station_id = 'ST-STATE-1' ORDER BY e.seq`,
      );
      // Each run's start and end is there once, in the station's order.
      for (const id of [first, ...offline]) {
        expect(events.filter((e) => e.run_id === id && e.kind === 'run.started')).toHaveLength(1);
        expect(events.filter((e) => e.run_id === id && e.kind === 'run.ended')).toHaveLength(1);
      }
      const seqs = events.map((e) => Number(e.seq)).filter((q) => q <= upTo);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      // Exactly what the station's log holds of the state kinds since this boot, no more, no less.
      const local = ts.events.events
        .filter((e) => e.seq <= upTo)
        .filter((e) =>
          ['station.started', 'procedure.loaded', 'procedure.failed', 'socket.changed', 'run.started', 'run.phaseStarted', 'run.ended'].includes(e.kind),
        );
      expect(seqs).toEqual(local.map((e) => e.seq));
      const [after] = await sql<{ last_outcome: string; serial_number: string }>(
        `SELECT last_outcome, serial_number FROM state_a.station_sockets WHERE socket = 0`,
      );
      expect(after).toEqual({ last_outcome: 'PASS', serial_number: 'Q-0004' });
    } finally {
      await ts.close();
    }
    // A clean stop says so: the plant shows "stopped", not "silent".
    expect(await sql(`SELECT state FROM state_a.stations`)).toEqual([{ state: 'stopped' }]);
  }, 90_000);
});
