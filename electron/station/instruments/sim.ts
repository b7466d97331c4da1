/**
 * The simulated bench: a power supply feeding a board whose rails a DMM reads.
 * The simulators are SCPI devices on a byte stream (in process, on a pseudo-terminal
 * or on TCP), so the real drivers talk to them unchanged. Values, noise and
 * faults (no reply, garbage, slow reply, split replies, disconnect) are settable.
 */

export class SimBench {
  psuVoltage = 0;
  psuCurrentLimit = 1;
  psuOutput = false;
  /** Serial number of the unit in the fixture; a failing pattern makes the 3V3 rail sag. */
  unitSerial = '';
  failPattern: RegExp | null = null;
  /** Rail voltages with the supply on at ≥ 6 V, by DMM channel. */
  rails: Record<number, number> = { 1: 3.3, 2: 5.0 };
  /** Rail 1 of a failing unit. */
  sagVolts = 3.05;
  /** Board current draw. */
  loadAmps = 0.142;
  acVolts = 0.012;
  resistanceOhms = 10_000;
  /** Peak-to-peak noise as a fraction of each value's default spread (0 = exact values). */
  noise = 1;
  /** Readings FETC:ARR? returns: a 1 kHz sine sampled at 10 kHz. */
  waveformPoints = 100;
  /**
   * null: the bench's own simulated supply powers the board (rails need its output on at
   * ≥ 6 V). 'on' / 'off': a supply this bench does not simulate powers it, switched by hand
   * (sim-cli serving only the meter: the supply is in the station's process or on the bench).
   */
  externalPower: 'on' | 'off' | null = null;

  private powered(): boolean {
    return this.externalPower === null ? this.psuOutput && this.psuVoltage >= 6 : this.externalPower === 'on';
  }

  private failing(): boolean {
    return this.failPattern !== null && this.failPattern.test(this.unitSerial);
  }

  private jitter(scale: number): number {
    return (Math.random() - 0.5) * 2 * scale * this.noise;
  }

  /** A rail's voltage; zero while the board is not powered. */
  rail(channel: number): number {
    if (!this.powered()) return 0;
    const v = channel === 1 && this.failing() ? this.sagVolts : this.rails[channel];
    if (v === undefined) return 0;
    return v + this.jitter(channel === 1 ? 0.01 : 0.015);
  }

  supplyCurrent(): number {
    if (this.externalPower === null ? !this.psuOutput : this.externalPower === 'off') return 0;
    return Math.min(this.psuCurrentLimit, this.loadAmps + this.jitter(0.004));
  }

  waveform(): number[] {
    const on = this.externalPower === null ? this.psuOutput : this.externalPower === 'on';
    return Array.from({ length: this.waveformPoints }, (_, i) => Math.sin((2 * Math.PI * i) / 10) * (on ? 1 : 0));
  }
}

export type SimReply = string | Buffer | null;
/** Answers one SCPI command (no terminator); null for commands without a reply. */
export type Responder = (cmd: string) => SimReply;

const num = (v: number, digits = 5): string => v.toFixed(digits);

/** An IEEE 488.2 definite-length block of little-endian float32 values. */
export function floatBlock(values: readonly number[]): Buffer {
  const body = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => body.writeFloatLE(v, i * 4));
  const len = String(body.length);
  return Buffer.concat([Buffer.from(`#${len.length}${len}`, 'latin1'), body]);
}

/** A device's own commands; undefined for a command it does not know. */
type Specific = (cmd: string) => SimReply | undefined;

/** Shared SCPI basics: identity, *OPC?, an error queue for unknown commands. */
function common(identity: string, errors: string[], specific: Specific): Responder {
  return (raw) => {
    const cmd = raw.trim().replace(/^:/, '').toUpperCase();
    if (cmd === '*IDN?') return identity;
    if (cmd === '*CLS') {
      errors.length = 0;
      return null;
    }
    if (cmd === '*OPC?') return '1';
    if (cmd === '*OPC' || cmd === '*WAI') return null;
    if (/^SYST(?:EM)?:ERR(?:OR)?(?::NEXT)?\?$/.test(cmd)) return errors.shift() ?? '0,"No error"';
    const r = specific(cmd);
    if (r === undefined) {
      errors.push(`-113,"Undefined header;${raw.trim()}"`);
      return null;
    }
    return r;
  };
}

export function dmmResponder(bench: SimBench, errors: string[] = []): Responder {
  const specific: Specific = (cmd) => {
    if (cmd === '*RST') return null;
    if (/^FORM(?:AT)?(?::DATA)?\s+(REAL|ASC)/.test(cmd)) return null;
    let m = /^MEAS(?:URE)?:VOLT(?:AGE)?(:DC|:AC)?\?\s*(?:\(@(\d+)\))?$/.exec(cmd);
    if (m) {
      const channel = Number(m[2] ?? 1);
      // A channel the bench has no rail on is refused as a real meter refuses it: no reply, an error queued.
      if (m[1] !== ':AC' && bench.rails[channel] === undefined) {
        errors.push(`-222,"Data out of range;channel ${channel} is not simulated (channels ${Object.keys(bench.rails).join(', ')})"`);
        return null;
      }
      return m[1] === ':AC' ? num(bench.acVolts) : num(bench.rail(channel));
    }
    m = /^MEAS(?:URE)?:CURR(?:ENT)?(:DC|:AC)?\?\s*(?:\(@(\d+)\))?$/.exec(cmd);
    if (m) return num(m[1] === ':AC' ? 0 : bench.supplyCurrent());
    if (/^MEAS(?:URE)?:F?RES(?:ISTANCE)?\?\s*(?:\(@(\d+)\))?$/.test(cmd)) return num(bench.resistanceOhms, 3);
    if (/^(FETC(?:H)?:ARR(?:AY)?|TRAC(?:E)?:DATA)\?$/.test(cmd)) return floatBlock(bench.waveform());
    return undefined;
  };
  return common('Passline Sim,DMM-6500S,SIM0001,1.0.0', errors, specific);
}

