import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ParkedRun } from '#contract/upload.ts';
import { StationFault } from '#contract/errors.ts';
import { AuditLog } from '#station/store/audit.ts';

/**
 * The upload queue's rows: the outbox the run's end wrote in its own transaction.
 * A row is `pending` until its target has the run (`delivered`), or the target
 * refused it (`parked`, with the reason). A supervisor sends parked rows again
 * (`pending`) or gives them up (`dropped`); both go to the audit log.
 */

export interface OutboxRow {
  id: number;
  runId: string;
  attempts: number;
  remoteRef: string | null;
}

/** One run's row for one target, as stored. */
export interface RunOutboxRow {
  id: number;
  target: string;
  state: 'pending' | 'delivered' | 'parked' | 'dropped';
  attempts: number;
  /** Epoch ms; 0 = due at once. */
  nextAttemptAt: number;
  lastError: string | null;
  remoteRef: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export interface TargetCounts {
  pending: number;
  parked: number;
  delivered: number;
}

type Row = Record<string, string | number | null>;

export class Outbox {
  private readonly db: DatabaseSync;
  private readonly s: Record<string, StatementSync>;
  private readonly audit: AuditLog;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.audit = new AuditLog(db);
    this.s = {
      due: db.prepare(
        `SELECT id, run_id, attempts, remote_ref FROM outbox WHERE target = ? AND state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
      ),
      nextDue: db.prepare(`SELECT min(next_attempt_at) AS t FROM outbox WHERE target = ? AND state = 'pending' AND next_attempt_at > ?`),
      state: db.prepare('SELECT state FROM outbox WHERE id = ?'),
      delivered: db.prepare(`UPDATE outbox SET state = 'delivered', attempts = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'pending'`),
      failed: db.prepare(`UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`),
      parked: db.prepare(`UPDATE outbox SET state = 'parked', attempts = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`),
      remoteRef: db.prepare('UPDATE outbox SET remote_ref = ? WHERE id = ?'),
      resetBackoff: db.prepare(`UPDATE outbox SET next_attempt_at = 0 WHERE target = ? AND state = 'pending' AND next_attempt_at > ?`),
      counts: db.prepare(`SELECT target, state, count(*) AS n FROM outbox WHERE state IN ('pending', 'parked') GROUP BY target, state`),
      deliveredCounts: db.prepare(`SELECT target, count(*) AS n FROM outbox WHERE state = 'delivered' GROUP BY target`),
      waitingRuns: db.prepare(`SELECT count(DISTINCT run_id) AS n FROM outbox WHERE state = 'pending'`),
      parkedRuns: db.prepare(`SELECT count(DISTINCT run_id) AS n FROM outbox WHERE state = 'parked'`),
      runState: db.prepare('SELECT outcome FROM runs WHERE id = ?'),
      forRun: db.prepare(
        'SELECT id, target, state, attempts, next_attempt_at, last_error, remote_ref, created_at, updated_at FROM outbox WHERE run_id = ? ORDER BY id',
      ),
    };
  }

  due(target: string, now: number, limit: number): OutboxRow[] {
    return (this.s.due!.all(target, now, limit) as Row[]).map((r) => ({
      id: Number(r.id),
      runId: String(r.run_id),
      attempts: Number(r.attempts),
      remoteRef: r.remote_ref === null ? null : String(r.remote_ref),
    }));
  }

  /** The earliest future attempt of the target's waiting rows, if any waits for one. */
  nextDueAfter(target: string, now: number): number | null {
    const t = (this.s.nextDue!.get(target, now) as Row).t;
    return t === null ? null : Number(t);
  }

  state(id: number): string | undefined {
    const r = this.s.state!.get(id) as Row | undefined;
    return r ? String(r.state) : undefined;
  }

  delivered(id: number, attempts: number): boolean {
    return Number(this.s.delivered!.run(attempts, new Date().toISOString(), id).changes) > 0;
  }

  failed(id: number, attempts: number, nextAttemptAt: number, error: string): void {
    this.s.failed!.run(attempts, nextAttemptAt, error, new Date().toISOString(), id);
  }

  parked(id: number, attempts: number, reason: string): boolean {
    return Number(this.s.parked!.run(attempts, reason, new Date().toISOString(), id).changes) > 0;
  }

  setRemoteRef(id: number, ref: string): void {
    this.s.remoteRef!.run(ref, id);
  }

  /** The target is back: rows that backed off while it was away are due now. */
  resetBackoff(target: string, now: number): void {
    this.s.resetBackoff!.run(target, now);
  }

  /**
   * Waiting and parked rows per target, counted (they are few once drained); delivered ones
   * come from `delivered`, counted once at start and kept up by the uploader, since they
   * only grow and counting them each time would cost more each time.
   */
  counts(delivered: ReadonlyMap<string, number>): Map<string, TargetCounts> {
    const out = new Map<string, TargetCounts>();
    for (const [t, n] of delivered) out.set(t, { pending: 0, parked: 0, delivered: n });
    for (const r of this.s.counts!.all() as Row[]) {
      const t = String(r.target);
      const c = out.get(t) ?? { pending: 0, parked: 0, delivered: 0 };
      c[String(r.state) as 'pending' | 'parked'] = Number(r.n);
      out.set(t, c);
    }
    return out;
  }

  deliveredCounts(): Map<string, number> {
    return new Map((this.s.deliveredCounts!.all() as Row[]).map((r) => [String(r.target), Number(r.n)]));
  }

  waitingRuns(): number {
    return Number((this.s.waitingRuns!.get() as Row).n);
  }

  parkedRuns(): number {
    return Number((this.s.parkedRuns!.get() as Row).n);
  }

  /** The run's outcome (RUNNING while it runs), or undefined when the store has no such run. */
  runOutcome(runId: string): string | undefined {
    const r = this.s.runState!.get(runId) as Row | undefined;
    return r ? String(r.outcome) : undefined;
  }

  /** Every row of one run, one per target it was queued for (the unique key is run and target). */
  forRun(runId: string): RunOutboxRow[] {
    return (this.s.forRun!.all(runId) as Row[]).map((r) => ({
      id: Number(r.id),
      target: String(r.target),
      state: String(r.state) as RunOutboxRow['state'],
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.next_attempt_at),
      lastError: r.last_error === null ? null : String(r.last_error),
      remoteRef: r.remote_ref === null ? null : String(r.remote_ref),
      createdAt: String(r.created_at),
      updatedAt: r.updated_at === null ? null : String(r.updated_at),
    }));
  }

  listParked(target: string | undefined, limit: number): ParkedRun[] {
    const rows = this.db
      .prepare(
        `SELECT o.target, o.run_id, o.attempts, o.last_error, o.updated_at, o.created_at, r.serial_number, r.procedure_id, r.started_at, r.outcome
         FROM outbox o JOIN runs r ON r.id = o.run_id
         WHERE o.state = 'parked' ${target !== undefined ? 'AND o.target = ?' : ''} ORDER BY o.updated_at DESC, o.id DESC LIMIT ?`,
      )
      .all(...(target !== undefined ? [target, limit] : [limit])) as Row[];
    return rows.map((r) => ({
      target: String(r.target),
      runId: String(r.run_id),
      serialNumber: String(r.serial_number),
      procedureId: String(r.procedure_id),
      startedAt: String(r.started_at),
      outcome: String(r.outcome) as ParkedRun['outcome'],
      attempts: Number(r.attempts),
      reason: String(r.last_error ?? ''),
      parkedAt: String(r.updated_at ?? r.created_at),
    }));
  }

  /**
   * Moves rows from `from` states to `to`, records who did it in the audit log, all in
   * one transaction; returns the rows moved. Nothing matching is a not-found error.
   */
  private move(
    action: 'upload.retry' | 'upload.drop',
    by: string,
    from: readonly string[],
    to: 'pending' | 'dropped',
    q: { target?: string | undefined; runIds?: readonly string[] | undefined; reason?: string | undefined },
  ): { target: string; runId: string }[] {
    const where = [`state IN (${from.map(() => '?').join(',')})`];
    const args: (string | number)[] = [...from];
    if (q.target !== undefined) {
      where.push('target = ?');
      args.push(q.target);
    }
    if (q.runIds !== undefined) {
      where.push(`run_id IN (${q.runIds.map(() => '?').join(',')})`);
      args.push(...q.runIds);
    }
    const now = new Date().toISOString();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const rows = this.db.prepare(`SELECT id, target, run_id FROM outbox WHERE ${where.join(' AND ')} ORDER BY id`).all(...args) as Row[];
      if (rows.length === 0) {
        const what = [q.target !== undefined ? `target ${q.target}` : 'any target', q.runIds ? `run(s) ${q.runIds.join(', ')}` : 'any run'].join(', ');
        throw new StationFault('not-found', `nothing to ${action === 'upload.retry' ? 'retry' : 'drop'}: no ${from.join(' or ')} upload for ${what}`);
      }
      const upd =
        to === 'pending'
          ? this.db.prepare(`UPDATE outbox SET state = 'pending', next_attempt_at = 0, updated_at = ? WHERE id = ?`)
          : this.db.prepare(`UPDATE outbox SET state = 'dropped', last_error = coalesce(?, last_error), updated_at = ? WHERE id = ?`);
      for (const r of rows) {
        if (to === 'pending') upd.run(now, Number(r.id));
        else upd.run(q.reason !== undefined ? `dropped by ${by}: ${q.reason}` : `dropped by ${by}`, now, Number(r.id));
      }
      const moved = rows.map((r) => ({ target: String(r.target), runId: String(r.run_id) }));
      this.audit.append({ at: now, actor: by, action, details: { target: q.target ?? null, reason: q.reason ?? null, rows: moved } });
      this.db.exec('COMMIT');
      return moved;
    } catch (e) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  retry(by: string, q: { target?: string | undefined; runIds?: readonly string[] | undefined }): { target: string; runId: string }[] {
    return this.move('upload.retry', by, ['parked'], 'pending', q);
  }

  /** Parked runs, or runs still waiting (for a target that is gone for good), are given up. */
  drop(by: string, q: { target?: string | undefined; runIds: readonly string[]; reason?: string | undefined }): { target: string; runId: string }[] {
    return this.move('upload.drop', by, ['parked', 'pending'], 'dropped', q);
  }
}
