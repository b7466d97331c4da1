import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What `npm run station` starts (bin/passline-station.js: electron/server/main.ts with the compile cache on first). */
const MAIN = fileURLToPath(new URL('../../bin/passline-station.js', import.meta.url));

/** Starts the real headless station and resolves on its ready line. */
export function startHeadless(args: string[]): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = /Passline station ready at (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, ms: performance.now() - t0 });
    });
    child.on('exit', (code) => reject(new Error(`station exited with ${code} before it was ready: ${out}`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}
