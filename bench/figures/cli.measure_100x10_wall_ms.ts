/**
 * cli.measure_100x10_wall_ms: a whole `passline run` process (bin/passline.js: spawn to exit)
 * of 100 phases x 10 measurements with limits, the run stored in a data folder that is kept
 * (--data-dir, as a test engineer's machine keeps its results; the warm-up run creates it).
 * One run warms the caches (first_ms beside), then the median of 7 fresh processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SEQUENCES, timeCli } from '../lib/cli-run.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
try {
  const { first, runs } = await timeCli(
    (i) => ['run', 'measure-100x10', '--sequences', BENCH_SEQUENCES, '--data-dir', dataDir, '--serial', `BENCH-${i}`],
    1,
    7,
  );
  const wall = runs.map((r) => r.wallMs);
  report('cli.measure_100x10_wall_ms', median(wall), 'ms', 400, { ...spreadOf(wall, 0), first_ms: Math.round(first.wallMs), runs_ms: wall.map(Math.round) });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
