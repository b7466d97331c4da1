import { z } from 'zod';

/**
 * Instrument addresses, states and identities. Pure: the settings screen validates
 * an address with the same parser the station opens it with.
 */

export const IdentitySchema = z.object({ maker: z.string(), model: z.string(), serial: z.string(), firmware: z.string() });
export type Identity = z.infer<typeof IdentitySchema>;

export const InstrumentStateSchema = z.enum(['connecting', 'connected', 'disconnected', 'closed']);
export type InstrumentState = z.infer<typeof InstrumentStateSchema>;

/** What the station shows about one instrument of a socket's runner. */
export const InstrumentStatusSchema = z.object({
  name: z.string(),
  address: z.string(),
  driver: z.string(),
  state: InstrumentStateSchema,
  /** Why it is disconnected, or what went wrong last. */
  message: z.string().optional(),
  identity: IdentitySchema.optional(),
  /** ISO time of the last state change. */
  since: z.string(),
});
export type InstrumentStatus = z.infer<typeof InstrumentStatusSchema>;

export const TerminatorSchema = z.enum(['lf', 'crlf', 'cr', 'none']);
export type Terminator = z.infer<typeof TerminatorSchema>;
export const TERMINATORS: Record<Terminator, string> = { lf: '\n', crlf: '\r\n', cr: '\r', none: '' };

export type TraceMode = 'failed' | 'all' | 'off';

interface Common {
  /** The text as given, for messages. */
  address: string;
  /** Driver name: `dmm`, `psu`, `scpi` (generic) or another registered model. */
  driver: string;
  /** I/O trace into the run's log: for failed phases (default), every phase, or never. */
  trace: TraceMode;
  /** Default per-call timeout. */
  timeoutMs: number;
  /** Ask SYST:ERR? after every command and fail the call on an instrument error. */
  checkErrors: boolean;
  /** Record every exchange to this JSON-lines file, for replay. */
  record?: string;
  writeTerm: string;
  readTerm: string;
}

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type Flow = 'none' | 'rtscts' | 'xonxoff';

export type InstrumentAddress =
  | (Common & { scheme: 'serial'; path: string; baudRate: number; dataBits: 5 | 6 | 7 | 8; parity: Parity; stopBits: 1 | 1.5 | 2; flow: Flow })
  | (Common & { scheme: 'tcp'; host: string; port: number })
  | (Common & { scheme: 'usbtmc'; path: string })
  | (Common & { scheme: 'sim'; device: 'dmm' | 'psu'; latencyMs: number; fail?: string })
  | (Common & { scheme: 'replay'; file: string; timing: 'instant' | 'recorded' });

export class AddressProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressProblem';
  }
}

const EXAMPLES = 'e.g. serial:/dev/ttyUSB0?baud=9600, tcp://10.0.0.5:5025, usbtmc:/dev/usbtmc0, sim:psu';

const COMMON_KEYS = ['driver', 'trace', 'timeout', 'checkErrors', 'record', 'term', 'readTerm', 'writeTerm'];
const KEYS: Record<InstrumentAddress['scheme'], string[]> = {
  serial: ['baud', 'dataBits', 'parity', 'stopBits', 'flow'],
  tcp: [],
  usbtmc: [],
  sim: ['latency', 'fail'],
  replay: ['timing'],
};

/**
 * Parses an instrument address URI. Every problem names the parameter and what
 * it accepts; unknown parameters are refused so a typo never silently does nothing.
 */
