/**
 * Simulated instruments on real wires: a pseudo-terminal pair made by socat (the
 * station opens one end as `serial:<path>`, the simulator serves the other) or a
 * TCP port (`tcp://127.0.0.1:<port>`, like an LXI instrument's raw SCPI socket).
 * unplug() / plug() pull and reconnect the cable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket as NetSocket } from 'node:net';
import type { SerialPort as SerialPortType } from 'serialport';
import { loadSerialPort } from './links.ts';
import type { SimDevice } from './sim.ts';

/** A socat pseudo-terminal pair: bytes written to `a` come out of `b` and back. */
export class PtyPair {
  readonly a: string;
  readonly b: string;
  private proc: ChildProcess | null = null;

  constructor(a: string, b: string) {
    this.a = a;
    this.b = b;
  }

  /** Starts socat and waits until both ends exist. */
  async open(timeoutMs = 5000): Promise<void> {
    if (this.proc) return;
    // A socat killed with -9 leaves its links behind; socat refuses to replace them.
    for (const p of [this.a, this.b]) rmSync(p, { force: true });
    const proc = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (e) => reject(new Error(`socat could not start: ${e.message} (apt-get install socat)`)));
      proc.once('exit', (code) => reject(new Error(`socat exited (${code}): ${err.trim()}`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(this.a) && existsSync(this.b))) {
      if (Date.now() > deadline) throw new Error(`socat made no pty pair within ${timeoutMs} ms: ${err.trim()}`);
      await Promise.race([new Promise((r) => setTimeout(r, 5)), failed]);
    }
  }

  /** Kills socat: both ends vanish, as when a USB-serial cable is pulled. */
  async close(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await exited;
    for (const p of [this.a, this.b]) rmSync(p, { force: true });
  }
}

export interface SimServer {
  readonly device: SimDevice;
  /** The address the station uses to reach this simulator. */
  readonly address: string;
  /** Pulls the cable: every connection drops, nothing answers until plug(). */
  unplug(): Promise<void>;
  plug(): Promise<void>;
  close(): Promise<void>;
}

/** Serves a device on the `b` end of a pty pair; the station opens `serial:<a>`. */
export async function servePty(device: SimDevice, pair: PtyPair): Promise<SimServer> {
  const { SerialPort } = await loadSerialPort();
  let port: SerialPortType | null = null;
  const attach = async (): Promise<void> => {
    await pair.open();
    const p = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => p.open((e) => (e ? reject(e) : resolve())));
    const input = device.attach({
      send: (bytes) => {
        if (p.isOpen) p.write(bytes);
      },
      hangup: () => void pair.close(),
    });
    p.on('data', input);
    p.on('error', () => undefined);
    p.on('close', () => undefined);
    port = p;
  };
  const detach = async (): Promise<void> => {
    const p = port;
    port = null;
    await pair.close();
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  };
  await attach();
  return {
    device,
    address: `serial:${pair.a}?baud=115200`,
    unplug: detach,
    plug: attach,
    close: detach,
  };
}

/** Serves a device on a TCP port (0: any free one) on 127.0.0.1. */
export async function serveTcp(device: SimDevice, port = 0): Promise<SimServer> {
  const clients = new Set<NetSocket>();
  let server: Server | null = null;
  let bound = port;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((sock) => {
        clients.add(sock);
        sock.setNoDelay(true);
        const input = device.attach({
          send: (bytes) => {
            if (!sock.destroyed) sock.write(bytes);
          },
          hangup: () => sock.destroy(),
        });
        sock.on('data', input);
        sock.on('error', () => undefined);
        sock.on('close', () => clients.delete(sock));
      });
      s.once('error', reject);
      s.listen(bound, '127.0.0.1', () => {
        bound = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stop = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const c of clients) c.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  await listen();
  return {
    device,
    get address() {
      return `tcp://127.0.0.1:${bound}`;
    },
    unplug: stop,
    plug: listen,
    close: stop,
  };
}
