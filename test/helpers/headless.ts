import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

const MAIN = join(REPO_ROOT, 'electron/server/main.ts');
const READY = /Passline station ready at (http:\/\/\S+)/;

export interface Headless {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  /** Everything the station printed. */
  output(): string;
  /** kill -9: no shutdown handler runs. */
  kill9(): Promise<void>;
  /** SIGTERM: the station's own clean stop. */
  stop(): Promise<void>;
}

/**
 * The real headless station, `node electron/server/main.ts --data-dir D --port 0`,
 * as an operator's machine runs it; resolves on its ready line.
 */
export function startHeadless(args: { dataDir: string; sequences: string; procedure: string }, timeoutMs = 30_000): Promise<Headless> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', MAIN, '--data-dir', args.dataDir, '--port', '0', '--sequences', args.sequences, '--procedure', args.procedure],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT },
  );
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  child.stderr!.on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`station not ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = READY.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ child, url: m[1]!, wsUrl: m[1]!.replace(/^http/, 'ws'), output: () => out, kill9: () => signal('SIGKILL'), stop: () => signal('SIGTERM') });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`station exited (${code ?? sig}) before it was ready:\n${out}`));
    });
  });
}
