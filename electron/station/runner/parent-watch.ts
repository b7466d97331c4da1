/**
 * A runner never outlives its station. Phase code may hog the runner's event loop (a busy
 * loop), so the IPC channel's 'disconnect' is never heard; this watchdog runs on a thread
 * of its own and looks at the parent pid every 200 ms. When the station is gone (the runner
 * was re-parented), it gives the main thread a moment to stop politely, then starts a small
 * detached process that puts the instruments the runner held in their safe state over
 * fresh connections once the runner is dead, and kills the runner.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HeldInstrument } from '#station/instruments/safe-state.ts';
import { prebuilt } from '../boot.ts';

const POLL_MS = 200;
/** The main thread, if free, handles 'disconnect' itself within this (safe state, then exit). */
const POLITE_MS = 3000;
const ORPHAN_SAFE_STATE = fileURLToPath(new URL('./orphan-safe-state.ts', import.meta.url));

export interface ParentWatch {
  /** The instruments open now (addresses), for the safe state if the station dies. */
  held(list: readonly HeldInstrument[]): void;
}

/** Starts the watchdog thread (from the runner's main thread). */
export function watchParent(): ParentWatch {
  const worker = new Worker(prebuilt('parent-watch') ?? fileURLToPath(import.meta.url), {
    workerData: { parentPid: process.ppid, execArgv: process.execArgv },
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  // The runner's own exit must not wait for the watchdog.
  worker.unref();
  worker.on('error', () => undefined);
  return { held: (list) => worker.postMessage({ held: list }) };
}

if (!isMainThread && parentPort) {
  const { parentPid, execArgv } = workerData as { parentPid: number; execArgv: string[] };
  let held: readonly HeldInstrument[] = [];
  parentPort.on('message', (m: { held?: HeldInstrument[] }) => {
    if (m.held) held = m.held;
  });
  let goneAt: number | null = null;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    goneAt ??= Date.now();
    if (Date.now() - goneAt < POLITE_MS) return;
    clearInterval(timer);
    const real = held.filter((h) => !/^(sim|replay):/i.test(h.address.trim()));
    if (real.length) {
      const child = spawn(process.execPath, [...execArgv, ORPHAN_SAFE_STATE, String(process.pid), JSON.stringify(real)], {
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      });
      child.unref();
    }
    // The main thread is stuck in phase code: end the whole process from here.
    process.kill(process.pid, 'SIGKILL');
  }, POLL_MS);
}
