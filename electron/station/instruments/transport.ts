/**
 * A byte/line transport to an instrument. Simulators, pseudo-terminals, serial
 * ports, TCP sockets and USBTMC devices all sit behind this so drivers run unchanged.
 */
export interface Transport {
  /** Send one command line (the terminator is added by the transport). */
  write(line: string): Promise<void>;
  /** Wait for the next reply line. */
  readLine(timeoutMs: number, signal?: AbortSignal): Promise<string>;
  /** Wait for an IEEE 488.2 definite-length binary block; transports without one refuse. */
  readBlock?(timeoutMs: number, signal?: AbortSignal): Promise<Buffer>;
  /** Forget unread input before a new command (a late reply to a query that timed out). */
  discardInput?(): void;
  /** Ends a pending read (its command could not be sent). */
  cancelRead?(error: Error): void;
  close(): Promise<void>;
  readonly description: string;
}

export type InstrumentErrorKind = 'instrument.timeout' | 'instrument.disconnected' | 'instrument.error';

export class InstrumentError extends Error {
  readonly kind: InstrumentErrorKind;
  constructor(kind: InstrumentErrorKind, message: string) {
    super(message);
    this.name = 'InstrumentError';
    this.kind = kind;
  }
}

/** What an abort rejects with: the signal's own reason when it is an Error. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
