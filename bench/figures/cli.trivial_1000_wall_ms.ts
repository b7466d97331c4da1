/**
 * cli.trivial_1000_wall_ms: a whole `passline run` process (bin/passline.js, as `npx passline`
 * starts it: spawn to exit) of the 1000-trivial-phase bench procedure, results in a temporary
 * folder (the CLI's default). One run warms Node's compile cache and the procedure caches
 * (reported beside as first_ms), then the median of 7 fresh processes, best and spread beside.
 * cli.peak_rss_mib: the largest process's peak RSS (VmHWM: the CLI or its runner) in the
 * same 7 runs, median.
 */
import { BENCH_SEQUENCES, timeCli } from '../lib/cli-run.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const { first, runs } = await timeCli((i) => ['run', 'trivial-1000', '--sequences', BENCH_SEQUENCES, '--serial', `BENCH-${i}`], 1, 7);
const wall = runs.map((r) => r.wallMs);
report('cli.trivial_1000_wall_ms', median(wall), 'ms', 450, { ...spreadOf(wall, 0), first_ms: Math.round(first.wallMs), runs_ms: wall.map(Math.round) });
const peaks = runs.map((r) => r.peakRssMiB).filter((p): p is number => p !== null);
if (peaks.length)
  report('cli.peak_rss_mib', median(peaks), 'MiB', 90, {
    ...spreadOf(peaks),
    // The CLI and its runner, largest first, of the median run.
    processes_mib: Object.values(runs[0]!.perProcess).sort((a, b) => b - a),
  });
