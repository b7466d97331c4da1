/**
 * Instrument drivers. A driver is a small class over a SCPI session (see
 * drivers/psu.ts); the address picks it with `driver=<name>` (sim:dmm and sim:psu
 * pick theirs). To add a model: copy drivers/psu.ts or drivers/dmm.ts to
 * drivers/<model>.ts, change the commands, and add one line to DRIVERS below.
 */
import { ScpiSession } from './scpi.ts';
import { ScpiInstrument, type Instrument } from './drivers/scpi-instrument.ts';
import { Dmm } from './drivers/dmm.ts';
import { PowerSupply } from './drivers/psu.ts';

export type { Instrument } from './drivers/scpi-instrument.ts';
export { ScpiInstrument } from './drivers/scpi-instrument.ts';
export { Dmm } from './drivers/dmm.ts';
export { PowerSupply } from './drivers/psu.ts';

export type DriverFactory = (name: string, scpi: ScpiSession) => Instrument;

export const DRIVERS: Readonly<Record<string, DriverFactory>> = {
  scpi: (name, scpi) => new ScpiInstrument(name, scpi),
  dmm: (name, scpi) => new Dmm(name, scpi),
  psu: (name, scpi) => new PowerSupply(name, scpi),
};

/** False for drivers whose safe state does nothing (meters, generic SCPI): nothing to wait for. */
export function hasSafeState(i: Instrument): boolean {
  return !(i instanceof ScpiInstrument) || i.safeState !== ScpiInstrument.prototype.safeState;
}

/** Whether a driver (by name) has a safe state, asked of an instance on a session that is never used. */
export function driverHasSafeState(driver: string): boolean {
  const make = DRIVERS[driver];
  if (!make) return false;
  const unused = new ScpiSession(driver, { write: async () => {}, readLine: async () => '', close: async () => {}, description: 'unused' });
  return hasSafeState(make(driver, unused));
}
