import type { DatabaseSync } from 'node:sqlite';
import { UploadRetrySchema, UploadTargetsSchema, type UploadStatus } from '#contract/upload.ts';
import type { RunRecord } from '#contract/records.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { EventBus } from '#station/events/bus.ts';
import { Uploader } from '#station/uploader/uploader.ts';
import { AttachmentStore } from '#station/store/attachments.ts';
import { EventRecorder } from './events.ts';
import { tempDir } from './paths.ts';

/**
 * The station's upload queue without sockets: a real SQLite store, the event bus and
 * the uploader, with finished runs put in the outbox the way a run's end does it.
 */
export interface Queue {
  dataDir: string;
  db: DatabaseSync;
  repo: RunsRepo;
  bus: EventBus;
  /** The attachment files on the queue's data dir, which the targets read. */
  files: AttachmentStore;
  uploader: Uploader;
  events: EventRecorder;
  logs: string[];
  /** Stores finished runs queued for the given targets (default: every target), then wakes the workers. */
  seed(recs: readonly RunRecord[], targets?: readonly string[]): void;
  /** Resolves with the status once nothing waits (parked runs do not wait). */
  drained(timeoutMs?: number): Promise<UploadStatus>;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export function openQueue(opts: { targets: unknown[]; retry?: Record<string, number>; dataDir?: string; start?: boolean }): Queue {
  const tmp = opts.dataDir ? null : tempDir('passline-upload-');
  const dataDir = opts.dataDir ?? tmp!.dir;
  const db = openDatabase(dataDir);
  const repo = new RunsRepo(db);
  const bus = new EventBus(repo);
  const targets = UploadTargetsSchema.parse(opts.targets);
  const logs: string[] = [];
  const files = new AttachmentStore(dataDir);
  const uploader = new Uploader({
    db,
    repo,
    bus,
    targets,
    retry: UploadRetrySchema.parse(opts.retry ?? {}),
    appVersion: '0.1.0-test',
    log: (level, message) => logs.push(`${level}: ${message}`),
    attachments: files,
  });
  const events = new EventRecorder(bus, 0);
  if (opts.start !== false) uploader.start();
  const all = targets.filter((t) => t.enabled).map((t) => t.id);
  return {
    dataDir,
    db,
    repo,
    bus,
    files,
    uploader,
    events,
    logs,
    seed(recs, to = all) {
      repo.transaction(() => {
        for (const r of recs) repo.insertRecord(r, to);
      });
      uploader.wake();
    },
    drained(timeoutMs = 60_000) {
      const now = uploader.status();
      if (now.waitingRuns === 0) return Promise.resolve(now);
      return events.waitFor('upload.queueChanged', (e) => e.data.waitingRuns === 0, { afterSeq: bus.lastSeq, timeoutMs }).then((e) => e.data);
    },
    async close(o = {}) {
      events.close();
      await uploader.close();
      bus.flush();
      db.close();
      if (tmp && !o.keepData) tmp.remove();
    },
  };
}
