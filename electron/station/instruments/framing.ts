import { InstrumentError } from './transport.ts';

/**
 * Framing of instrument replies from a byte stream: lines ending in a terminator,
 * and IEEE 488.2 definite-length binary blocks (`#<n><len><bytes>`). Bytes arrive
 * in any split (a serial port hands over whatever the UART had), so nothing here
 * assumes a reply comes in one chunk.
 */

const EMPTY = Buffer.alloc(0);

/** The first line in `buf` ending with `term`, and the bytes after it; null if incomplete. */
export function takeLine(buf: Buffer, term: string): { line: string; rest: Buffer } | null {
  const at = buf.indexOf(term, 0, 'latin1');
  if (at < 0) return null;
  // An instrument that ends lines with CR LF read with an LF terminator: drop the CR.
  const end = term === '\n' && at > 0 && buf[at - 1] === 0x0d ? at - 1 : at;
  return { line: buf.toString('utf8', 0, end), rest: buf.subarray(at + term.length) };
}

/**
 * A definite-length block at the start of `buf` (leading whitespace skipped);
 * null while incomplete. `#0` (indefinite length) runs to the terminator.
 */
export function takeBlock(buf: Buffer, term: string): { block: Buffer; rest: Buffer } | null {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  if (i >= buf.length) return null;
  if (buf[i] !== 0x23 /* # */) {
    const shown = buf.toString('latin1', i, Math.min(buf.length, i + 40));
    throw new InstrumentError('instrument.error', `expected a binary block (#<n><length><bytes>), got ${JSON.stringify(shown)}`);
  }
  if (i + 1 >= buf.length) return null;
  const n = buf[i + 1]! - 0x30;
  if (n < 0 || n > 9)
    throw new InstrumentError('instrument.error', `malformed binary block header: "#${String.fromCharCode(buf[i + 1]!)}" (a digit must follow #)`);
  if (n === 0) {
    const end = buf.indexOf(term, i + 2, 'latin1');
    if (end < 0) return null;
    return { block: buf.subarray(i + 2, end), rest: buf.subarray(end + term.length) };
  }
  if (i + 2 + n > buf.length) return null;
  const lenText = buf.toString('latin1', i + 2, i + 2 + n);
  if (!/^\d+$/.test(lenText)) throw new InstrumentError('instrument.error', `malformed binary block header: length "${lenText}" is not a number`);
  const start = i + 2 + n;
  const end = start + Number(lenText);
  if (end > buf.length) return null;
  return { block: buf.subarray(start, end), rest: buf.subarray(end) };
}

type Waiter =
  | { kind: 'line'; term: string; resolve(line: string): void; reject(e: Error): void }
  | { kind: 'block'; term: string; resolve(block: Buffer): void; reject(e: Error): void };

/**
 * Accumulates bytes and hands out one reply at a time to one reader at a time
 * (the SCPI session keeps one command in flight).
 */
export class ReplyReader {
  private buf: Buffer = EMPTY;
  private waiter: Waiter | null = null;
  /** After a definite-length block the instrument usually sends a terminator: drop it. */
  private dropTerm: string | null = null;

  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): void {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    this.drain();
  }

  /** Forgets bytes nobody asked for (a late reply to a timed-out query). */
  clear(): void {
    // A block's terminator may still be on its way: it stays expected (and dropped).
    if (this.dropTerm !== null && this.buf.length > 0) this.dropTerm = null;
    this.buf = EMPTY;
  }

  readLine(term: string): Promise<string> {
    return this.wait((resolve, reject) => ({ kind: 'line', term, resolve, reject }));
  }

  readBlock(term: string): Promise<Buffer> {
    return this.wait((resolve, reject) => ({ kind: 'block', term, resolve, reject }));
  }

  /** Ends the current read (timeout, abort, disconnect). */
  cancel(error: Error): void {
    const w = this.waiter;
    this.waiter = null;
    w?.reject(error);
  }

  private wait<T>(make: (resolve: (v: T) => void, reject: (e: Error) => void) => Waiter): Promise<T> {
    if (this.waiter) return Promise.reject(new Error('a read is already waiting (one command in flight at a time)'));
    return new Promise<T>((resolve, reject) => {
      this.waiter = make(resolve as (v: T) => void, reject);
      this.drain();
    });
  }

  private drain(): void {
    const w = this.waiter;
    if (!w || this.buf.length === 0) return;
    if (this.dropTerm !== null) {
      const t = Buffer.from(this.dropTerm, 'latin1');
      const k = Math.min(t.length, this.buf.length);
      if (this.buf.subarray(0, k).equals(t.subarray(0, k))) {
        if (k < t.length) return; // part of the terminator so far: wait for the rest
        this.buf = this.buf.subarray(k);
      }
      this.dropTerm = null;
      if (this.buf.length === 0) return;
    }
    try {
      if (w.kind === 'line') {
        const got = takeLine(this.buf, w.term);
        if (!got) return;
        this.buf = got.rest;
        this.waiter = null;
        w.resolve(got.line);
      } else {
        const got = takeBlock(this.buf, w.term);
        if (!got) return;
        this.buf = got.rest;
        this.waiter = null;
        this.dropTerm = w.term;
        // Copy: the block must not pin (or alias) the receive buffer.
        w.resolve(Buffer.from(got.block));
      }
    } catch (e) {
      // A malformed reply: drop what we have, the next command starts clean.
      this.buf = EMPTY;
      this.waiter = null;
      w.reject(e as Error);
    }
  }
}
