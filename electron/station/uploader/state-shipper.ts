import type pg from 'pg';
import type { StationEvent } from '#contract/events.ts';
import type { UploadRetry } from '#contract/upload.ts';
import { backoffMs } from './backoff.ts';
import { messageOf } from './sink.ts';

/**
 * Ships a station's state to the plant database (one PostgreSQL target): its heartbeat, and its
 * state changes (a procedure loaded, a socket's state, a run started at a unit, a phase started, a
 * run ended) read from the station's own durable event log, in seq order, each once. Offline the
 * station keeps testing and its log keeps the changes; back online the shipper asks the server
 * where this station's copy ends (`stations.last_seq`), sends the rest in batches, and each batch
 * (its events, the station's row and its sockets' rows) commits in one transaction, so the
 * plant's picture is never ahead of, behind, or apart from the events it came from.
 */

/** The event kinds that change what the plant shows of a station. */
export const STATE_KINDS: ReadonlySet<string> = new Set([
  'station.started',
  'procedure.loaded',
  'procedure.failed',
  'socket.changed',
  'run.started',
  'run.phaseStarted',
  'run.ended',
]);

export interface StationIdentity {
  id: string;
  name: string;
  line: string;
  appVersion: string;
  sockets: number;
  bootId: string;
  heartbeatSeconds: number;
  /** The seq of this boot's `station.started`: a station new to the plant starts there, not at its whole history. */
  bootSeq: number;
}

/** What the shipper reads: the station's event bus (its ring and durable log). */
export interface StateSource {
  readonly lastSeq: number;
  /** Events up to here are in the station's durable log: only those are sent, so the plant never has one the station lost in a crash. */
  readonly durableSeq: number;
  since(afterSeq: number, limit?: number): { events: StationEvent[]; truncated: boolean };
  subscribe(listener: (e: StationEvent) => void, afterSeq?: number): () => void;
}

export interface StateTarget {
  readonly label: string;
  readonly db: pg.Pool;
  readonly schemaName: string;
  schemaReady(): Promise<void>;
}

export interface StateShipperOptions {
  target: StateTarget;
  station: StationIdentity;
  source: StateSource;
  retry: UploadRetry;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
  random?: () => number;
  batchSize?: number;
}

interface SocketRow {
  socket: number;
  state: string;
  procedureId: string | null;
  procedureName: string | null;
  procedureVersion: string | null;
  procedureHash: string | null;
  runId: string | null;
  serialNumber: string | null;
  phase: string | null;
  phaseIndex: number | null;
  lastOutcome: string | null;
  since: string;
}

const CLOSE_GRACE_MS = 1500;
/** While the newest events are not in the durable log yet, look again this soon. */
const DURABLE_RETRY_MS = 5;

const emptySocket = (socket: number, at: string): SocketRow => ({
  socket,
  state: 'starting',
  procedureId: null,
  procedureName: null,
  procedureVersion: null,
  procedureHash: null,
  runId: null,
  serialNumber: null,
  phase: null,
  phaseIndex: null,
  lastOutcome: null,
  since: at,
});

