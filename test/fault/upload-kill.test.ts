/**
 * kill -9 of the real headless station while it uploads, at random moments, then a
 * restart on the same data dir, again and again: the receiver ends with every run
 * exactly once by run id (its Idempotency-Key), including runs that were running
 * when the station died (recovered ABORTED and queued). Deliveries the station could
 * not note before it died are sent again; the receiver's distinct and total counts
 * show how many.
 */
import { afterAll, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UploadStatus } from '#contract/upload.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { ApiClient } from '../helpers/ws.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { plainRun } from '../helpers/run-records.ts';
import { mulberry32 } from '../helpers/random.ts';

const running: Headless[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  await Promise.all(running.map((h) => h.kill9()));
  for (const c of cleanups.reverse()) await c();
});

test('kill -9 during uploads at random moments: the receiver has every run exactly once', async () => {
  const seed = Number(process.env.PASSLINE_FAULT_SEED ?? Date.now() % 1_000_000);
  const rnd = mulberry32(seed);
  // A receiver that takes 0–12 ms to answer: kills land between "it has the run" and "the station noted it".
  const receiver = await startReceiver({ fault: () => ({ kind: 'delay', ms: Math.floor(rnd() * 12) }) });
  cleanups.push(() => receiver.close());
  const tmp = tempDir('passline-upload-kill-');
  cleanups.push(tmp.remove);
  const dataDir = tmp.dir;
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      uploadTargets: [{ id: 'mes', kind: 'http', url: receiver.url, timeoutMs: 2000, concurrency: 2 }],
      uploadRetry: { firstDelayMs: 10, maxDelayMs: 200 },
    }),
  );
  // A backlog, queued as finished runs are.
  const SEEDED = 1500;
  const db = openDatabase(dataDir);
  const repo = new RunsRepo(db);
  const expected = new Set<string>();
  repo.transaction(() => {
    for (let i = 0; i < SEEDED; i++) {
      const rec = plainRun(`KU-${i + 1}`, { perPhase: 5, startMs: Date.UTC(2026, 3, 1) + i * 1000 });
      repo.insertRecord(rec, ['mes']);
      expected.add(rec.id);
    }
  });
  db.close();

  let kills = 0;
  for (let boot = 0; boot < 12 && receiver.distinct() < expected.size; boot++) {
    // Kill after a random stretch of deliveries from now (the station starts sending while it boots).
    const killAt = receiver.requests.length + 30 + Math.floor(rnd() * 200);
    const h = await startHeadless({ dataDir, sequences: FIXTURE_SEQUENCES, procedure: 'stream' });
    running.push(h);
    // A unit under test while the queue drains: it finishes, or is recovered after the kill; either way it is queued.
    const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
    const started = await api.invoke('run.start', { serialNumber: `LIVE-${boot}` });
    if (started.ok) expected.add((started.value as { runId: string }).runId);
    await api.close();
    await receiver.until(() => receiver.requests.length >= killAt || receiver.distinct() >= expected.size, `${killAt} requests or all runs`);
    await h.kill9();
    kills++;
  }

  // The last start: no kill; the queue drains by itself.
  const h = await startHeadless({ dataDir, sequences: FIXTURE_SEQUENCES, procedure: 'stream' });
  running.push(h);
  await receiver.distinctReaches(expected.size, 120_000);
  const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
  api.sendRaw(JSON.stringify({ type: 'subscribe' }));
  const now = await api.invoke('upload.status', {});
  if (!now.ok || (now.value as UploadStatus).waitingRuns > 0) {
    await api.next((f) => {
      const e = (f as { event?: { kind: string; data: UploadStatus } }).event;
      return e?.kind === 'upload.queueChanged' && e.data.waitingRuns === 0;
    }, 'the queue drained');
  }
  const status = (await api.invoke('upload.status', {})) as { ok: true; value: UploadStatus };
  await api.close();

  console.log(
    `seed ${seed}: ${kills} kills; receiver has ${receiver.distinct()} distinct runs of ${expected.size} expected, in ${receiver.total()} deliveries (${receiver.total() - receiver.distinct()} sent again after a kill)`,
  );
  expect(kills).toBeGreaterThanOrEqual(6);
  expect([...receiver.runs.keys()].sort()).toEqual([...expected].sort());
  expect(status.value).toMatchObject({ online: true, waitingRuns: 0, parkedRuns: 0 });
  expect(status.value.targets[0]).toMatchObject({ id: 'mes', waiting: 0, delivered: expected.size });
}, 300_000);