export function parseAddress(address: string): InstrumentAddress {
  const text = address.trim();
  const m = /^([a-z]+):(.*)$/i.exec(text);
  if (!m) throw new AddressProblem(`"${text}" is not an instrument address (${EXAMPLES})`);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  const q = rest.indexOf('?');
  const target = decodeURIComponent(q >= 0 ? rest.slice(0, q) : rest);
  const params = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '');
  if (!(scheme in KEYS)) throw new AddressProblem(`"${text}": unknown transport "${scheme}:" (known: serial:, tcp://, usbtmc:, sim:, replay:; ${EXAMPLES})`);
  const s = scheme as InstrumentAddress['scheme'];
  const allowed = new Set([...COMMON_KEYS, ...KEYS[s]]);
  for (const k of params.keys()) {
    if (!allowed.has(k)) throw new AddressProblem(`"${text}": unknown parameter "${k}" for ${s}: (allowed: ${[...allowed].join(', ')})`);
  }
  const bad = (key: string, what: string): never => {
    throw new AddressProblem(`"${text}": ${key}=${params.get(key) ?? ''}: ${what}`);
  };
  const int = (key: string, dflt: number, min: number, max: number): number => {
    const v = params.get(key);
    if (v === null) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) bad(key, `must be a whole number from ${min} to ${max}`);
    return Number(v);
  };
  const oneOf = <T extends string>(key: string, values: readonly T[], dflt: T): T => {
    const v = params.get(key);
    if (v === null) return dflt;
    if (!(values as readonly string[]).includes(v)) bad(key, `must be one of ${values.join(', ')}`);
    return v as T;
  };
  const term = (key: string, dflt: Terminator): string => TERMINATORS[oneOf(key, TerminatorSchema.options, dflt)];
  const both = params.get('term') === null ? null : oneOf('term', TerminatorSchema.options, 'lf');
  const bool = (key: string): boolean => {
    const v = params.get(key);
    if (v === null) return false;
    if (!['1', '0', 'true', 'false', 'on', 'off'].includes(v)) bad(key, 'must be 1 or 0');
    return ['1', 'true', 'on'].includes(v);
  };
  const driverParam = params.get('driver');
  if (driverParam !== null && !/^[a-z0-9][a-z0-9-]*$/.test(driverParam)) bad('driver', 'must be a driver name (lower-case letters, digits, -)');
  const record = params.get('record');
  const common: Common = {
    address: text,
    driver: driverParam ?? (s === 'sim' ? target : 'scpi'),
    trace: oneOf('trace', ['failed', 'all', 'off'] as const, 'failed'),
    timeoutMs: int('timeout', 2000, 1, 600_000),
    checkErrors: bool('checkErrors'),
    ...(record !== null ? { record } : {}),
    writeTerm: both !== null ? TERMINATORS[both] : term('writeTerm', 'lf'),
    readTerm: both !== null ? TERMINATORS[both] : term('readTerm', 'lf'),
  };
  if (common.readTerm === '') bad(params.get('term') !== null ? 'term' : 'readTerm', 'replies need a terminator to be framed (lf, crlf or cr)');

  switch (s) {
    case 'serial': {
      if (!target.startsWith('/') && !/^COM\d+$/i.test(target))
        throw new AddressProblem(`"${text}": the serial port must be a device path such as /dev/ttyUSB0`);
      const baudRate = int('baud', 9600, 50, 4_000_000);
      const dataBits = Number(oneOf('dataBits', ['5', '6', '7', '8'] as const, '8')) as 5 | 6 | 7 | 8;
      const parity = oneOf('parity', ['none', 'even', 'odd', 'mark', 'space'] as const, 'none');
      const stopBits = Number(oneOf('stopBits', ['1', '1.5', '2'] as const, '1')) as 1 | 1.5 | 2;
      const flow = oneOf('flow', ['none', 'rtscts', 'xonxoff'] as const, 'none');
      return { ...common, scheme: 'serial', path: target, baudRate, dataBits, parity, stopBits, flow };
    }
    case 'tcp': {
      const hm = /^\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(target);
      if (!hm) throw new AddressProblem(`"${text}": a TCP address is tcp://host:port (raw SCPI is usually port 5025)`);
      const port = Number(hm[2]);
      if (port < 1 || port > 65535) throw new AddressProblem(`"${text}": port ${port} is not between 1 and 65535`);
      return { ...common, scheme: 'tcp', host: hm[1]!.replace(/^\[|\]$/g, ''), port };
    }
    case 'usbtmc':
      if (!target.startsWith('/')) throw new AddressProblem(`"${text}": a USBTMC address is the device path, e.g. usbtmc:/dev/usbtmc0`);
      return { ...common, scheme: 'usbtmc', path: target };
    case 'sim': {
      if (target !== 'dmm' && target !== 'psu') throw new AddressProblem(`"${text}": unknown simulator "${target}" (known: dmm, psu)`);
      const fail = params.get('fail') ?? undefined;
      if (fail !== undefined) {
        try {
          new RegExp(fail);
        } catch {
          bad('fail', 'is not a regular expression');
        }
      }
      return { ...common, scheme: 'sim', device: target, latencyMs: int('latency', 2, 0, 60_000), ...(fail !== undefined ? { fail } : {}) };
    }
    case 'replay':
      if (!target) throw new AddressProblem(`"${text}": name the recording, e.g. replay:/path/psu.scpi.jsonl`);
      return { ...common, scheme: 'replay', file: target, timing: oneOf('timing', ['instant', 'recorded'] as const, 'instant') };
  }
}

/** A serial port as `ports.list` reports it. */
export const PortInfoSchema = z.object({
  path: z.string(),
  manufacturer: z.string().optional(),
  serialNumber: z.string().optional(),
  vendorId: z.string().optional(),
  productId: z.string().optional(),
  /** The address to paste into the settings. */
  address: z.string(),
});
export type PortInfo = z.infer<typeof PortInfoSchema>;

/** One instrument in the calibration inventory, keyed by the identity it reports. */
export const CalibrationEntrySchema = z.object({
  maker: z.string().min(1, 'the maker, as the instrument reports it in *IDN?'),
  model: z.string().min(1, 'the model, as the instrument reports it in *IDN?'),
  serial: z.string().min(1, 'the serial number, as the instrument reports it in *IDN?'),
  /** YYYY-MM-DD: from the day after, runs with this instrument need a supervisor. */
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  note: z.string().max(500).optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type CalibrationEntry = z.infer<typeof CalibrationEntrySchema>;

/** What an address opens (a port, a socket, a device), whatever its parameters: two addresses with one resource cannot both be open. */
export function resourceOf(a: InstrumentAddress): string {
  switch (a.scheme) {
    case 'serial':
    case 'usbtmc':
      return `${a.scheme}:${a.path}`;
    case 'tcp':
      return `tcp:${a.host}:${a.port}`;
    case 'sim':
      return `sim:${a.device}`;
    case 'replay':
      return `replay:${a.file}`;
  }
}