/** Applies one state event to the sockets' rows; returns the socket it changed (null: the station's own). */
export function applyStateEvent(sockets: Map<number, SocketRow>, e: StationEvent): number | null {
  if (e.kind === 'station.started') {
    for (const [n] of sockets) if (n >= e.data.sockets) sockets.delete(n);
    for (let n = 0; n < e.data.sockets; n++) {
      const row = sockets.get(n) ?? emptySocket(n, e.ts);
      // A new boot: whatever ran before ended with the last boot (the station recorded it ABORTED).
      sockets.set(n, { ...row, state: 'starting', runId: null, serialNumber: null, phase: null, phaseIndex: null, since: e.ts });
    }
    return null;
  }
  if (e.socket === null) return null;
  const row = sockets.get(e.socket) ?? emptySocket(e.socket, e.ts);
  let next: SocketRow = row;
  switch (e.kind) {
    case 'procedure.loaded': {
      const p = e.data.procedure;
      next = { ...row, procedureId: p.id, procedureName: p.name, procedureVersion: p.version, procedureHash: p.hash };
      break;
    }
    case 'procedure.failed':
      next = { ...row, state: 'error', since: e.ts };
      break;
    case 'socket.changed':
      next = { ...row, state: e.data.state, since: e.ts };
      break;
    case 'run.started': {
      const p = e.data.procedure;
      next = {
        ...row,
        state: 'running',
        runId: e.runId,
        serialNumber: e.data.unit.serialNumber,
        procedureId: p.id,
        procedureName: p.name,
        procedureVersion: p.version,
        procedureHash: p.hash,
        phase: null,
        phaseIndex: null,
        since: e.ts,
      };
      break;
    }
    case 'run.phaseStarted':
      next = { ...row, phase: e.data.name, phaseIndex: e.data.index };
      break;
    case 'run.ended':
      next = { ...row, phase: null, phaseIndex: null, lastOutcome: e.data.outcome };
      break;
    default:
      return null;
  }
  sockets.set(e.socket, next);
  return e.socket;
}

/** The event as stored in station_events.data: its data, smaller for the kinds that carry a lot. */
function storedData(e: StationEvent): unknown {
  switch (e.kind) {
    case 'procedure.loaded': {
      const p = e.data.procedure;
      return { procedure: { id: p.id, name: p.name, version: p.version, hash: p.hash } };
    }
    case 'run.started':
      return {
        procedure: e.data.procedure && { id: e.data.procedure.id, name: e.data.procedure.name, version: e.data.procedure.version, hash: e.data.procedure.hash },
        unit: e.data.unit,
        operatorId: e.data.operatorId ?? null,
      };
    case 'run.phaseStarted':
      return { index: e.data.index, name: e.data.name, attempt: e.data.attempt };
    case 'run.ended':
      return { outcome: e.data.outcome, outcomeReason: e.data.outcomeReason ?? null, durationMs: e.data.durationMs };
    default:
      return e.data;
  }
}

export class StateShipper {
  private readonly o: StateShipperOptions;
  private readonly batchSize: number;
  /** Where the server's copy of this station ends (its last seq shipped); null: ask it. */
  private cursor: number | null = null;
  private sockets = new Map<number, SocketRow>();
  private failures = 0;
  private lastError: string | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private closeWaiter: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastBeat = 0;
  private readonly progress = new Set<() => void>();

  constructor(o: StateShipperOptions) {
    this.o = o;
    this.batchSize = o.batchSize ?? 500;
  }

