/**
 * A runner never outlives its station: phase code spinning in a tight loop (so the runner
 * never hears its IPC channel close) while the station is killed -9. The runner's watchdog
 * thread sees the parent gone, the supply it held is switched off over a fresh connection,
 * and no runner is left. SIGTERM at the station's first moment stops it cleanly too.
 */
import { afterAll, expect, test } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StationEvent, StationEventOf } from '#contract/events.ts';
import { serveTcp, type SimServer } from '#station/instruments/sim-server.ts';
import { SimBench, SimDevice } from '#station/instruments/sim.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { ApiClient } from '../helpers/ws.ts';
import { FIXTURE_SEQUENCES, REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { until } from '../helpers/sim-bench.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

test('kill -9 of the station while phase code spins: the runner is gone and the supply it held is off', async () => {
  const bench = new SimBench();
  const psu: SimServer = await serveTcp(new SimDevice('psu', bench));
  cleanups.push(() => psu.close());
  const data = tempDir('passline-orphan-');
  cleanups.push(data.remove);
  writeFileSync(join(data.dir, 'settings.json'), JSON.stringify({ instruments: { psu: `${psu.address}?driver=psu` } }));
  const h: Headless = await startHeadless({ dataDir: data.dir, sequences: FIXTURE_SEQUENCES, procedure: 'teardown-kill' });
  cleanups.push(() => h.kill9());
  const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
  api.sendRaw(JSON.stringify({ type: 'subscribe' }));
  await api.invoke('station.snapshot', {});
  const started = await api.invoke('run.start', { serialNumber: 'K-ORPHAN', params: { 'long_phase.mode': 'spin' } });
  expect(started.ok).toBe(true);
  await api.next(
    (f) =>
      (f as { event?: StationEvent }).event?.kind === 'run.phaseStarted' &&
      (f as { event: StationEventOf<'run.phaseStarted'> }).event.data.name === 'long_phase',
    'long_phase started',
  );
  expect(bench.psuOutput).toBe(true);
  const runners = children(h.child.pid!);
  expect(runners.length).toBeGreaterThan(0);

  await h.kill9();
  // Within the watchdog's grace (3 s) and a safe state, not an hour later.
  await until(() => runners.every((p) => !alive(p)), 'the runner ends after its station died', 15_000);
  await until(() => !bench.psuOutput, 'the supply the runner held is switched off', 15_000);
}, 40_000);

test('SIGTERM in the station’s first moment (before it is ready) ends it cleanly, leaving no runner', async () => {
  const data = tempDir('passline-early-term-');
  cleanups.push(data.remove);
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      join(REPO_ROOT, 'electron/server/main.ts'),
      '--data-dir',
      data.dir,
      '--port',
      '0',
      '--sequences',
      FIXTURE_SEQUENCES,
      '--procedure',
      'quick',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  // As soon as a runner exists (the procedure is still loading), or at once.
  await until(() => children(child.pid!).length > 0 || child.exitCode !== null, 'a runner is started', 20_000);
  const runners = children(child.pid!);
  child.kill('SIGTERM');
  const end = await exited;
  expect(end, out).toEqual({ code: 0, signal: null });
  await until(() => runners.every((p) => !alive(p)), 'no runner is left', 10_000);
}, 40_000);

/** `passline run` of the spinning phase, in its own process group as a terminal starts it. */
async function cliRun(
  psu: SimServer,
): Promise<{ child: ReturnType<typeof spawn>; out: () => string; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      join(REPO_ROOT, 'electron/station/cli.ts'),
      'run',
      join(FIXTURE_SEQUENCES, 'teardown-kill'),
      '--serial',
      'K-CTRLC',
      '--param',
      'long_phase.mode=spin',
      '--instrument',
      `psu=${psu.address}?driver=psu`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  cleanups.push(() => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  // The run is in long_phase once main_phase (the phase before it) has printed its line.
  await until(() => /main_phase/.test(out) || child.exitCode !== null, 'the CLI run reaches long_phase', 30_000);
  return { child, out: () => out, exited };
}

test('Ctrl-C of the CLI while phase code spins (the terminal signals the whole group): the run stops ABORTED with its teardown, the supply is off, no runner is left', async () => {
  const bench = new SimBench();
  const psu: SimServer = await serveTcp(new SimDevice('psu', bench));
  cleanups.push(() => psu.close());
  const { child, out, exited } = await cliRun(psu);
  await until(() => bench.psuOutput, 'the supply is on', 10_000);
  const runners = children(child.pid!);
  expect(runners.length).toBeGreaterThan(0);
  process.kill(-child.pid!, 'SIGINT');
  const end = await exited;
  expect(end, out()).toEqual({ code: 2, signal: null });
  expect(out()).toContain('passline: Ctrl-C: stopping the run (teardown and safe state first; press Ctrl-C again to quit at once)');
  expect(out()).toMatch(/^PASS {4}power_off /m);
  expect(out()).toMatch(/^ABORTED \(stopped from the command line \(SIGINT\); the phase did not stop, so the runner was restarted\)/m);
  expect(bench.psuOutput).toBe(false);
  await until(() => runners.every((p) => !alive(p)), 'no runner is left', 10_000);
}, 60_000);

test('Ctrl-C twice quits at once: the spinning runner still ends and the supply it held is switched off', async () => {
  const bench = new SimBench();
  const psu: SimServer = await serveTcp(new SimDevice('psu', bench));
  cleanups.push(() => psu.close());
  const { child, out, exited } = await cliRun(psu);
  await until(() => bench.psuOutput, 'the supply is on', 10_000);
  const runners = children(child.pid!);
  process.kill(-child.pid!, 'SIGINT');
  await until(() => out().includes('stopping the run'), 'the first Ctrl-C is heard', 5_000);
  process.kill(-child.pid!, 'SIGINT');
  expect((await exited).code, out()).toBe(130);
  await until(() => runners.every((p) => !alive(p)), 'the runner ends after its CLI quit', 15_000);
  await until(() => !bench.psuOutput, 'the supply the runner held is switched off', 15_000);
}, 60_000);
