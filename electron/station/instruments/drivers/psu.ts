/**
 * Programmable DC power supply, single output, SCPI (Keysight E36xx, Rigol DP800,
 * R&S HMC and the simulator answer these). To add a model that differs, copy this
 * file, change the commands, and register it in ../drivers.ts.
 */
import type { CallOptions } from '../scpi.ts';
import { ScpiInstrument } from './scpi-instrument.ts';

const opts = (signal?: AbortSignal): CallOptions => (signal ? { signal } : {});

export class PowerSupply extends ScpiInstrument {
  setVoltage(volts: number, signal?: AbortSignal): Promise<void> {
    return this.scpi.write(`VOLT ${volts}`, opts(signal));
  }
  setCurrentLimit(amps: number, signal?: AbortSignal): Promise<void> {
    return this.scpi.write(`CURR ${amps}`, opts(signal));
  }
  output(on: boolean, signal?: AbortSignal): Promise<void> {
    return this.scpi.write(`OUTP ${on ? 'ON' : 'OFF'}`, opts(signal));
  }
  async isOutputOn(signal?: AbortSignal): Promise<boolean> {
    return (await this.scpi.query('OUTP?', opts(signal))).trim() === '1';
  }
  measureCurrent(signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber('MEAS:CURR?', opts(signal));
  }
  measureVoltage(signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber('MEAS:VOLT?', opts(signal));
  }
  /** Outputs off, confirmed by the supply (*OPC?): a unit is never left powered. */
  override async safeState(): Promise<void> {
    await this.output(false);
    await this.scpi.opc();
  }
}
