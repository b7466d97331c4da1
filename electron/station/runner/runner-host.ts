import type { ChildProcess } from 'node:child_process';
import { FromRunnerSchema, isPlainEventsMessage, type FromRunner, type ToRunner } from './protocol.ts';
import { formatZodError } from '#contract/errors.ts';
import { forkRunner, takeSpareRunner } from './fork.ts';
/** Lines of a runner's output kept to say why it died. */
const TAIL_LINES = 12;
const TAIL_LINE_CHARS = 300;

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
  private tail: string[] = [];
  /** Resolves once the socket has handled the last runner's exit. */
  private exitHandled: Promise<void> = Promise.resolve();
  private partial = '';

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

  /** The last lines the runner wrote to stdout or stderr, oldest first. */
  lastOutput(): string[] {
    return this.partial ? [...this.tail, this.partial].slice(-TAIL_LINES) : [...this.tail];
  }

  private keep(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = (lines.pop() ?? '').slice(-TAIL_LINE_CHARS);
    for (const l of lines) if (l.trim() !== '') this.tail.push(l.slice(0, TAIL_LINE_CHARS));
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
  }

  start(): void {
    this.expectedExit = false;
    this.tail = [];
    this.partial = '';
    // The launcher's spare runner for the first start (runner/fork.ts), a fresh one after that.
    const spare = takeSpareRunner();
    const child = spare?.child ?? forkRunner();
    this.child = child;
    child.stdout?.on('data', (c: Buffer) => {
      process.stdout.write(c);
      this.keep(c);
    });
    child.stderr?.on('data', (c: Buffer) => {
      process.stderr.write(c);
      this.keep(c);
    });
    const onMessage = (raw: unknown): void => {
      const parsed = isPlainEventsMessage(raw) ? { success: true as const, data: raw } : FromRunnerSchema.safeParse(raw);
      if (!parsed.success) this.on.error(`${this.label}: runner sent a malformed message: ${formatZodError(parsed.error)}`);
      else this.on.message(parsed.data);
    };
    child.on('message', onMessage);
    // What the spare said before it was ours, after the caller's first message (its load).
    if (spare?.said.length) process.nextTick(() => spare.said.forEach(onMessage));
    child.on('error', (e) => this.on.error(`${this.label}: runner process error: ${e.message}`));
    // Its last words arrive after 'exit' at times: wait for the pipes to close (briefly; a
    // grandchild process may hold them open).
    const drained = Promise.all(
      [child.stdout, child.stderr].map((s) => (s && !s.readableEnded ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve())),
    );
    let handled!: () => void;
    this.exitHandled = new Promise<void>((r) => (handled = r));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const expected = this.expectedExit;
      let t: NodeJS.Timeout | undefined;
      void Promise.race([drained, new Promise<void>((r) => (t = setTimeout(r, 200)))]).then(() => {
        clearTimeout(t);
        try {
          this.on.exit({ code, signal, expected });
        } finally {
          handled();
        }
      });
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
    if (!child) return this.exitHandled;
    this.expectedExit = true;
    this.send({ type: 'shutdown' });
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exitHandled;
    clearTimeout(t);
  }
}
