import type { Identity } from '#contract/instruments.ts';
import type { CallOptions, ScpiSession } from '../scpi.ts';

/** Every driver names its safe state: what the station puts it in after every run. */
export interface Instrument {
  readonly name: string;
  identify(signal?: AbortSignal): Promise<Identity>;
  safeState(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A generic SCPI instrument (driver `scpi`), and the base of every driver: raw
 * write/query/block access for whatever the typed drivers do not cover. Its safe
 * state does nothing; a driver for an instrument with a hazardous state overrides
 * safeState().
 */
export class ScpiInstrument implements Instrument {
  readonly name: string;
  readonly scpi: ScpiSession;

  constructor(name: string, scpi: ScpiSession) {
    this.name = name;
    this.scpi = scpi;
  }

  identify(signal?: AbortSignal): Promise<Identity> {
    return this.scpi.identify(signal);
  }
  write(cmd: string, opts?: CallOptions): Promise<void> {
    return this.scpi.write(cmd, opts);
  }
  query(cmd: string, opts?: CallOptions): Promise<string> {
    return this.scpi.query(cmd, opts);
  }
  queryNumber(cmd: string, opts?: CallOptions): Promise<number> {
    return this.scpi.queryNumber(cmd, opts);
  }
  queryBlock(cmd: string, opts?: CallOptions): Promise<Buffer> {
    return this.scpi.queryBlock(cmd, opts);
  }
  /** Waits for pending operations (*OPC?). */
  opc(opts?: CallOptions): Promise<void> {
    return this.scpi.opc(opts);
  }
  /** *RST and *CLS: the instrument's own defaults, errors cleared. */
  async reset(opts?: CallOptions): Promise<void> {
    await this.scpi.write('*RST', opts);
    await this.scpi.write('*CLS', opts);
  }
  async safeState(): Promise<void> {
    /* a generic instrument has no known hazardous state */
  }
  close(): Promise<void> {
    return this.scpi.close();
  }
}
