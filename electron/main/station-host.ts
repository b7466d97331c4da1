import { utilityProcess, type UtilityProcess } from 'electron';
import type { CommandName } from '#contract/commands.ts';
import { ACCESS } from '#contract/access.ts';
import type { Result } from '#contract/errors.ts';
import type { Settings } from '#contract/settings.ts';
import type { StationEvent } from '#contract/events.ts';
import { formatZodError } from '#contract/errors.ts';
import { FromStationSchema, type ToStation } from './station-protocol.ts';

export interface StationHostOptions {
  /** The built utility entry (.vite/build/utility-entry.js). */
  entry: string;
  dataDir: string;
  settings: Settings;
  /** What was wrong in the settings file at load, for the station's log, snapshot and audit trail. */
  settingsProblems?: string[];
  onEvent(event: StationEvent): void;
  /** The station process ended on its own; it is restarted after `restartInMs`. */
  onDown(info: { message: string; detail: string; restartInMs: number }): void;
  onReady(info: { eventsUrl: string | null; serverError: string | null }): void;
}

/** Every call across the process boundary has a timeout; this one covers a slow `runs.list` too. */
const INVOKE_TIMEOUT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 5_000;
/** Restart backoff: 0.5 s, doubling up to 15 s while the station keeps dying young. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 15_000;
const HEALTHY_AFTER_MS = 60_000;
const STDERR_LINES = 20;

interface Pending {
  resolve(result: Result<unknown>): void;
  timer: NodeJS.Timeout;
  message: Extract<ToStation, { type: 'invoke' }>;
  sent: boolean;
}

const unavailable = (message: string): Result<unknown> => ({ ok: false, error: { kind: 'engine.unavailable', message } });

/** Commands that change the station are refused while it is down, never queued: a scan must not start a run minutes later. */
const ACTIONS: ReadonlySet<string> = new Set((Object.keys(ACCESS) as CommandName[]).filter((name) => ACCESS[name].changes));

/**
 * Runs the station in a utilityProcess and supervises it: invokes wait in a queue until the
 * station is ready, replies are matched by id, and a station that exits is reported and
 * started again (with backoff when it keeps dying).
 */
export class StationHost {
  private readonly opts: StationHostOptions;
  private child: UtilityProcess | null = null;
  private ready = false;
  private stopping = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private restartDelay = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private lastFatal: string | null = null;
  private stderrTail: string[] = [];

  constructor(opts: StationHostOptions) {
    this.opts = opts;
  }

  start(): void {
    this.restartTimer = null;
    this.ready = false;
    this.lastFatal = null;
    this.stderrTail = [];
    this.startedAt = Date.now();
    const child = utilityProcess.fork(this.opts.entry, [], { serviceName: 'Passline station', stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer | string) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer | string) => {
      process.stderr.write(chunk);
      this.stderrTail.push(...String(chunk).split('\n').filter(Boolean));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_LINES));
    });
    child.on('message', (raw: unknown) => this.receive(raw));
    child.once('exit', (code) => this.exited(child, code));
    this.send({ type: 'start', dataDir: this.opts.dataDir, settings: this.opts.settings, settingsProblems: this.opts.settingsProblems ?? [] });
  }

  /** Forwards a command; never rejects. A read waits in the queue while the station (re)starts. */
  invoke(name: string, input: unknown): Promise<Result<unknown>> {
    if (this.stopping) return Promise.resolve(unavailable('Passline is closing'));
    if (!this.ready && ACTIONS.has(name)) return Promise.resolve(unavailable('The station is starting; try again in a moment'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(unavailable(`The station did not answer "${name}" within ${INVOKE_TIMEOUT_MS / 1000} s`));
      }, INVOKE_TIMEOUT_MS);
      const p: Pending = { resolve, timer, message: { type: 'invoke', id, name, input }, sent: false };
      this.pending.set(id, p);
      if (this.ready) this.dispatch(p);
    });
  }

  /** Asks the station to close (runners to safe state, events flushed); kills it after a grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const id of [...this.pending.keys()]) this.settle(id, unavailable('Passline is closing'));
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    const kill = setTimeout(() => child.kill(), SHUTDOWN_GRACE_MS);
    await exited;
    clearTimeout(kill);
  }

  private send(message: ToStation): void {
    this.child?.postMessage(message);
  }

  private dispatch(p: Pending): void {
    p.sent = true;
    this.send(p.message);
  }

  private settle(id: number, result: Result<unknown>): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(result);
  }

  private receive(raw: unknown): void {
    const parsed = FromStationSchema.safeParse(raw);
    if (!parsed.success) {
      console.error(`station sent a malformed message: ${formatZodError(parsed.error)}`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'event':
        this.opts.onEvent(msg.event as StationEvent);
        return;
      case 'reply':
        this.settle(msg.id, msg.result);
        return;
      case 'ready':
        this.ready = true;
        for (const p of this.pending.values()) if (!p.sent) this.dispatch(p);
        this.opts.onReady(msg);
        return;
      case 'fatal':
        this.lastFatal = msg.message;
        return;
    }
  }

  private exited(child: UtilityProcess, code: number): void {
    if (this.child !== child) return;
    this.child = null;
    this.ready = false;
    // Commands in flight died with the process; commands not yet sent wait for the next one.
    for (const [id, p] of [...this.pending])
      if (p.sent) this.settle(id, unavailable(`The station stopped (exit code ${code}) while handling "${p.message.name}"; it is restarting`));
    if (this.stopping) return;

    if (Date.now() - this.startedAt > HEALTHY_AFTER_MS) this.restartDelay = RESTART_MIN_MS;
    const restartInMs = this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, RESTART_MAX_MS);
    const message = this.lastFatal ?? `The station process stopped unexpectedly (exit code ${code}).`;
    this.opts.onDown({ message, detail: this.stderrTail.join('\n'), restartInMs });
    this.restartTimer = setTimeout(() => this.start(), restartInMs);
  }
}
