/**
 * I/O trace, recording and replay of instrument sessions.
 *
 * Trace: a ring of the last exchanges of one instrument (time, direction, bytes),
 * copied into a phase's log when the phase fails (or always, with trace=all).
 *
 * Recording: `record=<file>` on any address appends every exchange to a JSON-lines
 * file. `replay:<file>` plays it back: each command the sequence sends must be the
 * next one recorded, and the recorded replies follow it, so a dry run, a training
 * session or a CI job sees exactly what the real instrument said.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogEntry } from '#contract/records.ts';
import type { Link, LinkEvents } from './links.ts';
import { InstrumentError } from './transport.ts';

export type Direction = 'out' | 'in';

export interface TraceEntry {
  seq: number;
  /** Epoch ms. */
  t: number;
  dir: Direction;
  bytes: Buffer;
  /** Bytes beyond those kept. */
  more: number;
}

const KEEP_BYTES = 256;

/** Printable text as a JSON string; anything else as hex. */
export function showBytes(b: Buffer, more = 0): string {
  const tail = more > 0 ? ` (+${more} bytes)` : '';
  // Tab, LF, CR and printable ASCII read as text; anything else is binary.
  if (b.every((c) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0x7e))) return JSON.stringify(b.toString('latin1')) + tail;
  return `hex ${b.toString('hex').replace(/(..)(?!$)/g, '$1 ')}${tail}`;
}

export class TraceBuffer {
  private readonly entries: TraceEntry[] = [];
  private seq = 0;
  private readonly capacity: number;

  constructor(capacity = 2000) {
    this.capacity = capacity;
  }

  add(dir: Direction, bytes: Buffer): void {
    const kept = bytes.length > KEEP_BYTES ? Buffer.from(bytes.subarray(0, KEEP_BYTES)) : Buffer.from(bytes);
    this.entries.push({ seq: ++this.seq, t: Date.now(), dir, bytes: kept, more: bytes.length - kept.length });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** A position to read from later. */
  mark(): number {
    return this.seq;
  }

  since(mark: number): TraceEntry[] {
    return this.entries.filter((e) => e.seq > mark);
  }
}

/** Trace entries as log lines: `psu → "MEAS:CURR?\n"`. */
export function traceLogs(name: string, entries: readonly TraceEntry[]): LogEntry[] {
  return entries.map((e) => ({
    level: 'debug',
    ts: new Date(e.t).toISOString(),
    message: `${name} ${e.dir === 'out' ? '→' : '←'} ${showBytes(e.bytes, e.more)}`,
    source: 'io-trace',
  }));
}

interface RecordedHeader {
  kind: 'passline-scpi-recording';
  version: 1;
  address: string;
  startedAt: string;
}
interface RecordedEntry {
  /** ms since the recording started */
  t: number;
  dir: Direction;
  text?: string;
  b64?: string;
}

/** Appends every exchange to a JSON-lines file (synchronously: a crash keeps what was said). */
export class Recorder {
  readonly file: string;
  private readonly t0 = performance.now();

  constructor(file: string, address: string) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    const header: RecordedHeader = { kind: 'passline-scpi-recording', version: 1, address, startedAt: new Date().toISOString() };
    appendFileSync(file, JSON.stringify(header) + '\n');
  }

  add(dir: Direction, bytes: Buffer): void {
    const text = bytes.toString('utf8');
    const entry: RecordedEntry = { t: Math.round((performance.now() - this.t0) * 1000) / 1000, dir };
    if (Buffer.from(text, 'utf8').equals(bytes) && !text.includes('\u0000')) entry.text = text;
    else entry.b64 = bytes.toString('base64');
    appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }
}

/** One recorded write and the reply bytes that followed it. */
interface Exchange {
  out: Buffer;
  t: number;
  replies: { t: number; bytes: Buffer }[];
}

export function loadRecording(file: string): { address: string; exchanges: Exchange[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`recording ${file} cannot be read: ${(e as Error).message}`);
  }
  const exchanges: Exchange[] = [];
  let address = '';
  // A file may hold several sessions (recorded across station restarts): keep their order.
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: Partial<RecordedHeader & RecordedEntry>;
    try {
      row = JSON.parse(line) as Partial<RecordedHeader & RecordedEntry>;
    } catch {
      throw new Error(`recording ${file}:${i + 1}: not a JSON line`);
    }
    if (row.kind === 'passline-scpi-recording') {
      address ||= row.address ?? '';
      return;
    }
    if (row.dir !== 'out' && row.dir !== 'in') throw new Error(`recording ${file}:${i + 1}: dir must be "out" or "in"`);
    const bytes = row.text !== undefined ? Buffer.from(row.text, 'utf8') : Buffer.from(row.b64 ?? '', 'base64');
    if (row.dir === 'out') exchanges.push({ out: bytes, t: row.t ?? 0, replies: [] });
    else if (exchanges.length === 0) throw new Error(`recording ${file}:${i + 1}: a reply before any command`);
    else exchanges.at(-1)!.replies.push({ t: row.t ?? 0, bytes });
  });
  return { address, exchanges };
}

/**
 * Plays a recording back as a link. Deterministic: replies come in recorded order
 * right after the command they answered (or after the recorded delay, timing=recorded).
 */
export function openReplayLink(file: string, timing: 'instant' | 'recorded', ev: LinkEvents): Link {
  const { exchanges } = loadRecording(file);
  let next = 0;
  let closed = false;
  return {
    description: `replay of ${file}`,
    async write(bytes) {
      if (closed) throw new InstrumentError('instrument.disconnected', `replay of ${file} is closed`);
      const ex = exchanges[next];
      if (!ex)
        throw new InstrumentError(
          'instrument.error',
          `replay ${file}: the recording ended after ${exchanges.length} commands, but the sequence sent ${showBytes(bytes)}`,
        );
      if (!ex.out.equals(bytes)) {
        throw new InstrumentError(
          'instrument.error',
          `replay ${file}: command ${next + 1} was recorded as ${showBytes(ex.out)}, but the sequence sent ${showBytes(bytes)}`,
        );
      }
      next++;
      for (const r of ex.replies) {
        const delay = timing === 'recorded' ? Math.max(0, r.t - ex.t) : 0;
        setTimeout(() => {
          if (!closed) ev.data(r.bytes);
        }, delay);
      }
    },
    async close() {
      closed = true;
    },
  };
}