export function psuResponder(bench: SimBench, errors: string[] = []): Responder {
  const specific: Specific = (cmd) => {
    if (cmd === '*RST') {
      bench.psuOutput = false;
      return null;
    }
    let m = /^VOLT(?:AGE)?\s+([-+\d.eE]+)$/.exec(cmd);
    if (m) {
      bench.psuVoltage = Number(m[1]);
      return null;
    }
    m = /^CURR(?:ENT)?\s+([-+\d.eE]+)$/.exec(cmd);
    if (m) {
      bench.psuCurrentLimit = Number(m[1]);
      return null;
    }
    m = /^OUTP(?:UT)?\s+(ON|OFF|1|0)$/.exec(cmd);
    if (m) {
      bench.psuOutput = m[1] === 'ON' || m[1] === '1';
      return null;
    }
    if (/^OUTP(?:UT)?\?$/.test(cmd)) return bench.psuOutput ? '1' : '0';
    if (/^VOLT(?:AGE)?\?$/.test(cmd)) return num(bench.psuVoltage, 3);
    if (/^CURR(?:ENT)?\?$/.test(cmd)) return num(bench.psuCurrentLimit, 3);
    if (/^MEAS(?:URE)?:CURR(?:ENT)?(?::DC)?\?$/.test(cmd)) return num(bench.supplyCurrent());
    if (/^MEAS(?:URE)?:VOLT(?:AGE)?(?::DC)?\?$/.test(cmd)) return num(bench.psuOutput ? bench.psuVoltage : 0);
    return undefined;
  };
  return common('Passline Sim,PSU-3303S,SIM0002,1.0.0', errors, specific);
}

/** What a simulated device does wrong, until set back to `none`. */
export type SimFault =
  | { kind: 'none' }
  /** Reads commands, never answers. */
  | { kind: 'no-reply' }
  /** Answers queries with bytes that are not SCPI. */
  | { kind: 'garbage' }
  /** Answers after `ms`. */
  | { kind: 'slow'; ms: number }
  /** Sends each reply one byte at a time, `gapMs` apart. */
  | { kind: 'split'; gapMs: number }
  /** Hangs up the connection on the next command (a cable pulled mid-query). */
  | { kind: 'disconnect' };

export interface SimPeer {
  send(bytes: Buffer): void;
  hangup(): void;
}

/**
 * A simulated SCPI device on a byte stream: frames commands by line (CR LF or LF),
 * splits `;`-joined commands, answers through its responder, and misbehaves on request.
 */
export class SimDevice {
  readonly kind: 'dmm' | 'psu';
  readonly bench: SimBench;
  readonly errors: string[] = [];
  fault: SimFault = { kind: 'none' };
  latencyMs: number;
  /** Every command line received, for tests and the sim CLI's log. */
  readonly received: string[] = [];
  private readonly respond: Responder;

  constructor(kind: 'dmm' | 'psu', bench: SimBench, opts: { latencyMs?: number } = {}) {
    this.kind = kind;
    this.bench = bench;
    this.latencyMs = opts.latencyMs ?? 0;
    this.respond = kind === 'dmm' ? dmmResponder(bench, this.errors) : psuResponder(bench, this.errors);
  }

  /** Connects a peer; returns the function that takes the bytes it sends. */
  attach(peer: SimPeer): (chunk: Buffer) => void {
    let buf = '';
    let gone = false;
    let chain: Promise<void> = Promise.resolve();
    const deliver = async (bytes: Buffer): Promise<void> => {
      const f = this.fault;
      const delay = (f.kind === 'slow' ? f.ms : 0) + this.latencyMs;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (gone) return;
      if (f.kind === 'split') {
        for (const b of bytes) {
          if (gone) return;
          peer.send(Buffer.from([b]));
          if (f.gapMs > 0) await new Promise((r) => setTimeout(r, f.gapMs));
        }
      } else peer.send(bytes);
    };
    return (chunk) => {
      if (gone) return;
      buf += chunk.toString('latin1');
      for (let at = buf.indexOf('\n'); at >= 0; at = buf.indexOf('\n')) {
        const line = buf.slice(0, at).replace(/\r$/, '');
        buf = buf.slice(at + 1);
        if (!line.trim()) continue;
        this.received.push(line);
        if (this.fault.kind === 'disconnect') {
          gone = true;
          peer.hangup();
          return;
        }
        const replies = line
          .split(';')
          .map((c) => this.respond(c))
          .filter((r): r is string | Buffer => r !== null);
        if (replies.length === 0 || this.fault.kind === 'no-reply') continue;
        let out: Buffer;
        if (this.fault.kind === 'garbage') out = Buffer.from([0xff, 0x13, 0x37, 0x80, 0x3f, 0x0a]);
        else if (replies.length === 1 && Buffer.isBuffer(replies[0])) out = Buffer.concat([replies[0], Buffer.from('\n')]);
        else out = Buffer.from(replies.map((r) => r.toString()).join(';') + '\n', 'latin1');
        // Replies leave in order, however slow each one is.
        chain = chain.then(() => deliver(out));
      }
    };
  }
}
