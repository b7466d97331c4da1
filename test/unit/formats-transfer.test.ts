/**
 * exportRuns / importRuns as a caller without the station uses them (the CLI): two data
 * folders with real SQLite files and attachment stores; the files go with the runs, each
 * checked on the way in, and an export too big to read back is refused, saying so.
 */
import { afterEach, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { NativeRun } from '#contract/records.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { AttachmentStore } from '#station/store/attachments.ts';
import { exportRuns, importRuns } from '#station/formats/transfer.ts';
import { fullRun, plainRun, withAttachments } from '../helpers/run-records.ts';
import { tempDir } from '../helpers/paths.ts';

const open: { db: DatabaseSync; remove(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.db.close();
    o.remove();
  }
});

function dataDir(): { repo: RunsRepo; files: AttachmentStore } {
  const t = tempDir('passline-transfer-');
  const db = openDatabase(t.dir);
  open.push({ db, remove: t.remove });
  return { repo: new RunsRepo(db), files: new AttachmentStore(t.dir) };
}

test.each(['native', 'openhtf'] as const)('%s: exportRuns → importRuns into another data folder: the same files, each giving its sha256', (format) => {
  const a = dataDir();
  const b = dataDir();
  const rec = fullRun('FAIL');
  const sent = withAttachments(rec, a.files);
  a.repo.insertRecord(rec);
  const out = exportRuns(a.repo, { format, runId: rec.id, limit: 1 }, a.files);
  expect(out.warnings).toBeUndefined();
  expect(importRuns(b.repo, format, out.content, b.files)).toEqual({ imported: [rec.id], skipped: [] });
  expect(b.repo.getRun(rec.id).phases.map((p) => p.attachments)).toEqual(rec.phases.map((p) => p.attachments));
  for (const [sha, bytes] of sent) {
    const arrived = b.files.readChecked(sha);
    expect(createHash('sha256').update(arrived).digest('hex')).toBe(sha);
    expect(arrived).toEqual(bytes);
  }
});

test('a range embeds each run’s files; past maxAttachmentBytes the export is refused, and attachments: false goes through naming them', () => {
  const a = dataDir();
  const recs = [plainRun('R-1', { startMs: Date.UTC(2026, 3, 1) }), plainRun('R-2', { startMs: Date.UTC(2026, 3, 2) })];
  for (const r of recs) {
    withAttachments(r, a.files);
    a.repo.insertRecord(r);
  }
  const q = { format: 'native' as const, from: '2026-01-01T00:00:00.000Z', limit: 10 };
  const all = exportRuns(a.repo, q, a.files);
  const lines = all.content
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as NativeRun);
  expect(lines.map((l) => Object.keys(l.attachmentData ?? {}).length)).toEqual([4, 4]);
  expect(() => exportRuns(a.repo, { ...q, maxAttachmentBytes: 500 }, a.files)).toThrow(
    'attachments: the attachment files come to more than the 500 bytes one export carries (the file must fit what runs.import takes back): export fewer runs, or with attachments: false',
  );
  const bare = exportRuns(a.repo, { ...q, attachments: false, maxAttachmentBytes: 500 }, a.files);
  expect(bare.warnings).toBeUndefined();
  const first = JSON.parse(bare.content.split('\n')[0]!) as NativeRun;
  expect(first.attachmentData).toBeUndefined();
  expect(Object.values(first.attachmentsLeftOut!)).toEqual(Array(4).fill('not included in this export (exported without attachments)'));
});

test('an import given no attachment store keeps the runs and says the files were not stored', () => {
  const a = dataDir();
  const b = dataDir();
  const rec = plainRun('NO-STORE-1');
  withAttachments(rec, a.files);
  a.repo.insertRecord(rec);
  const out = exportRuns(a.repo, { format: 'native', runId: rec.id, limit: 1 }, a.files);
  const r = importRuns(b.repo, 'native', out.content);
  expect(r.imported).toEqual([rec.id]);
  expect(r.warnings).toEqual(['4 attachment file(s) in the import not stored: this import was given no attachment store']);
});
