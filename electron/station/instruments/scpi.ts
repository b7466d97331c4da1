import type { Identity } from '#contract/instruments.ts';
import { InstrumentError, abortReason, type Transport } from './transport.ts';

export type { Identity } from '#contract/instruments.ts';

/** `*IDN?` → maker, model, serial, firmware (IEEE 488.2: four comma-separated fields). */
export function parseIdn(reply: string): Identity {
  const [maker = '', model = '', serial = '', ...firmware] = reply.split(',').map((s) => s.trim());
  // Some firmware strings contain commas themselves: keep the rest together.
  return { maker, model, serial, firmware: firmware.join(',') };
}

export interface CallOptions {
  /** For this call only; the session's default otherwise. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Ask SYST:ERR? afterwards and fail on an instrument error (default: the session's setting). */
  checkErrors?: boolean;
}

export interface SessionOptions {
  timeoutMs?: number;
  checkErrors?: boolean;
}

/** Transports that connect in the background (InstrumentConnection) say when they are ready. */
interface MaybeConnecting {
  ready?(timeoutMs: number, signal?: AbortSignal): Promise<void> | void;
}

/** How long to wait for SYST:ERR? after a query went unanswered. */
const ERROR_PROBE_MS = 250;

/**
 * SCPI over any transport: one command in flight at a time (callers queue), a
 * timeout and an AbortSignal per call, optional SYST:ERR? after each command,
 * IEEE 488.2 binary blocks and *OPC? synchronisation.
 */
export class ScpiSession {
  readonly name: string;
  readonly transport: Transport;
  private queue: Promise<unknown> = Promise.resolve();
  timeoutMs: number;
  checkErrors: boolean;

  constructor(name: string, transport: Transport, opts: SessionOptions | number = {}) {
    this.name = name;
    this.transport = transport;
    const o = typeof opts === 'number' ? { timeoutMs: opts } : opts;
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.checkErrors = o.checkErrors ?? false;
  }

  /** Runs `f` when every earlier call has finished; an abort while queued skips it. */
  private serial<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = (): Promise<T> => (signal?.aborted ? Promise.reject(abortReason(signal)) : f());
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async send(cmd: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const waiting = (this.transport as Transport & MaybeConnecting).ready?.(timeoutMs, signal);
    if (waiting) await waiting;
    this.transport.discardInput?.();
    await this.transport.write(cmd);
  }

  /**
   * A command and its reply. The read is set up before the command leaves: a fast
   * instrument's answer may arrive before the write has reported back.
   */
  private async exchange<T>(cmd: string, read: () => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const waiting = (this.transport as Transport & MaybeConnecting).ready?.(timeoutMs, signal);
    if (waiting) await waiting;
    this.transport.discardInput?.();
    const reply = read();
    reply.catch(() => undefined);
    try {
      await this.transport.write(cmd);
    } catch (e) {
      this.transport.cancelRead?.(e as Error);
      throw e;
    }
    try {
      return await reply;
    } catch (e) {
      if (e instanceof InstrumentError && e.kind === 'instrument.timeout')
        throw new InstrumentError('instrument.timeout', `instrument ${this.name}: no reply to ${cmd} within ${timeoutMs} ms`);
      throw e;
    }
  }

  private async reply(cmd: string, timeoutMs: number, signal?: AbortSignal, checkErrors = false): Promise<string> {
    try {
      return await this.exchange(cmd, () => this.transport.readLine(timeoutMs, signal), timeoutMs, signal);
    } catch (e) {
      if (!checkErrors || !(e instanceof InstrumentError && e.kind === 'instrument.timeout') || /^SYST(?:EM)?:ERR/i.test(cmd)) throw e;
      // An instrument that refuses a query (a channel it does not have) answers nothing and
      // queues an error: where errors are checked, ask once, briefly, so the message says why
      // instead of only "no reply". (Not by default: a slow instrument's late answer to the
      // probe would arrive while the next command waits.)
      const why = await this.queuedError(signal);
      throw why ? new InstrumentError('instrument.error', `instrument ${this.name} reported ${why} after ${cmd} (no reply within ${timeoutMs} ms)`) : e;
    }
  }

