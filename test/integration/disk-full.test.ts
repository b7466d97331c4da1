/**
 * A disk that fills while the station works, on a real small filesystem (tmpfs, needs
 * root as the station machines and CI have) with real runner processes: the verdict on
 * the screen is the one stored, attachments are never kept half written, the storage
 * state reaches the screens and goes when space returns, a full disk at start waits for
 * space instead of stopping the station, and backups stay bounded.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import type { StationSnapshot } from '#contract/commands.ts';
import type { RunSummary } from '#contract/records.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { writeProcedure } from '../helpers/procedure-files.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { loginAs, type Invoke } from '../helpers/people.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real small filesystem for the data folder. */
function tinyDisk(sizeKb: number): string {
  const t = tempDir('passline-disk-');
  const dir = join(t.dir, 'mnt');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir]);
    t.remove();
  });
  return dir;
}

/** Fills the disk to the last page; returns the filler's path (remove it to free the space). */
function fill(dir: string): string {
  const path = join(dir, `filler-${Math.random().toString(36).slice(2)}.bin`);
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 7);
  try {
    for (;;) if (writeSync(fd, page) < page.length) break;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Fills the disk until at most `leave` bytes are free. */
function fillTo(dir: string, leave: number): string {
  const path = join(dir, `filler-${Math.random().toString(36).slice(2)}.bin`);
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 7);
  try {
    while (statfsSync(dir).bavail * statfsSync(dir).bsize > leave) writeSync(fd, page);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Every stored attachment file, and whether its name is the sha256 of its bytes. */
function attachmentFiles(dataDir: string): { name: string; sound: boolean }[] {
  const root = join(dataDir, 'attachments');
  let subdirs: string[] = [];
  try {
    subdirs = readdirSync(root);
  } catch {
    return [];
  }
  return subdirs.flatMap((d) =>
    readdirSync(join(root, d)).map((name) => ({
      name,
      sound:
        createHash('sha256')
          .update(readFileSync(join(root, d, name)))
          .digest('hex') === name,
    })),
  );
}

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Five phases; the second waits for a marker file, so the test can fill the disk while
 * the run is under way. The third attaches 300 KiB of random bytes.
 */
function fillProcedure(): { root: string; marker: string } {
  const t = tempDir('passline-fillproc-');
  cleanups.push(t.remove);
  const marker = join(t.dir, 'go');
  writeProcedure(
    t.dir,
    'disk-fill',
    `id: disk-fill
name: Disk fill fixture
version: 1.0.0
serialPattern: '^D-[0-9]+$'
serialExample: D-1
phases:
  - { name: one, timeoutMs: 30000 }
  - { name: two, timeoutMs: 30000 }
  - { name: three, timeoutMs: 30000 }
  - { name: four, timeoutMs: 30000 }
  - { name: five, timeoutMs: 30000 }
`,
    `import type { PhaseContext } from '#station/engine/sdk.ts';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
const text = 'x'.repeat(20000);
export async function one(ctx: PhaseContext): Promise<void> { ctx.log.info(text); }
export async function two(ctx: PhaseContext): Promise<void> {
  while (!existsSync(${JSON.stringify(marker)}) && ctx.unit.serialNumber === 'D-1') await ctx.sleep(20);
  ctx.log.info(text);
}
export async function three(ctx: PhaseContext): Promise<void> {
  if (ctx.unit.serialNumber.startsWith('D-9')) ctx.attach('scope.bin', randomBytes(300 * 1024));
  ctx.log.info(text);
}
export async function four(ctx: PhaseContext): Promise<void> { ctx.log.info(text); }
export async function five(ctx: PhaseContext): Promise<void> { ctx.log.info(text); }
`,
  );
  return { root: t.dir, marker };
}

async function fillStation(dataDir: string, root: string, settings: Record<string, unknown> = {}): Promise<TestStation> {
  const ts = await openTestStation({ procedureId: 'disk-fill', sequenceFolder: root, dataDir, settings: { minFreeBytes: 64 * 1024, ...settings } });
  cleanups.push(() => ts.close({ keepData: true }));
  return ts;
}

const storageOf = (ts: TestStation): StationSnapshot['storage'] => ts.station.snapshot().storage;

describe('the disk fills during a run', () => {
  test('the run ends ERROR on the screen at once, the store never claims PASS, no half attachment is kept, and the banner comes and goes', async () => {
    const dir = tinyDisk(2048);
    const { root, marker } = fillProcedure();
    const ts = await fillStation(dir, root);
    // A 2 MiB disk is below the 'nearly full' margin, never below the floor.
    expect(storageOf(ts).state).toBe('low');

    const runId = await ts.start('D-1');
    await ts.events.waitFor('run.phaseEnded', (e) => e.runId === runId && e.data.phase.name === 'one');
    const filler = fill(dir);
    writeFileSync(marker, '');
    const ended = await ts.ended(runId);

    // What the operator sees is not a PASS, and says why.
    expect(ended.data.outcome).toBe('ERROR');
    expect(ended.data.outcomeReason).toMatch(/^results could not be saved: disk full/);
    expect(ts.events.ofKind('run.ended', runId)).toHaveLength(1);
    expect(ts.station.snapshot().sockets[0]!.run?.outcome).toBe('ERROR');
    // The storage state reached the screens as an event, not only in a fresh snapshot.
    const full = await ts.events.waitFor('storage.changed', (e) => e.data.state === 'full');
    expect(full.data.message).toMatch(/disk is full/i);
    expect(storageOf(ts).state).toBe('full');
    // No new run while the disk is full.
    const refused = await ts.station.invoke('run.start', { serialNumber: 'D-2' });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'disk.full' } });
    // Whatever the store kept, it does not claim PASS.
    const stored = await ts.record(runId);
    expect(stored.outcome).not.toBe('PASS');
    // No attachment is kept under a hash that is not its content, and no temporary file is left.
    expect(attachmentFiles(dir).filter((f) => !f.sound)).toEqual([]);

    // Space returns: the banner goes by itself, the run's end is stored as shown, runs go on.
    rmSync(filler);
    await ts.events.waitFor('storage.changed', (e) => e.data.state === 'low', { afterSeq: full.seq });
    const after = await until('the run stored as ERROR', () => {
      const r = ts.station.handlers['runs.get']({ runId }, ts.station.window) as { outcome: string; outcomeReason?: string };
      return r.outcome === 'ERROR' ? r : undefined;
    });
    expect(after.outcomeReason).toMatch(/^results could not be saved: disk full/);
    await ts.station.ready();
    const next = await ts.start('D-3');
    expect((await ts.ended(next)).data.outcome).toBe('PASS');
    const listed = (ts.station.handlers['runs.list']({ limit: 10 }, ts.station.window) as { runs: RunSummary[] }).runs;
    expect(listed.map((r) => [r.serialNumber, r.outcome])).toEqual([
      ['D-3', 'PASS'],
      ['D-1', 'ERROR'],
    ]);
    expect(attachmentFiles(dir).every((f) => f.sound)).toBe(true);
  }, 60_000);
});

