/**
 * Several real headless stations on one plant database (a real PostgreSQL server): one is cut
 * off from the server (a TCP forwarder drops its connections) while it keeps testing, another
 * is killed with -9 in the middle of a run and started again on its data. At the end the plant
 * has every run of every station once, and each station's state changes exactly as its own
 * event log holds them: the same seqs, none missing, none twice. Bounded: four stations, six
 * units each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import type { StationEvent } from '#contract/events.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { STATE_KINDS } from '#station/uploader/state-shipper.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { ApiClient } from '../helpers/ws.ts';

const STATIONS = 4;
const UNITS = 6;
const running: Headless[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  await Promise.all(running.map((h) => h.kill9()));
  for (const c of cleanups.reverse()) await c();
});

async function sql<T extends Record<string, unknown>>(server: Postgres, text: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(server.url);
  await c.connect();
  try {
    return (await c.query<T>(text, args)).rows;
  } finally {
    await c.end();
  }
}

const start = (dataDir: string): Promise<Headless> => startHeadless({ dataDir, sequences: FIXTURE_SEQUENCES, procedure: 'quick' });

/** One unit through a station: started, then its end awaited; returns the run id. */
async function testUnit(h: Headless, serial: string): Promise<string> {
  const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
  try {
    api.sendRaw(JSON.stringify({ type: 'subscribe' }));
    const r = await api.invoke('run.start', { serialNumber: serial });
    if (!r.ok) throw new Error(`run.start ${serial}: ${r.error.message}`);
    const runId = (r.value as { runId: string }).runId;
    await api.event((e) => e.kind === 'run.ended' && e.runId === runId, `the end of ${serial}`);
    return runId;
  } finally {
    await api.close();
  }
}

test('stations cut off and killed catch up: every run once, every state change once and in order', async () => {
  const server = await startPostgres({ fsync: false });
  cleanups.push(() => server.stop());
  const proxy = await startTcpProxy(server.port);
  cleanups.push(() => proxy.close());

  const dirs: string[] = [];
  for (let i = 0; i < STATIONS; i++) {
    const tmp = tempDir(`passline-plant-fault-${i}-`);
    cleanups.push(tmp.remove);
    dirs.push(tmp.dir);
    const url = i === 0 ? `postgres://postgres@127.0.0.1:${proxy.port}/postgres` : server.url;
    writeFileSync(
      join(tmp.dir, 'settings.json'),
      JSON.stringify({
        stationId: `FT-${i}`,
        stationName: `Fault station ${i}`,
        stationLine: 'F',
        heartbeatSeconds: 1,
        uploadTargets: [{ id: 'plant', kind: 'postgres', connectionString: url, timeoutMs: 2000 }],
        uploadRetry: { firstDelayMs: 50, maxDelayMs: 500 },
      }),
    );
  }
  const hs = await Promise.all(dirs.map((d) => start(d)));
  running.push(...hs);
  const expected = new Map<string, Set<string>>(dirs.map((_, i) => [`FT-${i}`, new Set<string>()]));

  // FT-0 loses the server before it tests anything, and tests on.
  proxy.cut();
  await Promise.all(
    hs.map(async (h0, i) => {
      let h = h0;
      for (let u = 0; u < UNITS; u++) {
        if (i === 0 && u === UNITS / 2) proxy.restore();
        if (i === 1 && u === UNITS / 2) {
          // kill -9 while a unit is under test: recovered ABORTED at the next start, and uploaded like any run.
          const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
          const r = await api.invoke('run.start', { serialNumber: `Q-${i}${u}99` });
          await api.close();
          if (r.ok) expected.get('FT-1')!.add((r.value as { runId: string }).runId);
          await h.kill9();
          h = await start(dirs[1]!);
          running.push(h);
          hs[1] = h;
        }
        expected.get(`FT-${i}`)!.add(await testUnit(h, `Q-${i}${u}${u}`));
      }
    }),
  );

  // Every run of every station arrives, each once (a run is keyed by its id).
  const want = [...expected.values()].reduce((n, s) => n + s.size, 0);
  await expect
    .poll(async () => Number((await sql<{ n: number }>(server, 'SELECT count(*)::int AS n FROM passline.runs'))[0]!.n), { timeout: 60_000, interval: 250 })
    .toBe(want);
  for (const [station, ids] of expected) {
    const rows = await sql<{ id: string }>(server, 'SELECT id FROM passline.runs WHERE station_id = $1 ORDER BY id', [station]);
    expect(rows.map((r) => r.id)).toEqual([...ids].sort());
  }

  // A clean stop ships what is left and says "stopped".
  await Promise.all(hs.map((h) => h.stop()));
  for (let i = 0; i < STATIONS; i++) {
    const db = openDatabase(dirs[i]!);
    let local: StationEvent[];
    try {
      local = new RunsRepo(db).eventsSince(0, 1_000_000).filter((e) => STATE_KINDS.has(e.kind));
    } finally {
      db.close();
    }
    const shipped = await sql<{ seq: string; kind: string }>(
      server,
      `SELECT seq::text AS seq, kind FROM passline.station_events e WHERE station_id = $1 ORDER BY e.seq`,
      [`FT-${i}`],
    );
    expect(shipped.map((e) => [Number(e.seq), e.kind])).toEqual(local.map((e) => [e.seq, e.kind]));
    expect(local.filter((e) => e.kind === 'station.started')).toHaveLength(i === 1 ? 2 : 1);
  }
  const states = await sql<{ id: string; state: string }>(server, 'SELECT id, state FROM passline.stations ORDER BY id');
  expect(states).toEqual(dirs.map((_, i) => ({ id: `FT-${i}`, state: 'stopped' })));
}, 180_000);
