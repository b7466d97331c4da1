import type { Identity, ScpiSession } from './scpi.ts';

/** Every driver names its safe state: what the station puts it in after every run. */
export interface Instrument {
  readonly name: string;
  identify(signal?: AbortSignal): Promise<Identity>;
  safeState(): Promise<void>;
  close(): Promise<void>;
}

export class Dmm implements Instrument {
  readonly name: string;
  readonly scpi: ScpiSession;
  constructor(name: string, scpi: ScpiSession) {
    this.name = name;
    this.scpi = scpi;
  }
  identify(signal?: AbortSignal): Promise<Identity> {
    return this.scpi.identify(signal);
  }
  /** DC volts on a channel (1-based). */
  measureDcVoltage(channel = 1, signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber(`MEAS:VOLT:DC? (@${channel})`, { signal });
  }
  async safeState(): Promise<void> {
    /* a meter has no hazardous state */
  }
  close(): Promise<void> {
    return this.scpi.close();
  }
}

export class PowerSupply implements Instrument {
  readonly name: string;
  readonly scpi: ScpiSession;
  constructor(name: string, scpi: ScpiSession) {
    this.name = name;
    this.scpi = scpi;
  }
  identify(signal?: AbortSignal): Promise<Identity> {
    return this.scpi.identify(signal);
  }
  setVoltage(volts: number): Promise<void> {
    return this.scpi.write(`VOLT ${volts}`);
  }
  setCurrentLimit(amps: number): Promise<void> {
    return this.scpi.write(`CURR ${amps}`);
  }
  output(on: boolean): Promise<void> {
    return this.scpi.write(`OUTP ${on ? 'ON' : 'OFF'}`);
  }
  async isOutputOn(signal?: AbortSignal): Promise<boolean> {
    return (await this.scpi.query('OUTP?', { signal })).trim() === '1';
  }
  measureCurrent(signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber('MEAS:CURR?', { signal });
  }
  measureVoltage(signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber('MEAS:VOLT?', { signal });
  }
  /** Outputs off: a unit is never left powered. */
  safeState(): Promise<void> {
    return this.output(false);
  }
  close(): Promise<void> {
    return this.scpi.close();
  }
}
