import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `npx passline` runs this file: the bench times what a test engineer's shell starts. */
export const PASSLINE_BIN = fileURLToPath(new URL('../../bin/passline.js', import.meta.url));
export const BENCH_SEQUENCES = fileURLToPath(new URL('../sequences', import.meta.url));

/** Peak resident memory (VmHWM) of a live process in KiB, or null once it is gone (or off Linux). */
function hwmKiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface CliRun {
  /** Spawn to exit, as the shell sees it. */
  wallMs: number;
  code: number | null;
  /** The largest peak RSS of any process of the run (the CLI, its runner), MiB; null where /proc is missing. */
  peakRssMiB: number | null;
  /** Peak RSS of every process seen, by pid, MiB. */
  perProcess: Record<number, number>;
  stderr: string;
}

/**
 * One whole `passline …` process. The process tree's peak RSS is read from /proc every
 * 20 ms (a few small reads: the machine the bench measures stays quiet); VmHWM is a
 * high-water mark, so the last reading before a process exits is its peak.
 */
export function runPassline(args: string[]): Promise<CliRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [PASSLINE_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const peaks = new Map<number, number>();
  const poll = (): void => {
    const seen = [child.pid!];
    for (let i = 0; i < seen.length; i++) seen.push(...childrenOf(seen[i]!));
    for (const pid of seen) {
      const kib = hwmKiB(pid);
      if (kib !== null) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, kib));
    }
  };
  const timer = setInterval(poll, 20);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      clearInterval(timer);
      const perProcess = Object.fromEntries([...peaks].map(([pid, kib]) => [pid, Math.round((kib / 1024) * 10) / 10]));
      resolve({ wallMs, code, peakRssMiB: peaks.size ? Math.max(...Object.values(perProcess)) : null, perProcess, stderr });
    });
  });
}

/**
 * `warmup` runs first (they fill Node's compile cache and the procedure caches as any
 * earlier run on the machine would), then `samples` fresh processes; throws on a run
 * that does not PASS (exit 0).
 */
export async function timeCli(args: (i: number) => string[], warmup: number, samples: number): Promise<{ first: CliRun; runs: CliRun[] }> {
  const all: CliRun[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const r = await runPassline(args(i));
    if (r.code !== 0) throw new Error(`passline ${args(i).join(' ')} exited with ${r.code}: ${r.stderr.slice(-2000)}`);
    all.push(r);
  }
  return { first: all[0]!, runs: all.slice(warmup) };
}
