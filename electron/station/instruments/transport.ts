/**
 * A byte/line transport to an instrument. Simulators, pseudo-terminals, serial
 * ports and TCP sockets all sit behind this so drivers run unchanged.
 */
export interface Transport {
  /** Send one command line (the terminator is added by the transport). */
  write(line: string): Promise<void>;
  /** Wait for the next reply line. */
  readLine(timeoutMs: number, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
  readonly description: string;
}

export class InstrumentError extends Error {
  readonly kind: 'instrument.timeout' | 'instrument.disconnected' | 'instrument.error';
  constructor(kind: InstrumentError['kind'], message: string) {
    super(message);
    this.name = 'InstrumentError';
    this.kind = kind;
  }
}
