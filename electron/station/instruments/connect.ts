import { ScpiSession } from './scpi.ts';
import { SimTransport, dmmResponder, psuResponder, type SimBench } from './sim.ts';
import { Dmm, PowerSupply, type Instrument } from './drivers.ts';

export class AddressError extends Error {}

/**
 * Opens an instrument from its address URI. This slice knows the simulators
 * (`sim:dmm`, `sim:psu`, with `?fail=<regex>` to sag a rail for matching serials
 * and `?latency=<ms>`); serial, TCP and USBTMC transports plug in here.
 */
export function openInstrument(name: string, address: string, bench: SimBench): Instrument {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new AddressError(`instrument "${name}": "${address}" is not an address (expected e.g. sim:dmm, serial:/dev/ttyUSB0)`);
  }
  if (url.protocol === 'sim:') {
    const latency = Number(url.searchParams.get('latency') ?? '2');
    const fail = url.searchParams.get('fail');
    if (fail) {
      try {
        bench.failPattern = new RegExp(fail);
      } catch {
        throw new AddressError(`instrument "${name}": fail=${fail} is not a regular expression`);
      }
    }
    if (url.pathname === 'dmm') return new Dmm(name, new ScpiSession(name, new SimTransport(`sim:dmm (${name})`, dmmResponder(bench), latency)));
    if (url.pathname === 'psu') return new PowerSupply(name, new ScpiSession(name, new SimTransport(`sim:psu (${name})`, psuResponder(bench), latency)));
    throw new AddressError(`instrument "${name}": unknown simulator "${url.pathname}" (known: dmm, psu)`);
  }
  throw new AddressError(`instrument "${name}": transport "${url.protocol}" is not supported yet (supported: sim:)`);
}
