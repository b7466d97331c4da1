/**
 * plant.ingest_runs_per_s: the plant database taking runs from 50 stations at once. 50 writers,
 * each a connection of its own as a station's PostgreSQL target has, send their backlog with the
 * station's own statement (insertSql: run, phases and measurements, ON CONFLICT (id) DO NOTHING)
 * in batches of the target's default size (25); runs of 100 measurements (10 phases of 10); a
 * server with default durability (fsync on), the schema brought up by the migrations (indexes
 * and NOTIFY trigger included). The records are made and serialized before the clock starts:
 * that work is each station's, on its own machine. Three rounds on fresh schemas; the median.
 */
import pg from 'pg';
import { migrateSchema } from '#station/uploader/pg-migrate.ts';
import { insertSql } from '#station/uploader/postgres-sink.ts';
import { benchRun } from '../lib/records.ts';
import { median, report, spreadOf } from '../lib/report.ts';
import { startPostgres } from '../../test/helpers/postgres.ts';

const WRITERS = 50;
const RUNS_PER_WRITER = 100;
const BATCH = 25;
const ROUNDS = 3;

const server = await startPostgres();
try {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const schema = `ingest_${round}`;
    const setup = new pg.Client(server.url);
    await setup.connect();
    await migrateSchema(setup, schema, 'bench');
    await setup.end();
    // Each writer's batches, as JSON text, ready to send.
    const batches: string[][] = [];
    for (let w = 0; w < WRITERS; w++) {
      const mine: string[] = [];
      for (let b = 0; b < RUNS_PER_WRITER; b += BATCH) {
        const recs = [];
        for (let i = b; i < Math.min(RUNS_PER_WRITER, b + BATCH); i++) {
          const r = benchRun(round * 1_000_000 + w * RUNS_PER_WRITER + i, 10, 10);
          recs.push({ ...r, stationId: `ST-${String(w).padStart(2, '0')}` });
        }
        mine.push(JSON.stringify(recs));
      }
      batches.push(mine);
    }
    const clients = await Promise.all(
      batches.map(async () => {
        const c = new pg.Client(server.url);
        await c.connect();
        return c;
      }),
    );
    const sql = insertSql(schema);
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c, w) => {
        for (const json of batches[w]!) await c.query(sql, [json]);
      }),
    );
    const ms = performance.now() - t0;
    await Promise.all(clients.map((c) => c.end()));
    const check = new pg.Client(server.url);
    await check.connect();
    const n = (
      await check.query<{ runs: number; ms: number }>(
        `SELECT (SELECT count(*)::int FROM ${schema}.runs) AS runs, (SELECT count(*)::int FROM ${schema}.measurements) AS ms`,
      )
    ).rows[0]!;
    await check.end();
    const want = WRITERS * RUNS_PER_WRITER;
    if (n.runs !== want || n.ms !== want * 100) throw new Error(`round ${round}: ${n.runs} runs and ${n.ms} measurements, expected ${want} and ${want * 100}`);
    rates.push((want / ms) * 1000);
  }
  report('plant.ingest_runs_per_s', median(rates), 'runs/s', 2000, {
    ...spreadOf(rates, 0),
    writers: WRITERS,
    runs_per_round: WRITERS * RUNS_PER_WRITER,
    measurements_per_run: 100,
    batch: BATCH,
    fsync: true,
  });
} finally {
  server.stop();
}
