import { fault } from '#contract/messages.ts';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PhaseRecord, RunOutcome, RunRecord, RunSummary } from '#contract/records.ts';
import type { StationEvent } from '#contract/events.ts';
import { StationFault } from '#contract/errors.ts';
import { InventoryRepo, type RunAnnotations } from './inventory-repo.ts';

type Row = Record<string, string | number | null>;

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export const SUMMARY_COLUMNS =
  'id, socket, serial_number, part_number, operator_id, procedure_id, procedure_name, procedure_version, started_at, ended_at, duration_ms, outcome, outcome_reason';

/** A run found RUNNING at start and ended ABORTED: what the screen says of it. */
export interface RecoveredRun {
  runId: string;
  socket: number;
  serialNumber: string;
  endedAt: string;
  /** The phase that was running when the station stopped. */
  phase?: string;
}

interface CutPhase {
  index: number;
  name: string;
  attempt: number;
  startedAt: string;
  group: PhaseRecord['group'];
}

export interface RunQuery {
  limit: number;
  before?: string | undefined;
  /** Text anywhere in the serial number, any case. */
  serial?: string | undefined;
  serialPrefix?: string | undefined;
  outcome?: string | undefined;
  partNumber?: string | undefined;
  procedureId?: string | undefined;
  operatorId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export function toSummary(r: Row): RunSummary {
  return {
    id: String(r.id),
    socket: Number(r.socket),
    serialNumber: String(r.serial_number),
    procedureId: String(r.procedure_id),
    procedureName: String(r.procedure_name),
    procedureVersion: String(r.procedure_version),
    startedAt: String(r.started_at),
    outcome: String(r.outcome) as RunSummary['outcome'],
    ...(opt(r.ended_at) !== undefined ? { endedAt: String(r.ended_at) } : {}),
    ...(opt(r.duration_ms) !== undefined ? { durationMs: Number(r.duration_ms) } : {}),
    ...(opt(r.outcome_reason) !== undefined ? { outcomeReason: String(r.outcome_reason) } : {}),
    ...(opt(r.part_number) !== undefined ? { partNumber: String(r.part_number) } : {}),
    ...(opt(r.operator_id) !== undefined ? { operatorId: String(r.operator_id) } : {}),
  };
}

/** The run journal: a run row at start, each phase as it ends, the end with its outbox rows. */
/** Marks a phase end in the event log whose measurements and logs are in its phase row. */
const FROM_PHASE_ROW = 'fromPhaseRow';

export class RunsRepo {
  readonly db: DatabaseSync;
  private readonly s: Record<string, StatementSync>;

  private readonly inventory: InventoryRepo;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.inventory = new InventoryRepo(db);
    this.s = {
      insertRun:
        db.prepare(`INSERT INTO runs (id, station_id, socket, operator_id, app_version, procedure_id, procedure_name, procedure_version, procedure_hash,
        procedure_files, serial_number, part_number, revision, batch, started_at, outcome) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'RUNNING')`),
      insertPhase:
        db.prepare(`INSERT OR REPLACE INTO phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs, error, params, failure_code, attachments)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
      insertAttachment: db.prepare('INSERT INTO attachments (run_id, phase_idx, name, media_type, size, sha256) VALUES (?,?,?,?,?,?)'),
      unitRuns: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE serial_number = ? ORDER BY started_at ASC`),
      insertFailure: db.prepare('INSERT INTO failures (run_id, phase, measurement, outcome, reason, failure_code) VALUES (?,?,?,?,?,?)'),
      finishRun: db.prepare(`UPDATE runs SET outcome = ?, outcome_reason = ?, ended_at = ?, duration_ms = ? WHERE id = ? AND outcome = 'RUNNING'`),
      insertOutbox: db.prepare('INSERT OR IGNORE INTO outbox (run_id, target, created_at) VALUES (?,?,?)'),
      getRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
      getPhases: db.prepare('SELECT * FROM phases WHERE run_id = ? ORDER BY idx, attempt'),
      getPhase: db.prepare('SELECT measurements, logs FROM phases WHERE run_id = ? AND idx = ? AND attempt = ?'),
      running: db.prepare(`SELECT id, started_at, socket, serial_number FROM runs WHERE outcome = 'RUNNING'`),
      hasPhase: db.prepare('SELECT 1 AS x FROM phases WHERE run_id = ? AND idx = ? AND attempt = ?'),
      lastPhaseEnd: db.prepare('SELECT max(ended_at) AS t FROM phases WHERE run_id = ?'),
      // OR REPLACE: a batch may start at the seq a reservation row (no events) was keyed on.
      appendEvents: db.prepare('INSERT OR REPLACE INTO events (first_seq, last_seq, body) VALUES (?,?,?)'),
      maxSeq: db.prepare('SELECT max(last_seq) AS s FROM events'),
      eventsSince: db.prepare('SELECT body FROM events WHERE last_seq > ? ORDER BY first_seq'),
      minSeq: db.prepare('SELECT min(first_seq) AS s FROM events'),
      countRuns: db.prepare('SELECT count(*) AS n FROM runs'),
    };
  }