  get shippedSeq(): number | null {
    return this.cursor;
  }

  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.o.source.subscribe((e) => {
      if (STATE_KINDS.has(e.kind)) this.wake();
    });
    this.loop = this.run();
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      const done = (): void => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wakeUp = null;
        this.closeWaiter = null;
        resolve();
      };
      this.timer = setTimeout(done, ms);
      this.wakeUp = wakeable ? done : null;
      this.closeWaiter = done;
    });
  }

  private notify(): void {
    for (const p of [...this.progress]) p();
  }

  private get s(): string {
    return this.o.target.schemaName;
  }

  /** The server's picture of this station: where its copy ends and its sockets' rows. */
  private async load(): Promise<number> {
    await this.o.target.schemaReady();
    const st = this.o.station;
    const r = await this.o.target.db.query<{ last_seq: string }>(`SELECT last_seq::text FROM ${this.s}.stations WHERE id = $1`, [st.id]);
    this.sockets = new Map();
    if (r.rows.length === 0) return Math.max(0, st.bootSeq - 1);
    const shipped = Number(r.rows[0]!.last_seq);
    if (shipped > this.o.source.lastSeq) {
      // Another data folder wrote under this id (a station set up again): its seq numbers are not ours.
      this.o.log(
        'error',
        `plant state to ${this.o.target.label}: the plant has events up to ${shipped} for station ${st.id}, this station is at ${this.o.source.lastSeq}; starting from this boot (give a station set up again a new stationId)`,
      );
      return Math.max(0, st.bootSeq - 1);
    }
    const rows = await this.o.target.db.query<Record<string, string | number | null>>(
      `SELECT socket, state, procedure_id, procedure_name, procedure_version, procedure_hash, run_id, serial_number, phase, phase_index, last_outcome, since
       FROM ${this.s}.station_sockets WHERE station_id = $1`,
      [st.id],
    );
    for (const x of rows.rows) {
      const str = (v: string | number | null): string | null => (v === null ? null : String(v));
      this.sockets.set(Number(x.socket), {
        socket: Number(x.socket),
        state: String(x.state),
        procedureId: str(x.procedure_id!),
        procedureName: str(x.procedure_name!),
        procedureVersion: str(x.procedure_version!),
        procedureHash: str(x.procedure_hash!),
        runId: str(x.run_id!),
        serialNumber: str(x.serial_number!),
        phase: str(x.phase!),
        phaseIndex: x.phase_index === null ? null : Number(x.phase_index),
        lastOutcome: str(x.last_outcome!),
        since: new Date(String(x.since)).toISOString(),
      });
    }
    return shipped;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        this.cursor ??= await this.load();
        if (this.closed) break;
        const durable = this.o.source.durableSeq;
        const read = this.o.source.since(this.cursor, this.batchSize);
        const events = read.events.filter((e) => e.seq <= durable);
        // Events not in the log yet: it is written within a turn of the event loop; look again shortly.
        const waiting = events.length < read.events.length;
        const truncated = read.truncated && !waiting;
        const upTo = events.at(-1)?.seq ?? this.cursor;
        const beatDue = Date.now() - this.lastBeat >= this.o.station.heartbeatSeconds * 1000;
        if (upTo === this.cursor && !beatDue) {
          if (!waiting) this.notify();
          await this.pause(waiting ? DURABLE_RETRY_MS : Math.max(10, this.lastBeat + this.o.station.heartbeatSeconds * 1000 - Date.now()), !waiting);
          continue;
        }
        const state = events.filter((e) => STATE_KINDS.has(e.kind));
        await this.write(state, upTo, 'online');
        this.cursor = upTo;
        this.lastBeat = Date.now();
        if (this.failures > 0) this.o.log('info', `plant state to ${this.o.target.label}: sending again`);
        this.failures = 0;
        this.lastError = null;
        this.notify();
        if (truncated) continue;
      } catch (e) {
        this.failures++;
        // Ask the server again: a batch may have committed before its answer was lost.
        this.cursor = null;
        if (messageOf(e) !== this.lastError) this.o.log('warning', `plant state to ${this.o.target.label} failed (attempt ${this.failures}): ${messageOf(e)}`);
        this.lastError = messageOf(e);
        this.notify();
        if (this.closed) break;
        await this.pause(backoffMs(this.failures, this.o.retry, this.o.random), false);
      }
    }
  }

  /** One transaction: the events (each once), the station's row (its heartbeat and where its copy ends), the sockets they changed. */
  private async write(events: readonly StationEvent[], upTo: number, state: 'online' | 'stopped'): Promise<void> {
    const changed = new Set<number>();
    const sockets = new Map(this.sockets);
    for (const e of events) {
      const n = applyStateEvent(sockets, e);
      if (n !== null) changed.add(n);
      if (e.kind === 'station.started') for (const k of sockets.keys()) changed.add(k);
    }
    const st = this.o.station;
    const started = [...events].reverse().find((e) => e.kind === 'station.started');
    const client = await this.o.target.db.connect();
    // A connection the server drops while it is checked out says so here, not as an uncaught error.
    const lost = (): void => {};
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      if (events.length > 0)
        await client.query(
          `INSERT INTO ${this.s}.station_events (station_id, seq, at, socket, kind, run_id, data)
           SELECT $1, e.seq, e.at::timestamptz, e.socket, e.kind, e."runId", e.data
           FROM jsonb_to_recordset($2::jsonb) AS e(seq bigint, at text, socket integer, kind text, "runId" text, data jsonb)
           ON CONFLICT (station_id, seq) DO NOTHING`,
          [st.id, JSON.stringify(events.map((e) => ({ seq: e.seq, at: e.ts, socket: e.socket, kind: e.kind, runId: e.runId, data: storedData(e) })))],
        );
      await client.query(
        `INSERT INTO ${this.s}.stations (id, name, line, app_version, boot_id, sockets, state, heartbeat_s, last_seen, last_seq, last_event_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9, $10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, line = excluded.line, app_version = excluded.app_version, boot_id = excluded.boot_id,
           sockets = excluded.sockets, state = excluded.state, heartbeat_s = excluded.heartbeat_s, last_seen = now(),
           last_seq = GREATEST(${this.s}.stations.last_seq, excluded.last_seq),
           last_event_at = COALESCE(excluded.last_event_at, ${this.s}.stations.last_event_at)`,
        [
          st.id,
          st.name,
          st.line,
          st.appVersion,
          started ? started.data.bootId : st.bootId,
          st.sockets,
          state,
          st.heartbeatSeconds,
          upTo,
          events.at(-1)?.ts ?? null,
        ],
      );
      if (changed.size > 0) {
        const rows = [...changed].map((n) => sockets.get(n)).filter((r): r is SocketRow => r !== undefined);
        await client.query(
          `INSERT INTO ${this.s}.station_sockets (station_id, socket, state, procedure_id, procedure_name, procedure_version, procedure_hash, run_id, serial_number, phase, phase_index, last_outcome, since)
           SELECT $1, r.socket, r.state, r."procedureId", r."procedureName", r."procedureVersion", r."procedureHash", r."runId", r."serialNumber", r.phase, r."phaseIndex", r."lastOutcome", r.since::timestamptz
           FROM jsonb_to_recordset($2::jsonb) AS r(socket integer, state text, "procedureId" text, "procedureName" text, "procedureVersion" text, "procedureHash" text,
             "runId" text, "serialNumber" text, phase text, "phaseIndex" integer, "lastOutcome" text, since text)
           ON CONFLICT (station_id, socket) DO UPDATE SET state = excluded.state, procedure_id = excluded.procedure_id, procedure_name = excluded.procedure_name,
             procedure_version = excluded.procedure_version, procedure_hash = excluded.procedure_hash, run_id = excluded.run_id, serial_number = excluded.serial_number,
             phase = excluded.phase, phase_index = excluded.phase_index, last_outcome = excluded.last_outcome, since = excluded.since`,
          [st.id, JSON.stringify(rows)],
        );
        // A station that now has fewer sockets: the rows beyond are gone.
        if (started) await client.query(`DELETE FROM ${this.s}.station_sockets WHERE station_id = $1 AND socket >= $2`, [st.id, started.data.sockets]);
      }
      await client.query('COMMIT');
      this.sockets = sockets;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.off('error', lost);
      client.release();
    }
  }

  /** Resolves once every state event the station has now is on the target; rejects after `timeoutMs`. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const target = this.o.source.lastSeq;
    while (this.cursor === null || this.cursor < target) {
      if (this.closed) throw new Error('the state shipper is closed');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`station state not shipped to ${this.o.target.label} within ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`);
      this.wake();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.progress.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 200));
        this.progress.add(done);
      });
    }
  }

  /** Stops; when the server is reachable and caught up, says the station stopped (the plant shows "stopped", not "silent"). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.closeWaiter?.();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<false>((r) => (timer = setTimeout(() => r(false), CLOSE_GRACE_MS)));
    // The last word only when no write is still in flight (it could land after ours).
    const ended = await Promise.race([(this.loop ?? Promise.resolve()).then(() => true), grace]);
    if (ended && this.cursor !== null && this.failures === 0) {
      const cursor = this.cursor;
      const durable = this.o.source.durableSeq;
      const events = this.o.source.since(cursor, this.batchSize).events.filter((e) => e.seq <= durable);
      const last = events.at(-1)?.seq ?? cursor;
      await Promise.race([
        this.write(
          events.filter((e) => STATE_KINDS.has(e.kind)),
          last,
          'stopped',
        ).catch(() => {}),
        grace,
      ]);
    }
    clearTimeout(timer);
  }
}
