/**
 * startup.ready_ms: a headless station process (bin/passline-station.js, as `npm run station`
 * starts it) from spawn to its ready line: store open, demo procedure loaded, runner ready.
 * One start warms Node's compile cache and the procedure caches (first_ms beside), then the
 * median of 7 fresh starts, each on a new data folder.
 * station.idle_rss_mib: the station's and its runner's resident memory (VmRSS) added up, 2 s
 * after ready with nothing happening, median of the same 7 starts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadless, stop } from '../lib/headless.ts';
import { median, report, spreadOf, wanted } from '../lib/report.ts';

const WARMUP = 1;
const SAMPLES = 7;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}
const childrenOf = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

const ready: number[] = [];
const idle: number[] = [];
let first = 0;
for (let i = 0; i < WARMUP + SAMPLES; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
  const { child, ms } = await startHeadless(['--data-dir', dir, '--port', '0']);
  if (i < WARMUP) first = ms;
  else {
    ready.push(ms);
    if (wanted('station.idle_rss_mib') && process.platform === 'linux') {
      await new Promise((r) => setTimeout(r, 2000));
      const pids = [child.pid!, ...childrenOf(child.pid!)];
      idle.push(pids.reduce((sum, pid) => sum + rssMiB(pid), 0));
    }
  }
  await stop(child);
  rmSync(dir, { recursive: true, force: true });
}
report('startup.ready_ms', median(ready), 'ms', 350, { ...spreadOf(ready, 0), first_ms: Math.round(first), runs_ms: ready.map(Math.round) });
if (idle.length) report('station.idle_rss_mib', median(idle), 'MiB', 160, { ...spreadOf(idle), processes: 2 });
