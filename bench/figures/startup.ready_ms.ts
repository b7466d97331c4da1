/** startup.ready_ms: process start to ready (headless, demo procedure loaded, runner up). Median of 5 cold starts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadless, stop } from '../lib/headless.ts';
import { median, report } from '../lib/report.ts';

const samples: number[] = [];
for (let i = 0; i < 5; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
  const { child, ms } = await startHeadless(['--data-dir', dir, '--port', '0']);
  samples.push(ms);
  await stop(child);
  rmSync(dir, { recursive: true, force: true });
}
report('startup.ready_ms', median(samples), 'ms', 1500, { samples: samples.map((s) => Math.round(s)) });
