import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FromRunnerSchema, type FromRunner, type ToRunner } from './protocol.ts';
import { formatZodError } from '#contract/errors.ts';

const CHILD = fileURLToPath(new URL('./runner-child.ts', import.meta.url));

export interface RunnerHostEvents {
  message(msg: FromRunner): void;
  /** The process ended; `expected` is false for a crash or a kill we did not ask for. */
  exit(info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }): void;
  error(message: string): void;
}

/** One runner child process: start, talk, kill. Restart policy lives with the socket. */
export class RunnerHost {
  private child: ChildProcess | null = null;
  private expectedExit = false;
  private readonly on: RunnerHostEvents;
  private readonly label: string;

  constructor(label: string, on: RunnerHostEvents) {
    this.label = label;
    this.on = on;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== null;
  }

  start(): void {
    this.expectedExit = false;
    const child = fork(CHILD, [], {
      // JSON framing measured faster than V8 serialization for these plain messages.
      serialization: 'json',
      execArgv: ['--disable-warning=ExperimentalWarning'],
      // Under Electron's utility process execPath is Electron itself: run it as Node.
      // The compile cache keeps transpiled, compiled modules between runner starts (a runner restarts after every kill).
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'passline-compile-cache') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', (raw) => {
      const parsed = FromRunnerSchema.safeParse(raw);
      if (!parsed.success) this.on.error(`${this.label}: runner sent a malformed message: ${formatZodError(parsed.error)}`);
      else this.on.message(parsed.data);
    });
    child.on('error', (e) => this.on.error(`${this.label}: runner process error: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      this.on.exit({ code, signal, expected: this.expectedExit });
    });
  }

  send(msg: ToRunner): boolean {
    if (!this.child?.connected) return false;
    this.child.send(msg);
    return true;
  }

  /** Hard stop: phase code that ignores its AbortSignal cannot hold us. */
  kill(): void {
    this.expectedExit = true;
    this.child?.kill('SIGKILL');
  }

  /** Polite stop (instruments to safe state), then a hard one. */
  async stop(graceMs = 2000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectedExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  }
}
