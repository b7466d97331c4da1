import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadRetrySchema, UploadTargetsSchema, type UploadStatus } from '#contract/upload.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { EventBus } from '#station/events/bus.ts';
import { Uploader } from '#station/uploader/uploader.ts';
import { benchRun } from './records.ts';

/**
 * Drains a backlog of finished runs (queued as the station queues them) to one target,
 * with the station's own uploader and default target settings; returns the time from
 * start to an empty queue.
 */
export async function drainBacklog(
  target: Record<string, unknown>,
  runs: number,
  perRun: { phases: number; perPhase: number },
): Promise<{ ms: number; status: UploadStatus; failed: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'passline-bench-upload-'));
  try {
    const db = openDatabase(dir);
    const repo = new RunsRepo(db);
    const bus = new EventBus(repo);
    const targets = UploadTargetsSchema.parse([target]);
    for (let start = 0; start < runs; start += 1000) {
      repo.transaction(() => {
        for (let i = start; i < Math.min(runs, start + 1000); i++) repo.insertRecord(benchRun(i, perRun.phases, perRun.perPhase), [targets[0]!.id]);
      });
    }
    bus.flush();
    let failed = 0;
    const uploader = new Uploader({ db, repo, bus, targets, retry: UploadRetrySchema.parse({}), appVersion: 'bench', log: () => {} });
    const done = new Promise<UploadStatus>((resolve) => {
      bus.subscribe((e) => {
        if (e.kind === 'upload.failed') failed++;
        if (e.kind === 'upload.queueChanged' && e.data.waitingRuns === 0) resolve(e.data);
      });
    });
    const t0 = performance.now();
    uploader.start();
    const status = await done;
    const ms = performance.now() - t0;
    await uploader.close();
    bus.flush();
    db.close();
    return { ms, status, failed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
