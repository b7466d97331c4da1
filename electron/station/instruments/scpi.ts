import { InstrumentError, type Transport } from './transport.ts';

export interface Identity {
  maker: string;
  model: string;
  serial: string;
  firmware: string;
}

export function parseIdn(reply: string): Identity {
  const [maker = '', model = '', serial = '', firmware = ''] = reply.split(',').map((s) => s.trim());
  return { maker, model, serial, firmware };
}

/** SCPI over a line transport: one command in flight at a time, callers queue. */
export class ScpiSession {
  readonly name: string;
  private readonly transport: Transport;
  private queue: Promise<unknown> = Promise.resolve();
  timeoutMs: number;

  constructor(name: string, transport: Transport, timeoutMs = 2000) {
    this.name = name;
    this.transport = transport;
    this.timeoutMs = timeoutMs;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  write(cmd: string): Promise<void> {
    return this.serial(() => this.transport.write(cmd));
  }

  query(cmd: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
    return this.serial(async () => {
      await this.transport.write(cmd);
      return this.transport.readLine(opts.timeoutMs ?? this.timeoutMs, opts.signal);
    });
  }

  async queryNumber(cmd: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number> {
    const reply = await this.query(cmd, opts);
    const n = Number(reply);
    if (reply.trim() === '' || Number.isNaN(n)) throw new InstrumentError('instrument.error', `instrument ${this.name} sent "${reply}" to ${cmd}, expected a number`);
    return n;
  }

  async identify(signal?: AbortSignal): Promise<Identity> {
    return parseIdn(await this.query('*IDN?', { signal }));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