  /** Runs `f` in one transaction; nested calls join the outer one. */
  transaction<T>(f: () => T): T {
    return this.tx(f);
  }

  private tx<T>(f: () => T): T {
    if (this.db.isTransaction) return f();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const r = f();
      this.db.exec('COMMIT');
      return r;
    } catch (e) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw classify(e);
    }
  }

  insertRun(run: Omit<RunRecord, 'phases' | 'outcome'>): void {
    this.tx(() =>
      this.s.insertRun!.run(
        run.id,
        run.stationId,
        run.socket,
        run.operatorId ?? null,
        run.appVersion,
        run.procedure.id,
        run.procedure.name,
        run.procedure.version,
        run.procedure.hash,
        run.procedure.files ? JSON.stringify(run.procedure.files) : null,
        run.unit.serialNumber,
        run.unit.partNumber ?? null,
        run.unit.revision ?? null,
        run.unit.batch ?? null,
        run.startedAt,
      ),
    );
  }

  private writePhase(runId: string, p: PhaseRecord): void {
    this.s.insertPhase!.run(
      runId,
      p.index,
      p.attempt,
      p.name,
      p.group,
      p.outcome,
      p.startedAt,
      p.endedAt,
      p.durationMs,
      JSON.stringify(p.measurements),
      JSON.stringify(p.logs),
      p.error ? JSON.stringify(p.error) : null,
      p.params ? JSON.stringify(p.params) : null,
      p.failureCode ?? null,
      p.attachments?.length ? JSON.stringify(p.attachments) : null,
    );
    for (const a of p.attachments ?? []) this.s.insertAttachment!.run(runId, p.index, a.name, a.mediaType, a.size, a.sha256);
    for (const m of p.measurements) {
      if (m.outcome === 'FAIL' || m.outcome === 'UNSET') this.s.insertFailure!.run(runId, p.name, m.name, m.outcome, m.reason ?? null, m.failureCode ?? null);
    }
  }

  /** Journals finished phases; one transaction for the batch. */
  insertPhases(runId: string, phases: readonly PhaseRecord[]): void {
    if (phases.length === 0) return;
    this.tx(() => {
      for (const p of phases) this.writePhase(runId, p);
    });
  }

  /**
   * Ends a run and queues it for every upload target in one durable transaction:
   * a run is never finished-but-not-queued.
   */
  finishRun(
    runId: string,
    end: { outcome: RunOutcome; outcomeReason?: string; endedAt: string; durationMs: number },
    phases: readonly PhaseRecord[],
    targets: readonly string[],
  ): void {
    // FULL makes this commit survive power loss; inside a caller's transaction the caller decides.
    const own = !this.db.isTransaction;
    if (own) this.db.exec('PRAGMA synchronous = FULL');
    try {
      this.tx(() => {
        for (const p of phases) this.writePhase(runId, p);
        this.s.finishRun!.run(end.outcome, end.outcomeReason ?? null, end.endedAt, end.durationMs, runId);
        for (const t of targets) this.s.insertOutbox!.run(runId, t, end.endedAt);
      });
    } finally {
      if (own) this.db.exec('PRAGMA synchronous = NORMAL');
    }
  }

  /**
   * Stores a finished run made elsewhere (an import) whole, queued for `targets`.
   * A run whose id is already stored is left as it is: returns false.
   */
  insertRecord(rec: RunRecord, targets: readonly string[] = []): boolean {
    if (rec.outcome === 'RUNNING' || rec.endedAt === undefined)
      throw new StationFault('invalid-input', `run ${rec.id}: only finished runs can be stored whole (outcome ${rec.outcome})`);
    const endedAt = rec.endedAt;
    return this.tx(() => {
      if (this.s.getRun!.get(rec.id)) return false;
      this.insertRun(rec);
      for (const p of rec.phases) this.writePhase(rec.id, p);
      this.s.finishRun!.run(rec.outcome, rec.outcomeReason ?? null, endedAt, rec.durationMs ?? null, rec.id);
      this.inventory.annotate(rec.id, {
        ...(rec.overrides ? { overrides: rec.overrides } : {}),
        ...(rec.fixtureId !== undefined ? { fixtureId: rec.fixtureId } : {}),
        ...(rec.instruments ? { instruments: rec.instruments } : {}),
        ...(rec.unit.dateCode !== undefined ? { unit: { dateCode: rec.unit.dateCode } } : {}),
        ...sourceAnnotation(rec),
      });
      for (const t of targets) this.s.insertOutbox!.run(rec.id, t, endedAt);
      return true;
    });
  }

  /**
   * After a crash: every RUNNING run becomes ABORTED with the phases it had journaled, and
   * the phase that was running when the station stopped (read from the event log: its
   * run.phaseStarted is there, its end is not) as an ABORTED phase. The run ends when the
   * station was last known alive (`lastAlive`, the heartbeat), or at its last event, never
   * before its last finished phase.
   */
  recoverInterrupted(reason: string, targets: readonly string[], lastAlive?: string): RecoveredRun[] {
    const rows = this.s.running!.all() as Row[];
    if (rows.length === 0) return [];
    const seen = this.lastSeenInEventLog(new Set(rows.map((r) => String(r.id))));
    const out: RecoveredRun[] = [];
    for (const r of rows) {
      const id = String(r.id);
      const startedAt = String(r.started_at);
      const info = seen.get(id);
      const last = (this.s.lastPhaseEnd!.get(id) as Row | undefined)?.t;
      const candidates = [startedAt, typeof last === 'string' ? last : startedAt, info?.lastTs ?? startedAt];
      if (lastAlive !== undefined && lastAlive >= startedAt) candidates.push(lastAlive);
      const endedAt = candidates.reduce((a, b) => (b > a ? b : a));
      const cut = info?.running;
      const phases: PhaseRecord[] = [];
      if (cut && !this.s.hasPhase!.get(id, cut.index, cut.attempt)) {
        const cutEnd = endedAt > cut.startedAt ? endedAt : cut.startedAt;
        phases.push({
          index: cut.index,
          name: cut.name,
          group: cut.group,
          attempt: cut.attempt,
          outcome: 'ABORTED',
          startedAt: cut.startedAt,
          endedAt: cutEnd,
          durationMs: Math.max(0, Date.parse(cutEnd) - Date.parse(cut.startedAt)),
          measurements: [],
          logs: [],
          error: { kind: 'aborted', message: 'the station stopped during this phase' },
        });
      }
      const durationMs = Math.max(0, Date.parse(endedAt) - Date.parse(startedAt));
      this.finishRun(id, { outcome: 'ABORTED', outcomeReason: reason, endedAt, durationMs }, phases, targets);
      out.push({
        runId: id,
        socket: Number(r.socket),
        serialNumber: String(r.serial_number),
        endedAt,
        ...(cut ? { phase: cut.name } : {}),
      });
    }
    return out;
  }

  /**
   * For runs left RUNNING: the time of their last journaled event and the phase they had
   * started without ending, from the newest batches of the event log back to each run's
   * start (at most 2000 batches: a run's events are near the end of the log).
   */
  private lastSeenInEventLog(ids: Set<string>): Map<string, { lastTs: string; running?: CutPhase }> {
    const out = new Map<string, { lastTs: string; running?: CutPhase; ended: Set<string> }>();
    const open = new Set(ids);
    for (const row of this.db.prepare('SELECT body FROM events ORDER BY first_seq DESC LIMIT 2000').iterate() as Iterable<Row>) {
      let batch: StationEvent[];
      try {
        batch = JSON.parse(String(row.body)) as StationEvent[];
      } catch {
        continue;
      }
      for (let i = batch.length - 1; i >= 0; i--) {
        const e = batch[i]!;
        if (!e.runId || !open.has(e.runId)) continue;
        let o = out.get(e.runId);
        if (!o) out.set(e.runId, (o = { lastTs: e.ts, ended: new Set() }));
        if (e.kind === 'run.phaseEnded') o.ended.add(`${e.data.phase.index}/${e.data.phase.attempt}`);
        else if (e.kind === 'run.phaseStarted' && !o.running && !o.ended.has(`${e.data.index}/${e.data.attempt}`))
          o.running = { index: e.data.index, name: e.data.name, attempt: e.data.attempt, startedAt: e.data.startedAt, group: 'main' };
        else if (e.kind === 'run.started') {
          const planned = e.data.plannedPhases.find((p) => p.name === o.running?.name);
          if (o.running && planned) o.running.group = planned.group;
          open.delete(e.runId);
        }
      }
      if (open.size === 0) break;
    }
    return new Map([...out].map(([id, o]) => [id, { lastTs: o.lastTs, ...(o.running ? { running: o.running } : {}) }]));
  }

  getRun(id: string): RunRecord {
    const r = this.s.getRun!.get(id) as Row | undefined;
    if (!r) throw new StationFault('not-found', `no run with id ${id}`);
    // One row with damaged bytes makes this run unreadable, with a message naming it; never the others.
    const json = <T>(p: Row, col: string): T => {
      try {
        return JSON.parse(String(p[col])) as T;
      } catch {
        throw new StationFault(
          'db.corrupted',
          `Run ${id} (serial ${String(r.serial_number)}) cannot be read: the ${col} of its phase ${String(p.idx)} "${String(p.name)}" are damaged in the station database. Other runs are not affected.`,
          { runId: id, phase: Number(p.idx), column: col, row: true },
        );
      }
    };
    const phases = (this.s.getPhases!.all(id) as Row[]).map((p): PhaseRecord => ({
      index: Number(p.idx),
      name: String(p.name),
      group: String(p.grp) as PhaseRecord['group'],
      attempt: Number(p.attempt),
      outcome: String(p.outcome) as PhaseRecord['outcome'],
      startedAt: String(p.started_at),
      endedAt: String(p.ended_at),
      durationMs: Number(p.duration_ms),
      measurements: json<PhaseRecord['measurements']>(p, 'measurements'),
      logs: json<PhaseRecord['logs']>(p, 'logs'),
      ...(p.error ? { error: json<NonNullable<PhaseRecord['error']>>(p, 'error') } : {}),
      ...(p.failure_code !== null && p.failure_code !== undefined ? { failureCode: String(p.failure_code) } : {}),
      ...(p.params ? { params: json<NonNullable<PhaseRecord['params']>>(p, 'params') } : {}),
      ...(p.attachments ? { attachments: json<NonNullable<PhaseRecord['attachments']>>(p, 'attachments') } : {}),
    }));
    const procedureFiles = (): NonNullable<RunRecord['procedure']['files']> => {
      try {
        return JSON.parse(String(r.procedure_files)) as NonNullable<RunRecord['procedure']['files']>;
      } catch {
        throw new StationFault(
          'db.corrupted',
          `Run ${id} (serial ${String(r.serial_number)}) cannot be read: the list of its procedure's files is damaged in the station database. Other runs are not affected.`,
          { runId: id, column: 'procedure_files', row: true },
        );
      }
    };
    const rec: RunRecord = {
      id: String(r.id),
      stationId: String(r.station_id),
      socket: Number(r.socket),
      appVersion: String(r.app_version),
      procedure: {
        id: String(r.procedure_id),
        name: String(r.procedure_name),
        version: String(r.procedure_version),
        hash: String(r.procedure_hash),
        ...(r.procedure_files !== null && r.procedure_files !== undefined ? { files: procedureFiles() } : {}),
      },
      unit: { serialNumber: String(r.serial_number) },
      startedAt: String(r.started_at),
      outcome: String(r.outcome) as RunRecord['outcome'],
      phases,
    };
    if (r.operator_id !== null) rec.operatorId = String(r.operator_id);
    if (r.part_number !== null) rec.unit.partNumber = String(r.part_number);
    if (r.revision !== null) rec.unit.revision = String(r.revision);
    if (r.batch !== null) rec.unit.batch = String(r.batch);
    if (r.ended_at !== null) rec.endedAt = String(r.ended_at);
    if (r.duration_ms !== null) rec.durationMs = Number(r.duration_ms);
    if (r.outcome_reason !== null) rec.outcomeReason = String(r.outcome_reason);
    // What the run was started with (instruments, overrides, fixture) belongs to the record
    // every reader sees: the run page, exports and uploads alike.
    let a: ReturnType<InventoryRepo['annotations']>;
    try {
      a = this.inventory.annotations(id);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new StationFault(
        'db.corrupted',
        `Run ${id} (serial ${rec.unit.serialNumber}) cannot be read: what it was started with is damaged in the station database. Other runs are not affected.`,
        {
          runId: id,
          column: 'run_annotations',
          row: true,
        },
      );
    }
    if (a.unit?.dateCode !== undefined) rec.unit = { ...rec.unit, dateCode: a.unit.dateCode };
    if (a.fixtureId !== undefined) rec.fixtureId = a.fixtureId;
    if (a.overrides) rec.overrides = a.overrides;
    if (a.instruments) rec.instruments = a.instruments;
    if (a.source?.description !== undefined) rec.procedure.description = a.source.description;
    for (const [index, name] of Object.entries(a.source?.subtests ?? {})) {
      const p = rec.phases.find((x) => x.index === Number(index));
      if (p) p.subtest = name;
    }
    return rec;
  }

  /** Newest first; `before` pages by start time. Each filter reads from its own index. */
  listRuns(q: RunQuery): RunSummary[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (col: string, v: string | undefined) => {
      if (v === undefined || v === '') return;
      where.push(`${col} = ?`);
      args.push(v);
    };
    if (q.before) {
      where.push('started_at < ?');
      args.push(q.before);
    }
    if (q.from) {
      where.push('started_at >= ?');
      args.push(new Date(q.from).toISOString());
    }
    if (q.to) {
      where.push('started_at < ?');
      args.push(new Date(q.to).toISOString());
    }
    const text = q.serial?.trim();
    if (text) {
      // Serials containing the text, any case: the trigram index answers three characters
      // or more; a shorter text scans the distinct serials (one row per unit, not per run).
      if ([...text].length >= 3) {
        where.push('serial_number IN (SELECT serial FROM serial_search WHERE serial_search MATCH ?)');
        args.push(`"${text.replaceAll('"', '""')}"`);
      } else {
        where.push('serial_number IN (SELECT serial FROM serial_search WHERE instr(lower(serial), lower(?)) > 0)');
        args.push(text);
      }
    }
    if (q.serialPrefix) {
      // Range scan on the serial index instead of LIKE, which would ignore it.
      where.push('serial_number >= ? AND serial_number < ?');
      args.push(q.serialPrefix, q.serialPrefix + '\u{10FFFF}');
    }
    eq('outcome', q.outcome);
    eq('part_number', q.partNumber);
    eq('procedure_id', q.procedureId);
    eq('operator_id', q.operatorId);
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY started_at DESC LIMIT ?`;
    args.push(q.limit);
    return (this.db.prepare(sql).all(...args) as Row[]).map(toSummary);
  }

  /** Every attempt of one unit, oldest first. */
  unitHistory(serialNumber: string): RunSummary[] {
    return (this.s.unitRuns!.all(serialNumber) as Row[]).map(toSummary);
  }

  /**
   * Retention: deletes runs that ended before `cutoff` and that every upload target
   * has acknowledged (all their outbox rows delivered). A run never queued anywhere,
   * or still pending or parked somewhere, is never deleted. Returns the attachment
   * hashes no longer referenced, for the caller to remove from disk.
   */
  prune(cutoff: string, limit = 1000): { runs: number; orphanedAttachments: string[] } {
    return this.tx(() => {
      const ids = (
        this.db
          .prepare(
            `SELECT r.id FROM runs r WHERE r.outcome != 'RUNNING' AND r.ended_at < ?
               AND EXISTS (SELECT 1 FROM outbox o WHERE o.run_id = r.id)
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.run_id = r.id AND o.state != 'delivered')
             ORDER BY r.ended_at LIMIT ?`,
          )
          .all(cutoff, limit) as Row[]
      ).map((r) => String(r.id));
      if (ids.length === 0) return { runs: 0, orphanedAttachments: [] };
      const list = ids.map(() => '?').join(',');
      const shas = (this.db.prepare(`SELECT DISTINCT sha256 FROM attachments WHERE run_id IN (${list})`).all(...ids) as Row[]).map((r) => String(r.sha256));
      this.db.prepare(`DELETE FROM outbox WHERE run_id IN (${list})`).run(...ids);
      this.db.prepare(`DELETE FROM runs WHERE id IN (${list})`).run(...ids);
      const still = this.db.prepare('SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1');
      return { runs: ids.length, orphanedAttachments: shas.filter((sha) => still.get(sha) === undefined) };
    });
  }

  /** Runs still RUNNING (interrupted ones before recovery). */
  countRunning(): number {
    return (this.s.running!.all() as Row[]).length;
  }

  countRuns(): number {
    return Number((this.s.countRuns!.get() as Row).n);
  }

  /**
   * The event log, one row per published batch, for replay to subscribers. A phase end
   * is kept without its measurements and logs, which its phase row holds (written in
   * the same transaction or before): `eventsSince` puts them back.
   */
  appendEvents(events: readonly StationEvent[], json: (i: number) => string): void {
    if (events.length === 0) return;
    const bodies = events.map((e, i) => {
      if (e.kind !== 'run.phaseEnded') return json(i);
      const { measurements: _m, logs: _l, ...phase } = e.data.phase;
      return JSON.stringify({ ...e, data: { phase: { ...phase, [FROM_PHASE_ROW]: true } } });
    });
    this.s.appendEvents!.run(events[0]!.seq, events.at(-1)!.seq, `[${bodies.join(',')}]`);
  }

  /**
   * Records that seq numbers up to `upTo` may be handed out, as a row with no events:
   * after a crash the next boot starts above it, so a seq seen live is never reused.
   */
  reserveSeq(upTo: number): void {
    this.s.appendEvents!.run(upTo, upTo, '[]');
  }

  maxSeq(): number {
    const s = (this.s.maxSeq!.get() as Row).s;
    return s === null ? 0 : Number(s);
  }

  minSeq(): number | null {
    const s = (this.s.minSeq!.get() as Row).s;
    return s === null ? null : Number(s);
  }

  eventsSince(afterSeq: number, limit: number): StationEvent[] {
    const out: StationEvent[] = [];
    for (const row of this.s.eventsSince!.iterate(afterSeq) as Iterable<Row>) {
      for (const e of JSON.parse(String(row.body)) as StationEvent[]) {
        if (e.seq <= afterSeq) continue;
        out.push(e.kind === 'run.phaseEnded' ? this.withPhaseRow(e) : e);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** A logged phase end with its measurements and logs from the phase row (empty if the run was pruned since). */
  private withPhaseRow(e: Extract<StationEvent, { kind: 'run.phaseEnded' }>): StationEvent {
    const { [FROM_PHASE_ROW]: slim, ...phase } = e.data.phase as PhaseRecord & { [FROM_PHASE_ROW]?: boolean };
    if (!slim) return e;
    const row = this.s.getPhase!.get(e.runId, phase.index, phase.attempt) as Row | undefined;
    return {
      ...e,
      data: {
        phase: {
          ...phase,
          measurements: row ? (JSON.parse(String(row.measurements)) as PhaseRecord['measurements']) : [],
          logs: row ? (JSON.parse(String(row.logs)) as PhaseRecord['logs']) : [],
        },
      },
    };
  }
}

/** Maps SQLite failures to the error kinds the UI knows. */
export function classify(e: unknown): unknown {
  if (e instanceof StationFault) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/SQLITE_FULL|database or disk is full|ENOSPC/i.test(msg)) return fault('disk.full', 'storageDiskFull');
  if (/readonly|read-only|SQLITE_READONLY|EROFS/i.test(msg)) return fault('disk.full', 'storageReadOnly');
  if (/malformed|SQLITE_CORRUPT/i.test(msg)) return new StationFault('db.corrupted', `The station database is damaged: ${msg}`);
  return e;
}

/** An imported record's description and subtests, which have no column of their own. */
function sourceAnnotation(rec: RunRecord): { source?: NonNullable<RunAnnotations['source']> } {
  const subtests = Object.fromEntries(rec.phases.filter((p) => p.subtest !== undefined).map((p) => [String(p.index), p.subtest!]));
  const source: NonNullable<RunAnnotations['source']> = {
    ...(rec.procedure.description !== undefined ? { description: rec.procedure.description } : {}),
    ...(Object.keys(subtests).length ? { subtests } : {}),
  };
  return Object.keys(source).length ? { source } : {};
}
