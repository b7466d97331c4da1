import { InstrumentError, type Transport } from './transport.ts';

/**
 * The simulated bench: a power supply feeding a board whose rails a DMM reads.
 * The simulators answer SCPI text, so the real drivers talk to them unchanged.
 */
export class SimBench {
  psuVoltage = 0;
  psuCurrentLimit = 1;
  psuOutput = false;
  /** Serial number of the unit in the fixture; a failing pattern makes the 3V3 rail sag. */
  unitSerial = '';
  failPattern: RegExp | null = null;

  private failing(): boolean {
    return this.failPattern !== null && this.failPattern.test(this.unitSerial);
  }

  private noise(scale: number): number {
    return (Math.random() - 0.5) * 2 * scale;
  }

  /** A rail's voltage; zero while the supply is off. */
  rail(channel: number): number {
    if (!this.psuOutput || this.psuVoltage < 6) return 0;
    if (channel === 1) return (this.failing() ? 3.05 : 3.3) + this.noise(0.01);
    if (channel === 2) return 5.0 + this.noise(0.015);
    return 0;
  }

  supplyCurrent(): number {
    if (!this.psuOutput) return 0;
    return Math.min(this.psuCurrentLimit, 0.142 + this.noise(0.004));
  }
}

type Responder = (cmd: string) => string | null;

function round(v: number, digits = 5): string {
  return v.toFixed(digits);
}

export function dmmResponder(bench: SimBench): Responder {
  return (raw) => {
    const cmd = raw.trim().toUpperCase();
    if (cmd === '*IDN?') return 'Passline Sim,DMM-6500S,SIM0001,1.0.0';
    if (cmd === '*RST' || cmd === '*CLS') return null;
    if (cmd === '*OPC?') return '1';
    if (cmd === 'SYST:ERR?') return '0,"No error"';
    const m = /^MEAS(?:URE)?:VOLT(?:AGE)?(?::DC)?\?\s*(?:\(@(\d+)\))?$/.exec(cmd);
    if (m) return round(bench.rail(Number(m[1] ?? 1)));
    return null;
  };
}

export function psuResponder(bench: SimBench): Responder {
  return (raw) => {
    const cmd = raw.trim().toUpperCase();
    if (cmd === '*IDN?') return 'Passline Sim,PSU-3303S,SIM0002,1.0.0';
    if (cmd === '*RST') {
      bench.psuOutput = false;
      return null;
    }
    if (cmd === '*OPC?') return '1';
    if (cmd === 'SYST:ERR?') return '0,"No error"';
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
    if (/^MEAS(?:URE)?:CURR(?:ENT)?(?::DC)?\?$/.test(cmd)) return round(bench.supplyCurrent());
    if (/^MEAS(?:URE)?:VOLT(?:AGE)?(?::DC)?\?$/.test(cmd)) return round(bench.psuOutput ? bench.psuVoltage : 0);
    return null;
  };
}

/** In-process transport to a simulator: replies are queued like bytes on a wire. */
export class SimTransport implements Transport {
  readonly description: string;
  private readonly respond: Responder;
  private replies: string[] = [];
  private waiter: ((line: string) => void) | null = null;
  private closed = false;
  /** Simulated I/O latency, so the demo looks like a bench and not a blink. */
  private readonly latencyMs: number;

  constructor(description: string, respond: Responder, latencyMs = 0) {
    this.description = description;
    this.respond = respond;
    this.latencyMs = latencyMs;
  }

  async write(line: string): Promise<void> {
    if (this.closed) throw new InstrumentError('instrument.disconnected', `${this.description} is closed`);
    const reply = this.respond(line);
    if (reply === null) return;
    const deliver = () => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(reply);
      } else this.replies.push(reply);
    };
    if (this.latencyMs > 0) setTimeout(deliver, this.latencyMs);
    else deliver();
  }

  readLine(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
      };
      const timer = setTimeout(() => {
        done();
        reject(new InstrumentError('instrument.timeout', `${this.description}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        done();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = (line) => {
        done();
        resolve(line);
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