describe('an attachment that does not fit', () => {
  test('is never kept under its hash half written: the run ends ERROR saying the disk is full, no partial or temporary file stays', async () => {
    const dir = tinyDisk(2048);
    const { root } = fillProcedure();
    const ts = await fillStation(dir, root);
    // Room for the run's journal, not for the 300 KiB attachment.
    fillTo(dir, 200 * 1024);
    const runId = await ts.start('D-9');
    const ended = await ts.ended(runId);
    expect(ended.data.outcome).toBe('ERROR');
    expect(ended.data.outcomeReason).toMatch(/disk full/);
    // The run is stopped by killing its runner, which may be mid-write: once the fresh runner
    // is up (the socket takes the next unit), what the killed one left half written is gone.
    await ts.events.waitFor('runner.changed', (e) => e.data.state === 'ready', { afterSeq: ended.seq });
    expect(attachmentFiles(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'attachments'), { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
    expect((await ts.record(runId)).outcome).not.toBe('PASS');
  }, 30_000);
});

/** A station killed mid-run on `dataDir`: one PASS run stored, one left RUNNING with a phase journaled, WAL and all. */
function crashMidRun(dataDir: string): { passed: string; interrupted: string } {
  const script = `
    import { openDatabase } from '#station/store/db.ts';
    import { RunsRepo } from '#station/store/runs-repo.ts';
    const repo = new RunsRepo(openDatabase(process.argv[1]));
    const run = (id, serial, startedAt) => repo.insertRun({ id, stationId: 's1', socket: 0, appVersion: '0.1.0',
      procedure: { id: 'disk-fill', name: 'Disk fill fixture', version: '1.0.0', hash: 'h' }, unit: { serialNumber: serial }, startedAt });
    run('run-passed', 'D-7', '2026-01-01T08:00:00.000Z');
    repo.finishRun('run-passed', { outcome: 'PASS', endedAt: '2026-01-01T08:00:01.000Z', durationMs: 1000 }, [], []);
    run('run-interrupted', 'D-8', '2026-01-01T08:01:00.000Z');
    repo.insertPhases('run-interrupted', [{ index: 0, name: 'one', group: 'main', attempt: 1, outcome: 'PASS', startedAt: '2026-01-01T08:01:00.000Z',
      endedAt: '2026-01-01T08:01:02.000Z', durationMs: 2000, measurements: [], logs: [] }]);
    process.kill(process.pid, 'SIGKILL');
  `;
  try {
    execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script, dataDir], { cwd: REPO_ROOT, stdio: 'pipe' });
  } catch (e) {
    if ((e as { signal?: string }).signal !== 'SIGKILL') throw e;
  }
  return { passed: 'run-passed', interrupted: 'run-interrupted' };
}

