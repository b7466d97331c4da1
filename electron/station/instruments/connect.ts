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
import { SimBench, SimDevice, psuResponder } from './sim.ts';

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

/**
 * The supplies whose commands an in-process simulated meter follows: with `sim:dmm` in
 * process and no `sim:psu` beside it, a supply (driver=psu) on a real link (a simulator
 * moved to a pty or TCP by sim-cli, a bench supply, a replay) powers the simulated board.
 * The bench follows every command the station sends it (VOLT, OUTP, *RST), so the meter
 * reads the rails as that supply sets them instead of 0 V.
 */
export function suppliesFollowed(addresses: Readonly<Record<string, string>>): Set<string> {
  const parsed = Object.entries(addresses).flatMap(([name, address]): [string, InstrumentAddress][] => {
    try {
      return [[name, parseAddress(address)]];
    } catch {
      return []; // refused when it is opened, with its name
    }
  });
  const sim = (device: 'dmm' | 'psu') => parsed.some(([, a]) => a.scheme === 'sim' && a.device === device);
  if (!sim('dmm') || sim('psu')) return new Set();
  return new Set(parsed.filter(([, a]) => a.scheme !== 'sim' && a.driver === 'psu').map(([name]) => name));
}

/** A link whose written commands also go to the simulated bench's supply (its replies are dropped). */
function followedBy(open: LinkOpener, bench: SimBench): LinkOpener {
  const respond = psuResponder(bench, []);
  return async (ev) => {
    const link = await open(ev);
    let pending = '';
    const follow: Link = {
      description: link.description,
      async write(bytes) {
        await link.write(bytes);
        // Only what reached the supply: a write that failed changed nothing there either.
        pending += bytes.toString('latin1');
        for (let at = pending.search(/[\r\n]/); at >= 0; at = pending.search(/[\r\n]/)) {
          const line = pending.slice(0, at);
          pending = pending.slice(at + 1);
          for (const cmd of line.split(';')) if (cmd.trim()) respond(cmd);
        }
      },
      close: () => link.close(),
    };
    if (link.wantRead) follow.wantRead = () => link.wantRead!();
    return follow;
  };
}

/** Opens an instrument and returns its driver with the connection under it. */
export function connectInstrument(
  name: string,
  address: string,
  opts: { bench?: SimBench; reconnectMs?: number; /** The bench's supply follows this one's commands (see suppliesFollowed). */ benchFollows?: boolean } = {},
): OpenedInstrument {
  const a = addressOf(name, address);
  const bench = opts.bench ?? new SimBench();
  const opener = linkOpener(a, bench);
  const connection = new InstrumentConnection({
    name,
    address: a,
    open: opts.benchFollows && a.scheme !== 'sim' ? followedBy(opener, bench) : opener,
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
