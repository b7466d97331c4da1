/**
 * kill -9 of the real headless station in the middle of its work, then a restart on
 * the same data dir: every run is there exactly once, an interrupted run is
 * ABORTED "station stopped during run" with the phases it finished, finished runs
 * are untouched, the database passes its integrity check, and seq numbers seen
 * live are never handed out again.
 */
import { afterAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RunRecord, RunSummary } from '#contract/records.ts';
import type { StationEvent } from '#contract/events.ts';
import { DB_FILE } from '#station/store/db.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { ApiClient } from '../helpers/ws.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { mulberry32 } from '../helpers/random.ts';

const PHASES = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const running: Headless[] = [];
const dirs: (() => void)[] = [];
afterAll(async () => {
  await Promise.all(running.map((h) => h.kill9()));
  for (const d of dirs) d();
});

/**
 * Starts the station and subscribes to its events from a little before its first one on, so
 * every event of this boot comes, replayed then live. Not from 0: after dozens of boots a
 * replay of everything passes the station's 8 MB limit for a slow subscriber on a loaded
 * machine and is cut off (the subscriber is to reconnect from its last seq); the newest
 * station.started it got would then be an older boot's. From the station's own seq, not
 * from what the test saw before: a boot that reused seq numbers still shows them.
 */
async function boot(dataDir: string): Promise<{ h: Headless; api: ApiClient }> {
  const h = await startHeadless({ dataDir, sequences: FIXTURE_SEQUENCES, procedure: 'stream' });
  running.push(h);
  const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
  const { seq } = await call<{ seq: number }>(api, 'station.snapshot', {});
  // A boot publishes a handful of events before anyone connects.
  api.sendRaw(JSON.stringify({ type: 'subscribe', afterSeq: Math.max(0, seq - 200) }));
  return { h, api };
}

/** The events of the newest boot: from its station.started on (a replay from seq 0 shows older boots first). */
function thisBoot(events: readonly StationEvent[]): StationEvent[] {
  const i = events.findLastIndex((e) => e.kind === 'station.started');
  return events.slice(i);
}

async function call<T>(api: ApiClient, name: string, input: unknown): Promise<T> {
  const res = await api.invoke(name, input);
  if (!res.ok) throw new Error(`${name}: ${res.error.kind}: ${res.error.message}`);
  return res.value as T;
}

const allRuns = (api: ApiClient) => call<{ runs: RunSummary[] }>(api, 'runs.list', { limit: 500 }).then((r) => r.runs);

