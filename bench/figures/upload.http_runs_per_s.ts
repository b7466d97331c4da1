/**
 * upload.http_runs_per_s: a backlog of 10,000 finished runs (100 measurements each,
 * 10 phases x 10) drained by the station's uploader to a local HTTP receiver in its
 * own process, with the target's default settings (4 requests in flight, keep-alive).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { drainBacklog } from '../lib/upload-bench.ts';
import { report } from '../lib/report.ts';

const RUNS = 10_000;
const child = fork(fileURLToPath(new URL('../lib/receiver-child.ts', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const [line] = (await once(child.stdout!, 'data')) as [Buffer];
const url = `http://127.0.0.1:${line.toString().trim()}/runs`;
const { ms, status, failed } = await drainBacklog({ id: 'mes', kind: 'http', url }, RUNS, { phases: 10, perPhase: 10 });
child.send('count');
const [counts] = (await once(child, 'message')) as [{ distinct: number; total: number }];
child.send('stop');
if (counts.distinct !== RUNS || status.waitingRuns !== 0)
  throw new Error(`receiver has ${counts.distinct} of ${RUNS} runs; ${status.waitingRuns} still waiting`);
report('upload.http_runs_per_s', (RUNS / ms) * 1000, 'runs/s', 500, {
  runs: RUNS,
  measurements_per_run: 100,
  drain_ms: Math.round(ms),
  distinct: counts.distinct,
  total: counts.total,
  failed_attempts: failed,
  concurrency: 4,
});
