/**
 * Retention deletes only what every upload target has acknowledged: a run still
 * pending, parked, or never queued anywhere is never deleted, and an attachment file
 * goes only when no remaining run refers to it.
 */
import { afterEach, expect, test } from 'vitest';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { AttachmentStore } from '#station/store/attachments.ts';
import type { PhaseRecord } from '#contract/records.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

test('prune deletes old runs every target acknowledged, nothing else, and frees their orphaned attachments', () => {
  const t = tempDir();
  cleanups.push(t.remove);
  const db = openDatabase(t.dir);
  cleanups.push(() => db.close());
  const repo = new RunsRepo(db);
  const files = new AttachmentStore(t.dir);
  const shared = files.put(Buffer.from('shared trace'));
  const own = files.put(Buffer.from('only in the old run'));

  const add = (id: string, endedAt: string, targets: Record<string, string>, attach: { sha256: string; size: number }[] = []) => {
    repo.insertRun({
      id,
      stationId: 's',
      socket: 0,
      appVersion: '0',
      procedure: { id: 'p', name: 'P', version: '1', hash: 'h' },
      unit: { serialNumber: id },
      startedAt: endedAt,
    });
    const phase: PhaseRecord = {
      index: 0,
      name: 'p0',
      group: 'main',
      attempt: 1,
      outcome: 'PASS',
      startedAt: endedAt,
      endedAt,
      durationMs: 1,
      measurements: [],
      logs: [],
      attachments: attach.map((a, i) => ({ name: `f${i}.txt`, mediaType: 'text/plain', ...a })),
    };
    repo.finishRun(id, { outcome: 'PASS', endedAt, durationMs: 1 }, [phase], Object.keys(targets));
    for (const [target, state] of Object.entries(targets)) db.prepare('UPDATE outbox SET state = ? WHERE run_id = ? AND target = ?').run(state, id, target);
  };
  const old = '2026-01-01T00:00:00.000Z';
  const recent = '2026-06-01T00:00:00.000Z';
  add('A-delivered', old, { http: 'delivered', folder: 'delivered' }, [shared, own]);
  add('B-pending', old, { http: 'pending' });
  add('C-parked', old, { http: 'parked' });
  add('D-never-queued', old, {});
  add('E-recent', recent, { http: 'delivered' }, [shared]);
  add('F-half', old, { http: 'delivered', folder: 'pending' });
  add('G-dropped', old, { http: 'dropped' });

  const r = repo.prune('2026-03-01T00:00:00.000Z');
  expect(r.runs).toBe(1);
  expect(r.orphanedAttachments).toEqual([own.sha256]);
  const left = repo
    .listRuns({ limit: 100 })
    .map((x) => x.id)
    .sort();
  expect(left).toEqual(['B-pending', 'C-parked', 'D-never-queued', 'E-recent', 'F-half', 'G-dropped']);
  expect(() => repo.getRun('A-delivered')).toThrow('no run with id A-delivered');
  expect(db.prepare("SELECT count(*) AS n FROM outbox WHERE run_id = 'A-delivered'").get()).toEqual({ n: 0 });
  // The shared file stays for E; the caller removes what prune reports.
  for (const sha of r.orphanedAttachments) files.remove(sha);
  expect(files.has(shared.sha256)).toBe(true);
  expect(files.has(own.sha256)).toBe(false);
  expect(repo.prune('2026-03-01T00:00:00.000Z')).toEqual({ runs: 0, orphanedAttachments: [] });
});
