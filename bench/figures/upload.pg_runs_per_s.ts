/**
 * upload.pg_runs_per_s: the same backlog (10,000 runs, 100 measurements each) drained
 * into PostgreSQL (a server started on a temp dir with default durability: fsync on),
 * run, phases and measurements as rows, with the target's default settings.
 */
import pg from 'pg';
import { drainBacklog } from '../lib/upload-bench.ts';
import { report } from '../lib/report.ts';
import { startPostgres } from '../../test/helpers/postgres.ts';

const RUNS = 10_000;
const server = await startPostgres();
try {
  const { ms, status, failed } = await drainBacklog({ id: 'fleet', kind: 'postgres', connectionString: server.url }, RUNS, { phases: 10, perPhase: 10 });
  const c = new pg.Client(server.url);
  await c.connect();
  const rows = (
    await c.query<{ runs: number; measurements: number }>(
      'SELECT count(*)::int AS runs, (SELECT count(*)::int FROM passline.measurements) AS measurements FROM passline.runs',
    )
  ).rows[0]!;
  await c.end();
  if (rows.runs !== RUNS || status.waitingRuns !== 0) throw new Error(`database has ${rows.runs} of ${RUNS} runs; ${status.waitingRuns} still waiting`);
  report('upload.pg_runs_per_s', (RUNS / ms) * 1000, 'runs/s', 200, {
    runs: RUNS,
    measurements_per_run: 100,
    drain_ms: Math.round(ms),
    rows_runs: rows.runs,
    rows_measurements: rows.measurements,
    failed_attempts: failed,
    concurrency: 4,
    fsync: true,
  });
} finally {
  server.stop();
}
