/**
 * Links: the byte layer under an instrument connection (serial port, TCP socket,
 * USBTMC character device). A link reports bytes and its own end; framing,
 * timeouts and reconnection live above it.
 */
import { connect as netConnect, type Socket as NetSocket } from 'node:net';
import { close as fsClose, open as fsOpen, read as fsRead, write as fsWrite } from 'node:fs';
import type { SerialPort as SerialPortType } from 'serialport';
import type * as SerialPortNs from 'serialport';
import type { InstrumentAddress } from '#contract/instruments.ts';

export interface LinkEvents {
  data(chunk: Buffer): void;
  /** The far end went away (cable out, device gone, peer closed); not called for our own close(). */
  closed(reason: string): void;
}

export interface Link {
  readonly description: string;
  write(bytes: Buffer): Promise<void>;
  /** Called when a reply is awaited: links that only read on demand (USBTMC) read now. */
  wantRead?(): void;
  close(): Promise<void>;
}

export type LinkOpener = (events: LinkEvents) => Promise<Link>;

type SerialAddress = Extract<InstrumentAddress, { scheme: 'serial' }>;
type TcpAddress = Extract<InstrumentAddress, { scheme: 'tcp' }>;
type UsbtmcAddress = Extract<InstrumentAddress, { scheme: 'usbtmc' }>;

type SerialPortModule = typeof SerialPortNs;
let serialModule: Promise<SerialPortModule> | null = null;
/** Loaded on first use: a station on simulators never loads the native binding. */
export function loadSerialPort(): Promise<SerialPortModule> {
  serialModule ??= import('serialport');
  return serialModule;
}

export async function openSerialLink(a: SerialAddress, ev: LinkEvents): Promise<Link> {
  const { SerialPort } = await loadSerialPort();
  const port: SerialPortType = new SerialPort({
    path: a.path,
    baudRate: a.baudRate,
    dataBits: a.dataBits,
    parity: a.parity,
    stopBits: a.stopBits,
    rtscts: a.flow === 'rtscts',
    xon: a.flow === 'xonxoff',
    xoff: a.flow === 'xonxoff',
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new Error(describeOpenError(a.path, e))) : resolve())));
  let closing = false;
  port.on('data', (d: Buffer) => ev.data(d));
  port.on('close', (e: (Error & { disconnected?: boolean }) | null) => {
    if (!closing) ev.closed(e?.disconnected ? `${a.path} was unplugged` : `${a.path} closed${e ? `: ${e.message}` : ''}`);
  });
  // Errors after open arrive with (or before) a close; keep them from being unhandled.
  port.on('error', () => undefined);
  return {
    description: a.path,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        port.write(bytes, (e) => (e ? reject(e) : resolve()));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}

function describeOpenError(path: string, e: Error): string {
  if (/No such file|ENOENT/i.test(e.message)) return `${path} does not exist (is the cable plugged in?)`;
  if (/lock|temporarily unavailable/i.test(e.message)) return `${path} is in use by another program`;
  if (/Permission denied|EACCES/i.test(e.message)) return `no permission to open ${path} (add the station's user to the dialout group)`;
  return `${path}: ${e.message}`;
}

export function openTcpLink(a: TcpAddress, ev: LinkEvents, connectTimeoutMs = 3000): Promise<Link> {
  return new Promise((resolve, reject) => {
    const sock: NetSocket = netConnect({ host: a.host, port: a.port });
    let closing = false;
    let open = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${a.host}:${a.port} did not accept a connection within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      open = true;
      // SCPI exchanges are small: send each command at once.
      sock.setNoDelay(true);
      sock.setKeepAlive(true, 1000);
      resolve({
        description: `${a.host}:${a.port}`,
        write: (bytes) =>
          new Promise<void>((res, rej) => {
            sock.write(bytes, (e) => (e ? rej(e) : res()));
          }),
        close: () =>
          new Promise<void>((res) => {
            closing = true;
            if (sock.destroyed) return res();
            sock.once('close', () => res());
            sock.end();
            setTimeout(() => sock.destroy(), 200).unref();
          }),
      });
    });
    let lastError = '';
    sock.on('error', (e) => {
      lastError = e.message;
      if (!open) {
        clearTimeout(timer);
        reject(
          new Error(
            /ECONNREFUSED/.test(e.message) ? `${a.host}:${a.port} refused the connection (is the instrument on?)` : `${a.host}:${a.port}: ${e.message}`,
          ),
        );
      }
    });
    sock.on('data', (d: Buffer) => ev.data(d));
    sock.on('close', () => {
      if (open && !closing) ev.closed(`${a.host}:${a.port} closed the connection${lastError ? ` (${lastError})` : ''}`);
    });
  });
}

/**
 * A USBTMC character device (Linux usbtmc driver): write a command, read the
 * reply. Reads happen only while a reply is awaited; the kernel driver ends a
 * read that gets nothing with its own timeout.
 */
export function openUsbtmcLink(a: UsbtmcAddress, ev: LinkEvents): Promise<Link> {
  return new Promise((resolve, reject) => {
    fsOpen(a.path, 'r+', (err, fd) => {
      if (err) return reject(new Error(err.code === 'ENOENT' ? `${a.path} does not exist (is the instrument plugged in?)` : `${a.path}: ${err.message}`));
      let closed = false;
      let reading = false;
      const buf = Buffer.alloc(64 * 1024);
      const gone = (why: string) => {
        if (closed) return;
        closed = true;
        fsClose(fd, () => undefined);
        ev.closed(why);
      };
      const readOnce = () => {
        if (closed || reading) return;
        reading = true;
        fsRead(fd, buf, 0, buf.length, null, (e, n) => {
          reading = false;
          if (closed) return;
          if (e) {
            // The driver's own read timeout: nothing to read, not a fault.
            if (e.code === 'ETIMEDOUT' || e.code === 'EAGAIN') return;
            return gone(`${a.path}: ${e.code ?? e.message}`);
          }
          if (n === 0) return gone(`${a.path} was closed by the device`);
          ev.data(Buffer.from(buf.subarray(0, n)));
        });
      };
      resolve({
        description: a.path,
        write: (bytes) =>
          new Promise<void>((res, rej) => {
            fsWrite(fd, bytes, 0, bytes.length, null, (e) => {
              if (e && (e.code === 'ENODEV' || e.code === 'EIO')) gone(`${a.path}: ${e.code}`);
              if (e) rej(e);
              else res();
            });
          }),
        wantRead: readOnce,
        close: async () => {
          if (closed) return;
          closed = true;
          await new Promise<void>((res) => fsClose(fd, () => res()));
        },
      });
    });
  });
}