  /** The first error in the instrument's queue, or null (no error, or no answer either). */
  private async queuedError(signal?: AbortSignal): Promise<string | null> {
    try {
      const r = (await this.exchange('SYST:ERR?', () => this.transport.readLine(ERROR_PROBE_MS, signal), ERROR_PROBE_MS, signal)).trim();
      // Only an error entry (`-222,"…"`) counts: a late reply to the query may arrive instead.
      return /^[+-]?\d+\s*,\s*"/.test(r) && !/^[+]?0\s*,/.test(r) ? r : null;
    } catch {
      return null;
    }
  }

  /** Reads SYST:ERR? until "0,No error"; throws with every error the instrument queued. */
  private async drainErrors(after: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const errors: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = (await this.reply('SYST:ERR?', timeoutMs, signal)).trim();
      if (/^[+]?0\s*(,|$)/.test(r)) break;
      errors.push(r);
    }
    if (errors.length) throw new InstrumentError('instrument.error', `instrument ${this.name} reported ${errors.join('; ')} after ${after}`);
  }

  /** Sends a command that has no reply. */
  write(cmd: string, opts: CallOptions = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return this.serial(async () => {
      await this.send(cmd, timeoutMs, opts.signal);
      if (opts.checkErrors ?? this.checkErrors) await this.drainErrors(cmd, timeoutMs, opts.signal);
    }, opts.signal);
  }

  /** Sends a query and returns its reply line (terminator removed). */
  query(cmd: string, opts: CallOptions = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return this.serial(async () => {
      const check = opts.checkErrors ?? this.checkErrors;
      const r = await this.reply(cmd, timeoutMs, opts.signal, check);
      if (check) await this.drainErrors(cmd, timeoutMs, opts.signal);
      return r;
    }, opts.signal);
  }

  async queryNumber(cmd: string, opts: CallOptions = {}): Promise<number> {
    const reply = await this.query(cmd, opts);
    const n = Number(reply);
    if (reply.trim() === '' || Number.isNaN(n))
      throw new InstrumentError('instrument.error', `instrument ${this.name} sent ${JSON.stringify(reply)} to ${cmd}, expected a number`);
    return n;
  }

  /** A comma-separated list of numbers (e.g. a short ASCII trace). */
  async queryNumbers(cmd: string, opts: CallOptions = {}): Promise<number[]> {
    const reply = await this.query(cmd, opts);
    return reply.split(',').map((s) => {
      const n = Number(s);
      if (s.trim() === '' || Number.isNaN(n))
        throw new InstrumentError('instrument.error', `instrument ${this.name} sent ${JSON.stringify(reply.slice(0, 80))} to ${cmd}, expected numbers`);
      return n;
    });
  }

  /** A query answered with an IEEE 488.2 definite-length block (`#<n><len><bytes>`), e.g. a waveform. */
  queryBlock(cmd: string, opts: CallOptions = {}): Promise<Buffer> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const readBlock = this.transport.readBlock?.bind(this.transport);
    if (!readBlock) return Promise.reject(new InstrumentError('instrument.error', `${this.transport.description} cannot read binary blocks`));
    return this.serial(async () => {
      let block: Buffer;
      try {
        block = await this.exchange(cmd, () => readBlock(timeoutMs, opts.signal), timeoutMs, opts.signal);
      } catch (e) {
        if (e instanceof InstrumentError && e.kind === 'instrument.timeout')
          throw new InstrumentError('instrument.timeout', `instrument ${this.name}: no complete block in reply to ${cmd} within ${timeoutMs} ms`);
        throw e;
      }
      if (opts.checkErrors ?? this.checkErrors) await this.drainErrors(cmd, timeoutMs, opts.signal);
      return block;
    }, opts.signal);
  }

  /** Waits until the instrument has finished every pending operation (*OPC? → 1). */
  async opc(opts: CallOptions = {}): Promise<void> {
    const r = (await this.query('*OPC?', opts)).trim();
    if (r !== '1' && r !== '+1') throw new InstrumentError('instrument.error', `instrument ${this.name} answered ${JSON.stringify(r)} to *OPC?, expected 1`);
  }

  /** A command, then *OPC? in the same exchange: returns when the instrument has carried it out. */
  async writeSync(cmd: string, opts: CallOptions = {}): Promise<void> {
    const r = (await this.query(`${cmd};*OPC?`, opts)).trim();
    if (r !== '1' && r !== '+1')
      throw new InstrumentError('instrument.error', `instrument ${this.name} answered ${JSON.stringify(r)} to ${cmd};*OPC?, expected 1`);
  }

  async identify(signal?: AbortSignal): Promise<Identity> {
    return parseIdn(await this.query('*IDN?', signal ? { signal } : {}));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
