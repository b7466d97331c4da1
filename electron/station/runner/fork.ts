/**
 * Starting a runner process, and the spare one a launcher starts before the station loads.
 *
 * A runner takes about as long to start (Node, its modules) as the station takes to load
 * its own modules and open the store; on two cores they need not wait for each other. The
 * CLI and the headless station's launchers call startSpareRunner() first thing; the first
 * socket's RunnerHost then takes that process instead of forking one after the store is
 * open. It is the same runner, started earlier: until it is told what to load it does
 * nothing, and a spare nobody takes is ended (dropSpareRunner) or dies with its parent.
 * Only Node's own modules and boot.ts here: a launcher loads this before anything else.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prebuilt, startCompileCache } from '../boot.ts';

const SOURCE = fileURLToPath(new URL('./runner-child.ts', import.meta.url));

/** A runner process, not yet told what to load. */
export function forkRunner(): ChildProcess {
  // The runner shares the station's compile cache (it restarts after every kill).
  if (!process.env.NODE_COMPILE_CACHE) startCompileCache();
  return fork(prebuilt('runner-child') ?? SOURCE, [], {
    // JSON framing measured faster than V8 serialization for these plain messages.
    serialization: 'json',
    // A young generation of 1 MiB (V8 grows it to 16 MiB by default): a runner's live data is
    // small, and a station runs one per socket, so about 10 MiB less each for a few more
    // (cheap) scavenges.
    execArgv: ['--disable-warning=ExperimentalWarning', '--max-semi-space-size=1'],
    // Under Electron's utility process execPath is Electron itself: run it as Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    // Piped, not inherited: what a runner printed before it died is part of the reason shown.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}

/**
 * Kept on globalThis: the launcher runs this file from the sources and the station may run
 * from the prebuilt bundle, each with its own copy of this module.
 */
const SPARE = Symbol.for('passline.spareRunner');
interface Spare {
  child: ChildProcess;
  /** What it said before a socket took it (`importing` of a prepared load), for the socket to hear. */
  said: unknown[];
  /** The spare's own listeners, taken off when a socket takes it. */
  onError(): void;
  onExit(): void;
  onMessage(m: unknown): void;
}
const store = globalThis as { [SPARE]?: Spare | null };

/** Handles of a child that keep this process alive: a spare nobody took must not. */
function hold(c: ChildProcess, on: boolean): void {
  for (const h of [c, c.channel, c.stdout, c.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[]) {
    if (on) h?.ref?.();
    else h?.unref?.();
  }
}

/** Starts a runner now, for the first socket to take (see the header). */
export function startSpareRunner(): void {
  if (store[SPARE]) return;
  const child = forkRunner();
  hold(child, false);
  const spare: Spare = {
    child,
    said: [],
    // An error (the fork failed) with no listener would throw; the socket forks its own then.
    onError: () => undefined,
    onExit: () => {
      if (store[SPARE] === spare) store[SPARE] = null;
    },
    onMessage: (m) => spare.said.push(m),
  };
  child.on('error', spare.onError);
  child.once('exit', spare.onExit);
  child.on('message', spare.onMessage);
  store[SPARE] = spare;
}

/**
 * The spare starts loading the procedure in `dir` now (the CLI knows its folder before it
 * has loaded); the socket's load of that folder then finds it loaded or on its way.
 */
export function prepareSpareRunner(prepare: { dir: string; loadTimeoutMs?: number }): void {
  const c = store[SPARE]?.child;
  if (c?.connected) c.send({ type: 'prepare', ...prepare });
}

/** The spare runner if one is alive, now the caller's (with what it said so far); else null. */
export function takeSpareRunner(): { child: ChildProcess; said: unknown[] } | null {
  const spare = store[SPARE];
  store[SPARE] = null;
  if (!spare) return null;
  const c = spare.child;
  c.off('error', spare.onError);
  c.off('exit', spare.onExit);
  c.off('message', spare.onMessage);
  if (c.exitCode !== null || c.signalCode !== null || !c.connected) {
    c.kill('SIGKILL');
    return null;
  }
  hold(c, true);
  return { child: c, said: spare.said };
}

/** Ends a spare no socket took (a station with no procedure to run). */
export function dropSpareRunner(): void {
  store[SPARE]?.child.kill('SIGKILL');
  store[SPARE] = null;
}
