/** store.commit_1000_ms: durable commit (synchronous=FULL) of a finished run with 1000 measurements; median of 30. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import type { PhaseRecord } from '#contract/records.ts';
import { phaseWith } from '../lib/seed.ts';
import { median, percentile, report } from '../lib/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
const db = openDatabase(dir);
const repo = new RunsRepo(db);
const samples: number[] = [];
for (let i = 0; i < 31; i++) {
  const t = new Date().toISOString();
  const id = `run-${i}`;
  repo.insertRun({ id, stationId: 'b', socket: 0, appVersion: '0', procedure: { id: 'p', name: 'P', version: '1', hash: 'h' }, unit: { serialNumber: `SN-${i}` }, startedAt: t });
  const phases: PhaseRecord[] = [];
  for (let p = 0; p < 10; p++) phases.push(phaseWith(p, 100, t));
  const t0 = performance.now();
  repo.finishRun(id, { outcome: 'PASS', endedAt: t, durationMs: 1 }, phases, ['http']);
  if (i > 0) samples.push(performance.now() - t0);
}
db.close();
rmSync(dir, { recursive: true, force: true });
report('store.commit_1000_ms', median(samples), 'ms', 20, { p95: percentile([...samples].sort((a, b) => a - b), 95) });
