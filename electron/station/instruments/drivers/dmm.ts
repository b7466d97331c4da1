/**
 * Digital multimeter, SCPI-99 MEASure commands (Keysight 344xx, Keithley DMM6500,
 * Rigol DM3000 and the simulator answer these). To add a model that differs,
 * copy this file, change the commands, and register it in ../drivers.ts.
 */
import type { CallOptions } from '../scpi.ts';
import { ScpiInstrument } from './scpi-instrument.ts';

/** `(@n)` channel list for scanner-card meters; the simulator reads rail n. */
const ch = (channel: number | undefined): string => (channel === undefined ? '' : ` (@${channel})`);
const opts = (signal?: AbortSignal): CallOptions => (signal ? { signal } : {});

export class Dmm extends ScpiInstrument {
  /** DC volts on a channel (1-based). */
  measureDcVoltage(channel = 1, signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber(`MEAS:VOLT:DC?${ch(channel)}`, opts(signal));
  }
  /** AC volts (RMS). */
  measureAcVoltage(channel?: number, signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber(`MEAS:VOLT:AC?${ch(channel)}`, opts(signal));
  }
  /** DC amps. */
  measureDcCurrent(channel?: number, signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber(`MEAS:CURR:DC?${ch(channel)}`, opts(signal));
  }
  /** AC amps (RMS). */
  measureAcCurrent(channel?: number, signal?: AbortSignal): Promise<number> {
    return this.scpi.queryNumber(`MEAS:CURR:AC?${ch(channel)}`, opts(signal));
  }
  /** Ohms, 2-wire; `fourWire` uses FRES. */
  measureResistance(channel?: number, o: { fourWire?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    return this.scpi.queryNumber(`MEAS:${o.fourWire ? 'FRES' : 'RES'}?${ch(channel)}`, opts(o.signal));
  }
  /** Readings stored by the meter, as an IEEE 488.2 block of little-endian float32. */
  async fetchReadings(signal?: AbortSignal): Promise<number[]> {
    const block = await this.scpi.queryBlock('FORM REAL,32;:FETC:ARR?', opts(signal));
    const out: number[] = [];
    for (let i = 0; i + 4 <= block.length; i += 4) out.push(block.readFloatLE(i));
    return out;
  }
  /* A meter has no hazardous state: the inherited safeState() does nothing. */
}
