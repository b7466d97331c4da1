/**
 * A procedure that cannot load says so: phases.ts that never finishes loading (a
 * top-level await that never settles, a busy loop at import) or that calls process.exit
 * while loading is shown as failed with the reason, in the snapshot, in every refused
 * scan and in `passline run` (exit 2), instead of "getting ready" for good. A broken
 * edit keeps the last good version running. Real runner processes throughout.
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { FIXTURE_SEQUENCES, REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';

const LOAD_TIMEOUT_MS = 1500;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(procedureId: string, sequenceFolder?: string): Promise<TestStation> {
  const ts = await openTestStation({ procedureId, ...(sequenceFolder ? { sequenceFolder } : {}), settings: { procedureLoadTimeoutMs: LOAD_TIMEOUT_MS } });
  cleanups.push(() => ts.close());
  return ts;
}

async function refusal(ts: TestStation, serialNumber: string): Promise<string> {
  const r = await ts.station.invoke('run.start', { serialNumber });
  return r.ok ? 'accepted' : r.error.message;
}

describe('a procedure that cannot load', () => {
  test.each([
    ['load-hang', 'a top-level await that never settles'],
    ['load-spin', 'a busy loop at import'],
  ])('%s (%s): failed to load within the limit, with the reason on the socket and in every refused scan', async (id) => {
    const ts = await open(id);
    const file = join(FIXTURE_SEQUENCES, id, 'phases.ts');
    const message = `${file} did not finish loading within 1.5 s (code at its top level that never finishes)`;
    const snap = ts.station.snapshot();
    expect(snap.procedureError?.message).toBe(message);
    expect(snap.sockets[0]).toMatchObject({ state: 'error', message });
    expect(await refusal(ts, 'X-1')).toBe(message);
  });

  test('process.exit while loading: retried with backoff, then the exit code and its last output', async () => {
    const ts = await open('load-exit');
    const file = join(FIXTURE_SEQUENCES, 'load-exit', 'phases.ts');
    const message = `the runner exited with code 3 while loading ${file} (4 tries)\nIts last output:\nfixture board: no licence dongle found`;
    expect(ts.station.snapshot().procedureError?.message).toBe(message);
    expect(ts.events.ofKind('runner.changed').filter((e) => e.data.state === 'starting')).toHaveLength(4);
    expect(ts.events.ofKind('runner.changed').at(-1)?.data).toMatchObject({ state: 'stopped' });
    expect(await refusal(ts, 'X-1')).toBe(message);
  });

  test('a broken edit that hangs or exits at load keeps the last good version running; a fix loads again', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    cpSync(join(FIXTURE_SEQUENCES, 'quick'), join(t.dir, 'quick'), { recursive: true });
    const ts = await open('quick', t.dir);
    const phases = join(t.dir, 'quick', 'phases.ts');
    const good = readFileSync(phases, 'utf8');
    const still = '\n(still running Quick fixture 1.0.0, the last version that loaded)';

    writeFileSync(phases, `${good}\nwhile (Date.now() > 0) {\n  /* spin */\n}\n`);
    const spun = await ts.events.waitFor('procedure.failed', () => true, { timeoutMs: 30_000 });
    expect(spun.data.error.message).toBe(`${phases} did not finish loading within 1.5 s (code at its top level that never finishes)${still}`);
    await ts.station.ready();
    expect(ts.station.snapshot().procedureWarning?.message).toBe(spun.data.error.message);
    expect(ts.station.snapshot().procedureError).toBeNull();
    const id = await ts.start('Q-1');
    expect((await ts.ended(id)).data.outcome).toBe('PASS');

    writeFileSync(phases, `${good}\nconsole.log('exiting on purpose');\nprocess.exit(3);\n`);
    const exited = await ts.events.waitFor('procedure.failed', () => true, { afterSeq: spun.seq, timeoutMs: 30_000 });
    expect(exited.data.error.message).toBe(`the runner exited with code 3 while loading ${phases} (4 tries)\nIts last output:\nexiting on purpose${still}`);
    await ts.station.ready();
    const id2 = await ts.start('Q-2');
    expect((await ts.ended(id2)).data.outcome).toBe('PASS');

    writeFileSync(phases, good.replace('done with', 'finished'));
    await ts.events.waitFor('procedure.loaded', () => true, { afterSeq: exited.seq, timeoutMs: 30_000 });
    expect(ts.station.snapshot().procedureWarning).toBeNull();
  }, 45_000); // three loads that each wait out a load limit: 10 s alone, twice that on a busy 2-core machine
});

describe('passline run of a procedure that cannot load', () => {
  const CLI = join(REPO_ROOT, 'electron/station/cli.ts');
  const passline = async (...args: string[]) => {
    try {
      await promisify(execFile)(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], { timeout: 30_000 });
      return { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { code: number; stderr: string };
      return { code: err.code, stderr: err.stderr };
    }
  };

  test('a hang at load ends within the limit, exit 2 with the reason; an exit at load names its code', async () => {
    const hang = await passline('run', join(FIXTURE_SEQUENCES, 'load-hang'), '--serial', 'X-1', '--load-timeout', '1.5');
    expect(hang.code).toBe(2);
    expect(hang.stderr).toContain(`passline: ${join(FIXTURE_SEQUENCES, 'load-hang', 'phases.ts')} did not finish loading within 1.5 s`);
    const exit = await passline('run', join(FIXTURE_SEQUENCES, 'load-exit'), '--serial', 'X-1');
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('passline: the runner exited with code 3 while loading');
    expect(exit.stderr).toContain('fixture board: no licence dongle found');
  });
});
