import type { EventData, EventKind, StationEvent } from '#contract/events.ts';

export interface EventLog {
  /** `json(i)`: event i as published (shared with WebSocket subscribers, made once). */
  appendEvents(events: readonly StationEvent[], json: (i: number) => string): void;
  eventsSince(afterSeq: number, limit: number): StationEvent[];
  /** Highest seq handed out or reserved. */
  maxSeq(): number;
  /** Durably reserves seq numbers up to `upTo` before they are handed out. */
  reserveSeq(upTo: number): void;
}

export interface Publish<K extends EventKind> {
  kind: K;
  data: EventData<K>;
  runId?: string | null;
  socket?: number | null;
  parentSeq?: number | null;
}

/**
 * `json()` is the event as sent to WebSocket subscribers, made on first call and shared:
 * with nobody connected, no event is serialized just to be thrown away.
 */
type Listener = (event: StationEvent, json: () => string) => void;

interface Entry {
  event: StationEvent;
  json: string | null;
}

/** Event times have millisecond resolution: events of the same millisecond share one string. */
let lastMs = -1;
let lastIso = '';
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function jsonOf(entry: Entry): string {
  return (entry.json ??= JSON.stringify(entry.event));
}

const RING = 20_000;

/**
 * Seq numbers are reserved in blocks, durably, before they are handed out: events
 * seen live but not yet in the log (memory-only kinds, the batch a crash cut short)
 * never have their numbers reused after a restart, which skips the rest of the block.
 */
const SEQ_BLOCK = 1000;

/**
 * Kinds kept in memory only: their content is repeated in full by the phase's
 * run.phaseEnded, which the durable log keeps. This halves what a run writes.
 */
const MEMORY_ONLY: ReadonlySet<string> = new Set(['run.measured', 'run.logged', 'run.progressed']);

/**
 * One bus for the station: monotonic seq (continued from the durable log across
 * restarts), an in-memory ring for fast replay, and the log for everything older.
 */
export class EventBus {
  private seq: number;
  private reserved: number;
  private readonly ring: Entry[] = [];
  private ringStart = 0;
  private readonly listeners = new Set<Listener>();
  /** Events published while delivery is held, in order (see hold). */
  private held: Entry[] | null = null;
  private pending: Entry[] = [];
  private flushScheduled = false;
  private readonly log: EventLog;
  /** Called when the durable log cannot be written (disk full): the station shows it. */
  onLogError: (e: unknown) => void = () => {};

  /** Every logged event up to here is in the durable log (the plant's state shipper sends only those). */
  private durable: number;

  constructor(log: EventLog) {
    this.log = log;
    this.seq = log.maxSeq();
    this.reserved = this.seq;
    this.durable = this.seq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** The last seq written to the durable log, or kept in memory only by design (run.measured and the like) before it. */
  get durableSeq(): number {
    return this.pending.length === 0 ? this.seq : this.durable;
  }

  /** `apply` runs before listeners see the event, so state derived from it is current for them. */
  publish<K extends EventKind>(p: Publish<K>, apply?: (e: StationEvent) => void): StationEvent {
    if (this.seq >= this.reserved) {
      try {
        this.log.reserveSeq(this.seq + SEQ_BLOCK);
        this.reserved = this.seq + SEQ_BLOCK;
      } catch (e) {
        this.onLogError(e);
      }
    }
    const event = {
      seq: ++this.seq,
      parentSeq: p.parentSeq ?? null,
      ts: isoNow(),
      runId: p.runId ?? null,
      socket: p.socket ?? null,
      kind: p.kind,
      data: p.data,
    } as StationEvent;
    const entry: Entry = { event, json: null };
    this.ring.push(entry);
    // Trim in chunks so publishing stays O(1) on average.
    if (this.ring.length > RING + RING / 4) this.ring.splice(0, this.ring.length - RING);
    this.ringStart = this.ring[0]!.event.seq;
    if (!MEMORY_ONLY.has(p.kind)) this.pending.push(entry);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    apply?.(event);
    if (this.held) this.held.push(entry);
    else this.deliver(entry);
    return event;
  }

  private deliver(entry: Entry): void {
    if (this.listeners.size === 0) return;
    const json = () => jsonOf(entry);
    for (const l of this.listeners) l(entry.event, json);
  }

  /**
   * Holds back delivery to listeners (seq, state and the log are not held) until
   * `release`: a socket publishes a batch inside the transaction that journals it, and
   * subscribers hear of it only once that has committed.
   */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held;
    this.held = null;
    for (const entry of held ?? []) this.deliver(entry);
  }

  /** Writes pending events to the durable log in one row. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    try {
      this.log.appendEvents(
        entries.map((e) => e.event),
        (i) => jsonOf(entries[i]!),
      );
      this.durable = entries.at(-1)!.event.seq;
    } catch (e) {
      this.onLogError(e);
    }
  }

  /**
   * Everything after `afterSeq`, from the ring when it reaches back that far, else from
   * the durable log (which holds every kind but run.measured, run.logged and run.progressed).
   */
  since(afterSeq: number, limit = 1000): { events: StationEvent[]; truncated: boolean } {
    if (afterSeq >= this.seq) return { events: [], truncated: false };
    let events: StationEvent[];
    if (this.ring.length > 0 && afterSeq + 1 >= this.ringStart) {
      const from = afterSeq + 1 - this.ringStart;
      events = this.ring.slice(from, from + limit).map((r) => r.event);
    } else {
      this.flush();
      events = this.log.eventsSince(afterSeq, limit);
      // The log lacks memory-only kinds: from where memory starts, read memory instead.
      if (this.ring.length > 0 && (events.length < limit || events.at(-1)!.seq >= this.ringStart)) {
        events = events.filter((e) => e.seq < this.ringStart);
        events = events.concat(this.ring.slice(0, limit - events.length).map((r) => r.event));
      }
    }
    const last = events.at(-1)?.seq ?? afterSeq;
    // Short of the limit is everything there is: seq numbers reserved but never used
    // (a restart skips the rest of a block) must not look like more to come.
    return { events, truncated: events.length >= limit && last < this.seq };
  }

  /**
   * Replays everything after `afterSeq` (if given) and then streams live events.
   * Replay and live hand over without a gap or a duplicate.
   */
  subscribe(listener: Listener, afterSeq?: number): () => void {
    if (afterSeq !== undefined) {
      let cursor = afterSeq;
      for (;;) {
        const { events, truncated } = this.since(cursor, 5000);
        for (const e of events) listener(e, () => JSON.stringify(e));
        cursor = events.at(-1)?.seq ?? cursor;
        if (!truncated) break;
      }
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