function integrity(dataDir: string): string {
  const db = new DatabaseSync(join(dataDir, DB_FILE), { readOnly: true });
  try {
    return (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

test('kill -9 mid-run: the run is ABORTED with its finished phases, earlier runs intact and there once', async () => {
  const tmp = tempDir('passline-fault-');
  dirs.push(tmp.remove);
  const first = await boot(tmp.dir);

  // Two finished runs before the crash.
  const done: string[] = [];
  for (const serial of ['K-1', 'K-2']) {
    const { runId } = await call<{ runId: string }>(first.api, 'run.start', { serialNumber: serial });
    await first.api.event((e) => e.kind === 'run.ended' && e.runId === runId, `run.ended of ${serial}`);
    done.push(runId);
  }
  const before = await Promise.all(done.map((id) => call<RunRecord>(first.api, 'runs.get', { runId: id })));

  // A third run, killed after p3 has ended (and p4 has measured, a later turn of the station's loop).
  const { runId } = await call<{ runId: string }>(first.api, 'run.start', { serialNumber: 'K-3' });
  await first.api.event((e) => e.kind === 'run.measured' && e.runId === runId && e.data.phase === 'p4', 'p4 measured');
  const seenBeforeKill = first.api.events.map((e) => e.seq);
  await first.h.kill9();

  const second = await boot(tmp.dir);
  const rec = await call<RunRecord>(second.api, 'runs.get', { runId });
  expect(rec.outcome).toBe('ABORTED');
  expect(rec.outcomeReason).toBe('station stopped during run');
  const names = rec.phases.map((p) => p.name);
  expect(names.length).toBeGreaterThanOrEqual(4);
  expect(names).toEqual(PHASES.slice(0, names.length));
  // Every phase it finished passed; the one running at the kill is kept, ABORTED.
  const cut = rec.phases.at(-1)!;
  expect(cut).toMatchObject({ outcome: 'ABORTED', error: { kind: 'aborted', message: 'the station stopped during this phase' } });
  expect(rec.phases.slice(0, -1).every((p) => p.outcome === 'PASS')).toBe(true);
  expect(rec.phases[2]!.measurements).toMatchObject([{ name: 'm3', value: 3, outcome: 'PASS' }]);
  // It ends when the station was last alive: not before the cut phase began.
  expect(rec.endedAt! >= cut.startedAt).toBe(true);
  expect(rec.endedAt).toBe(cut.endedAt);
  // The next start says which unit's run was cut off, and where.
  const snap = await call<{ recoveredRuns: { runId: string; serialNumber: string; socket: number; phase?: string }[] }>(second.api, 'station.snapshot', {});
  expect(snap.recoveredRuns).toEqual([expect.objectContaining({ runId, serialNumber: 'K-3', socket: 0, phase: cut.name })]);

  // The finished runs are exactly as they were, and every run is listed once.
  for (const r of before) expect(await call<RunRecord>(second.api, 'runs.get', { runId: r.id })).toEqual(r);
  const runs = await allRuns(second.api);
  expect(runs.map((r) => r.id).sort()).toEqual([...done, runId].sort());
  expect(runs.filter((r) => r.outcome === 'RUNNING')).toEqual([]);

  // The event stream after the restart never reuses a number the subscriber saw.
  expect(thisBoot(second.api.events)[0]!.seq).toBeGreaterThan(Math.max(...seenBeforeKill));

  // The station still works, then stops cleanly; the file is sound.
  const { runId: after } = await call<{ runId: string }>(second.api, 'run.start', { serialNumber: 'K-4' });
  await second.api.event((e) => e.kind === 'run.ended' && e.runId === after && e.data.outcome === 'PASS', 'run.ended of K-4');
  await second.api.close();
  await second.h.stop();
  expect(second.h.child.exitCode).toBe(0);
  expect(integrity(tmp.dir)).toBe('ok');
});

/** How many times the stream is killed (the store issue asks for 50); PASSLINE_FAULT_KILLS overrides. */
const KILLS = Number(process.env.PASSLINE_FAULT_KILLS ?? 50);

test(`kill -9 at ${KILLS} random moments over a stream of runs: nothing lost, nothing duplicated`, async () => {
  const seed = Number(process.env.PASSLINE_FAULT_SEED ?? Date.now() % 1_000_000);
  const random = mulberry32(seed);
  const context = `(replay with PASSLINE_FAULT_SEED=${seed})`;
  const tmp = tempDir('passline-fault-');
  dirs.push(tmp.remove);

  /** run.start acknowledged by the station. */
  const acknowledged = new Set<string>();
  /** run.ended seen live: the outcome the operator saw. */
  const seenEnded = new Map<string, StationEvent>();
  /** Per boot: the seq numbers the subscriber saw that boot publish. */
  const seqsPerBoot: number[][] = [];

  for (let k = 0; k < KILLS; k++) {
    const { h, api } = await boot(tmp.dir);
    // A stream of runs, back to back, as a busy line would scan them.
    let stopped = false;
    const stream = (async () => {
      for (let n = 0; !stopped; n++) {
        const res = await api.invoke('run.start', { serialNumber: `R-${k}-${n}` }).catch(() => null);
        if (!res) return;
        // Ready at boot and after every run: a refused scan is a finding.
        if (!res.ok) throw new Error(`run.start refused: ${res.error.kind}: ${res.error.message} ${context}`);
        const id = (res.value as { runId: string }).runId;
        acknowledged.add(id);
        const ended = await api.event((e) => e.kind === 'run.ended' && e.runId === id, 'run.ended').catch(() => null);
        if (!ended) return;
        seenEnded.set(id, ended);
      }
    })();
    // A random moment: during a run, between runs, a few runs in (a run takes about half a second).
    await new Promise((r) => setTimeout(r, 50 + random() * 1500));
    stopped = true;
    await h.kill9();
    await api.close().catch(() => undefined);
    await stream.catch((e: unknown) => {
      throw e instanceof Error && e.message.includes(context) ? e : new Error(`${String(e)} ${context}`);
    });
    seqsPerBoot.push(thisBoot(api.events).map((e) => e.seq));
  }

  // One last clean boot to read the books.
  const { h, api } = await boot(tmp.dir);
  const runs = await allRuns(api);
  const ids = runs.map((r) => r.id);
  const stored = new Set(ids);

  // Nothing duplicated: one row per run.
  expect(ids.length, `duplicate run rows ${context}`).toBe(stored.size);
  // Nothing lost: every acknowledged start is stored; at most one start per kill was stored without its reply arriving.
  expect(
    [...acknowledged].filter((id) => !stored.has(id)),
    `acknowledged runs missing ${context}`,
  ).toEqual([]);
  expect(stored.size - acknowledged.size, `unacknowledged stored runs ${context}`).toBeLessThanOrEqual(KILLS);
  expect(acknowledged.size, `the stream ran ${context}`).toBeGreaterThan(KILLS);
  // Nothing left hanging, and every run's outcome is what the operator saw, with all its phases.
  expect(
    runs.filter((r) => r.outcome === 'RUNNING'),
    `runs left RUNNING ${context}`,
  ).toEqual([]);
  for (const [id, ended] of seenEnded) {
    const rec = await call<RunRecord>(api, 'runs.get', { runId: id });
    expect(rec.outcome, `outcome of ${id} ${context}`).toBe((ended as Extract<StationEvent, { kind: 'run.ended' }>).data.outcome);
    expect(
      rec.phases.map((p) => p.name),
      `phases of ${id} ${context}`,
    ).toEqual(PHASES);
  }
  for (const r of runs.filter((x) => !seenEnded.has(x.id))) {
    const rec = await call<RunRecord>(api, 'runs.get', { runId: r.id });
    // The store commits a run's end before it tells anyone: a kill in between leaves a
    // finished run whose run.ended nobody saw. It must then be whole.
    if (r.outcome !== 'ABORTED') {
      expect(
        rec.phases.map((p) => p.name),
        `finished run ${r.id} whose end was not seen ${context}`,
      ).toEqual(PHASES);
      continue;
    }
    expect(r, `run cut by a kill ${context}`).toMatchObject({ outcome: 'ABORTED', outcomeReason: 'station stopped during run' });
    // What it kept is a prefix of the plan, each phase once: the finished ones passed, and
    // the one running at the kill (if its start had been journaled) ABORTED.
    expect(
      rec.phases.map((p) => p.name),
      `phases kept by ${r.id} ${context}`,
    ).toEqual(PHASES.slice(0, rec.phases.length));
    expect(
      rec.phases.every((p, i) => p.outcome === 'PASS' || (i === rec.phases.length - 1 && p.outcome === 'ABORTED')),
      `phases kept by ${r.id} ${context}`,
    ).toBe(true);
  }
  // Seq numbers seen live were never handed out again by a later boot.
  seqsPerBoot.push(thisBoot(api.events).map((e) => e.seq));
  // Each boot's first and last seq, to read a failure by.
  const ranges = seqsPerBoot.map((s, b) => `${b}:${s[0]}-${s.at(-1)}`).join(' ');
  for (let b = 1; b < seqsPerBoot.length; b++) {
    const seenBefore = Math.max(...seqsPerBoot.slice(0, b).flat());
    expect(seqsPerBoot[b]![0], `boot ${b} reused seq numbers ${context}; seq per boot ${ranges}`).toBeGreaterThan(seenBefore);
  }

  await api.close();
  await h.stop();
  expect(integrity(tmp.dir), context).toBe('ok');
}, 900_000);
