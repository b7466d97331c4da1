/**
 * Opens an instrument from its address URI: link (serial, TCP, USBTMC, in-process
 * simulator, replay) → connection (framing, trace, record, reconnect) → SCPI
 * session → driver. The connection opens in the background: a call made before it
 * is up waits for it within its own timeout.
 */
import { AddressProblem, parseAddress, type InstrumentAddress } from '#contract/instruments.ts';
import { InstrumentConnection } from './connection.ts';
import { DRIVERS, type Instrument } from './drivers.ts';
import { openSerialLink, openTcpLink, openUsbtmcLink, type Link, type LinkEvents, type LinkOpener } from './links.ts';
import { openReplayLink } from './record.ts';
import { ScpiSession } from './scpi.ts';
import { SimBench, SimDevice } from './sim.ts';

export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

export interface OpenedInstrument {
  instrument: Instrument;
  connection: InstrumentConnection;
  session: ScpiSession;
  address: InstrumentAddress;
}

/** Parses an address for instrument `name`; the message names the instrument and the parameter. */
export function addressOf(name: string, address: string): InstrumentAddress {
  let a: InstrumentAddress;
  try {
    a = parseAddress(address);
  } catch (e) {
    if (e instanceof AddressProblem) throw new AddressError(`instrument "${name}": ${e.message}`);
    throw e;
  }
  if (!DRIVERS[a.driver])
    throw new AddressError(`instrument "${name}": "${address}": driver=${a.driver} is not a known driver (known: ${Object.keys(DRIVERS).join(', ')})`);
  return a;
}

/** An in-process simulator as a link: bytes go through the same framing as a real wire. */
function simLink(device: SimDevice, ev: LinkEvents): Link {
  let closed = false;
  const input = device.attach({
    send: (bytes) => {
      // Asynchronous, like bytes on a wire.
      setImmediate(() => {
        if (!closed) ev.data(bytes);
      });
    },
    hangup: () => {
      if (closed) return;
      closed = true;
      setImmediate(() => ev.closed('the simulator hung up'));
    },
  });
  return {
    description: `simulated ${device.kind}`,
    async write(bytes) {
      if (closed) throw new Error('the simulator hung up');
      input(bytes);
    },
    async close() {
      closed = true;
    },
  };
}

export function linkOpener(a: InstrumentAddress, bench: SimBench): LinkOpener {
  switch (a.scheme) {
    case 'serial':
      return (ev) => openSerialLink(a, ev);
    case 'tcp':
      return (ev) => openTcpLink(a, ev);
    case 'usbtmc':
      return (ev) => openUsbtmcLink(a, ev);
    case 'replay':
      return async (ev) => openReplayLink(a.file, a.timing, ev);
    case 'sim': {
      if (a.fail !== undefined) bench.failPattern = new RegExp(a.fail);
      const device = new SimDevice(a.device, bench, { latencyMs: a.latencyMs });
      return async (ev) => simLink(device, ev);
    }
  }
}

/** Opens an instrument and returns its driver with the connection under it. */
export function connectInstrument(name: string, address: string, opts: { bench?: SimBench; reconnectMs?: number } = {}): OpenedInstrument {
  const a = addressOf(name, address);
  const connection = new InstrumentConnection({
    name,
    address: a,
    open: linkOpener(a, opts.bench ?? new SimBench()),
    ...(opts.reconnectMs !== undefined ? { reconnectMs: opts.reconnectMs } : {}),
  });
  const session = new ScpiSession(name, connection, { timeoutMs: a.timeoutMs, checkErrors: a.checkErrors });
  const instrument = DRIVERS[a.driver]!(name, session);
  return { instrument, connection, session, address: a };
}

/**
 * Opens an instrument from its address URI: `serial:/dev/ttyUSB0?baud=9600`,
 * `tcp://10.0.0.5:5025`, `usbtmc:/dev/usbtmc0`, `sim:dmm`, `sim:psu`
 * (`?fail=<regex>` sags a rail for matching serials, `?latency=<ms>`), `replay:<file>`.
 */
export function openInstrument(name: string, address: string, bench: SimBench): Instrument {
  return connectInstrument(name, address, { bench }).instrument;
}
