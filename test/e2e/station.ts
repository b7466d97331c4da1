/**
 * The real headless station as a child process: `node electron/server/main.ts
 * --data-dir <dir> --port 0`, ready when it prints its URL, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'electron', 'server', 'main.ts');
const READY = /Passline station ready at (\S+)/;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface StationOptions {
  dataDir?: string;
  /** 0 (the default) lets the system pick; a restart can reuse the port of the station before. */
  port?: number;
  /** Extra command-line arguments (--sockets 2, --sequences DIR, --procedure ID). */
  args?: string[];
}

export class StationProcess {
  readonly dataDir: string;
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly output: string[];

  private constructor(child: ChildProcess, url: string, dataDir: string, output: string[]) {
    this.child = child;
    this.url = url;
    this.dataDir = dataDir;
    this.output = output;
  }

  /** A fresh data directory for one test. */
  static freshDataDir(): string {
    return mkdtempSync(join(tmpdir(), 'passline-e2e-'));
  }

  static start(opts: StationOptions = {}): Promise<StationProcess> {
    const dataDir = opts.dataDir ?? StationProcess.freshDataDir();
    // process.execPath: the project's Node 24 when Playwright runs from npm scripts or node_modules/.bin.
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', MAIN, '--data-dir', dataDir, '--port', String(opts.port ?? 0), ...(opts.args ?? [])],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    return new Promise((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the station did not print its ready line within ${START_TIMEOUT_MS} ms:\n${output.join('')}`));
      }, START_TIMEOUT_MS);
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => output.push(chunk));
      child.stdout!.on('data', (chunk: string) => {
        output.push(chunk);
        stdout += chunk;
        const m = READY.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(new StationProcess(child, m[1]!, dataDir, output));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the station exited (${signal ?? code}) before it was ready:\n${output.join('')}`));
      });
    });
  }

  /** What the station printed, for failure messages. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  get log(): string {
    return this.output.join('');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9, as a power cut or a crash: no shutdown handler runs. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, as a service manager would; SIGKILL only if it does not stop in time. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  static removeDataDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
