/**
 * One instrument's connection: opens its link, frames replies, traces and records
 * the bytes, notices when the far end goes away and reconnects by itself.
 *
 * "We closed it" (close()) and "the cable came out" (the link's closed event) are
 * kept apart: only the second fails the call in flight with "instrument <name>
 * disconnected" and starts reconnecting.
 */
import type { InstrumentAddress, InstrumentState } from '#contract/instruments.ts';
import { ReplyReader } from './framing.ts';
import type { Link, LinkOpener } from './links.ts';
import { Recorder, TraceBuffer } from './record.ts';
import { InstrumentError, abortReason, type Transport } from './transport.ts';

export interface ConnectionOptions {
  name: string;
  address: InstrumentAddress;
  open: LinkOpener;
  /** Between reconnect attempts. */
  reconnectMs?: number;
}

export type StateListener = (state: InstrumentState, message?: string) => void;

export class InstrumentConnection implements Transport {
  readonly name: string;
  readonly address: InstrumentAddress;
  readonly trace = new TraceBuffer();
  private readonly opener: LinkOpener;
  private readonly reconnectMs: number;
  private readonly reader = new ReplyReader();
  private readonly recorder: Recorder | null;
  private link: Link | null = null;
  private _state: InstrumentState = 'connecting';
  private _message: string | undefined;
  private attempt: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<StateListener>();
  private stateWaiters: (() => void)[] = [];
  private readonly readTerm: string;
  private readonly writeTerm: string;

  constructor(opts: ConnectionOptions) {
    this.name = opts.name;
    this.address = opts.address;
    this.opener = opts.open;
    this.reconnectMs = opts.reconnectMs ?? 500;
    this.readTerm = opts.address.readTerm;
    this.writeTerm = opts.address.writeTerm;
    this.recorder = opts.address.record ? new Recorder(opts.address.record, opts.address.address) : null;
    void this.tryOpen();
  }

  get description(): string {
    return `instrument ${this.name} (${this.address.address})`;
  }

  get state(): InstrumentState {
    return this._state;
  }

  get message(): string | undefined {
    return this._message;
  }

  onState(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: InstrumentState, message?: string): void {
    if (this._state === state && this._message === message) return;
    this._state = state;
    this._message = message;
    for (const w of this.stateWaiters.splice(0)) w();
    for (const l of this.listeners) l(state, message);
  }

  private tryOpen(): Promise<void> {
    if (this.attempt) return this.attempt;
    if (this._state === 'closed') return Promise.resolve();
    this.attempt = (async () => {
      try {
        const link = await this.opener({
          data: (chunk) => {
            if (this.link !== link) return;
            this.trace.add('in', chunk);
            this.recorder?.add('in', chunk);
            this.reader.push(chunk);
            // A reply still incomplete on a link that reads on demand: read on.
            if (this.reading) link.wantRead?.();
          },
          closed: (reason) => {
            if (this.link !== link) return;
            this.link = null;
            this.lost(reason);
          },
        });
        if (this._state === 'closed') {
          await link.close();
          return;
        }
        this.link = link;
        this.reader.clear();
        this.setState('connected');
      } catch (e) {
        if (this._state === 'closed') return;
        this.setState('disconnected', (e as Error).message);
        this.scheduleRetry();
      } finally {
        this.attempt = null;
      }
    })();
    return this.attempt;
  }

  private lost(reason: string): void {
    if (this._state === 'closed') return;
    this.setState('disconnected', reason);
    this.reader.cancel(this.disconnectedError());
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this._state === 'closed') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.tryOpen();
    }, this.reconnectMs);
  }

  private disconnectedError(): InstrumentError {
    return new InstrumentError('instrument.disconnected', `instrument ${this.name} disconnected${this._message ? ` (${this._message})` : ''}`);
  }

  /**
   * Resolves once connected. While the first open is in progress it waits (up to
   * `timeoutMs`); a disconnected instrument fails at once, unless `retryNow`
   * (safe state with a fresh connection) asks for an immediate attempt.
   */
  ready(timeoutMs: number, signal?: AbortSignal, retryNow = false): Promise<void> | void {
    // The common case costs nothing: no promise, no turn of the event loop.
    if (this._state === 'connected') return;
    return this.waitReady(timeoutMs, signal, retryNow);
  }

  private async waitReady(timeoutMs: number, signal: AbortSignal | undefined, retryNow: boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this._state as InstrumentState;
      if (state === 'connected') return;
      if (state === 'closed') throw new InstrumentError('instrument.disconnected', `instrument ${this.name} is closed`);
      if (state === 'disconnected') {
        if (!retryNow) throw this.disconnectedError();
        if (!this.attempt) void this.tryOpen();
      }
      if (signal?.aborted) throw abortReason(signal);
      const left = deadline - Date.now();
      if (left <= 0) throw this.disconnectedError();
      // Wake on a state change, an abort, or after a short while to try again.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 100));
        signal?.addEventListener('abort', done, { once: true });
        this.stateWaiters.push(done);
      });
    }
  }

  async write(line: string): Promise<void> {
    const link = this.link;
    if (!link || this._state !== 'connected') throw this.disconnectedError();
    const bytes = Buffer.from(line + this.writeTerm, 'utf8');
    this.trace.add('out', bytes);
    this.recorder?.add('out', bytes);
    try {
      await link.write(bytes);
    } catch (e) {
      if (e instanceof InstrumentError) throw e;
      // A write that fails on a link that still looks open: the device is gone.
      if (this.link === link) {
        this.link = null;
        void link.close().catch(() => undefined);
        this.lost((e as Error).message);
      }
      throw this.disconnectedError();
    }
  }

  private reading = false;

  private read<T>(start: () => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    if (this._state !== 'connected' || !this.link) return Promise.reject(this.disconnectedError());
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const p = start();
    this.reading = true;
    this.link.wantRead?.();
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => this.reader.cancel(abortReason(signal!));
    timer = setTimeout(
      () => this.reader.cancel(new InstrumentError('instrument.timeout', `instrument ${this.name}: no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    return p.finally(() => {
      this.reading = false;
      clearTimeout(timer);
      timer = undefined;
      signal?.removeEventListener('abort', onAbort);
    });
  }

  readLine(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    return this.read(() => this.reader.readLine(this.readTerm), timeoutMs, signal);
  }

  readBlock(timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    return this.read(() => this.reader.readBlock(this.readTerm), timeoutMs, signal);
  }

  discardInput(): void {
    this.reader.clear();
  }

  /** Ends a read that was started for a command that could not be sent. */
  cancelRead(error: Error): void {
    this.reader.cancel(error);
  }

  async close(): Promise<void> {
    if (this._state === 'closed') return;
    this.setState('closed');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.reader.cancel(new InstrumentError('instrument.disconnected', `instrument ${this.name} is closed`));
    const link = this.link;
    this.link = null;
    await this.attempt;
    await link?.close().catch(() => undefined);
  }
}