describe('a full disk at start', () => {
  test('the station starts, shows the history, says recovery waits for space, and recovers when space returns', async () => {
    const dir = tinyDisk(2048);
    const { root } = fillProcedure();
    const { passed, interrupted } = crashMidRun(dir);
    const filler = fill(dir);
    const ts = await fillStation(dir, root);
    const snap = ts.station.snapshot();
    expect(snap.procedureError).toBeNull();
    expect(snap.storage.state).toBe('full');
    expect(snap.storage.message).toMatch(/disk is full.*1 interrupted run.*waits? for space/i);
    const history = await ts.station.invoke('runs.list', { limit: 10 });
    expect(history.ok && (history.value as { runs: RunSummary[] }).runs.map((r) => [r.id, r.outcome])).toEqual([
      [interrupted, 'RUNNING'],
      [passed, 'PASS'],
    ]);
    expect(await ts.station.invoke('run.start', { serialNumber: 'D-2' })).toMatchObject({ ok: false, error: { kind: 'disk.full' } });

    rmSync(filler);
    await ts.events.waitFor('storage.changed', (e) => e.data.state === 'low', { timeoutMs: 15_000 });
    const rec = await ts.record(interrupted);
    expect(rec).toMatchObject({ outcome: 'ABORTED', outcomeReason: 'station stopped during run' });
    expect(rec.phases.map((p) => p.name)).toEqual(['one']);
    const next = await ts.start('D-3');
    expect((await ts.ended(next)).data.outcome).toBe('PASS');
  }, 60_000);
});

describe('store.backup', () => {
  test("is a supervisor's command, keeps the newest backupKeep copies, refuses to pass the free-disk floor and never answers ok with an empty copy", async () => {
    const dir = tinyDisk(4096);
    const { root } = fillProcedure();
    const ts = await fillStation(dir, root, { backupKeep: 2, minFreeBytes: 256 * 1024 });
    const runId = await ts.start('D-5');
    await ts.ended(runId);
    const backups = () => readdirSync(join(dir, 'backups')).sort();
    const invoke: Invoke = (name, input) => ts.station.invoke(name, input);

    // The operator at the screen may not; nor may anyone name a supervisor in the input.
    expect(await invoke('store.backup', {})).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'store.backup needs the role supervisor (you are logged in as an operator)' },
    });
    await loginAs(invoke, 'supervisor');
    expect(await invoke('store.backup', { by: 'SUP-1' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-input', message: expect.stringMatching(/^by: /) },
    });

    const paths: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await invoke('store.backup', {});
      if (!res.ok) throw new Error(res.error.message);
      const { path, bytes } = res.value as { path: string; bytes: number };
      expect(bytes).toBeGreaterThan(0);
      const copy = new DatabaseSync(path, { readOnly: true });
      expect((copy.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id)).toEqual([runId]);
      copy.close();
      paths.push(path);
    }
    // Only the two newest stay.
    expect(backups()).toEqual(
      paths
        .slice(2)
        .map((p) => p.split('/').at(-1))
        .sort(),
    );

    // A copy that would take the disk under the floor is refused, and nothing is left behind.
    const filler = fillTo(dir, 300 * 1024);
    const refused = await invoke('store.backup', {});
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'disk.full', message: expect.stringMatching(/^No backup was written: a copy needs about [\d.]+ MB and the disk has [\d.]+ MB free/) },
    });
    expect(backups()).toHaveLength(2);
    rmSync(filler);
  }, 30_000);
});

describe('a full disk at start, the database closed cleanly', () => {
  test('is not reported as a damaged database: the history is shown, the banner says the disk is full, and runs start once space is freed, with no restart', async () => {
    const dir = tinyDisk(2048);
    const { root } = fillProcedure();
    const first = await openTestStation({ procedureId: 'disk-fill', sequenceFolder: root, dataDir: dir, settings: { minFreeBytes: 64 * 1024 } });
    const runId = await first.start('D-4');
    await first.ended(runId);
    await first.close({ keepData: true });
    const filler = fill(dir);
    const ts = await fillStation(dir, root);
    const snap = ts.station.snapshot();
    expect(snap.database.state).toBe('ok');
    expect(snap.procedureError).toBeNull();
    expect(snap.storage).toMatchObject({
      state: 'full',
      message: expect.stringMatching(/^The station disk is full.*no new run can start until space is freed/),
    });
    const history = await ts.station.invoke('runs.list', { limit: 10 });
    expect(history.ok && (history.value as { runs: RunSummary[] }).runs.map((r) => [r.id, r.outcome])).toEqual([[runId, 'PASS']]);
    expect(await ts.station.invoke('run.start', { serialNumber: 'D-2' })).toMatchObject({ ok: false, error: { kind: 'disk.full' } });

    rmSync(filler);
    await ts.events.waitFor('storage.changed', (e) => e.data.state !== 'full', { timeoutMs: 15_000 });
    const next = await ts.start('D-5');
    expect((await ts.ended(next)).data.outcome).toBe('PASS');
    expect((await ts.record(next)).outcome).toBe('PASS');
    await ts.close({ keepData: true });
    // What it wrote is in the file for the next start.
    const again = await fillStation(dir, root);
    const listed = await again.station.invoke('runs.list', { limit: 10 });
    expect(listed.ok && (listed.value as { runs: RunSummary[] }).runs.map((r) => [r.id, r.outcome])).toEqual([
      [next, 'PASS'],
      [runId, 'PASS'],
    ]);
  }, 60_000);
});
