import type { DatabaseSync } from 'node:sqlite';
import type { UploadRetry, UploadStatus, UploadTarget, TargetStatus, ParkedRun, RunUpload } from '#contract/upload.ts';
import { StationFault } from '#contract/errors.ts';
import type { RunRecord } from '#contract/records.ts';
import type { EventData } from '#contract/events.ts';
import type { EventBus } from '#station/events/bus.ts';
import type { RunsRepo } from '#station/store/runs-repo.ts';
import { backoffMs } from './backoff.ts';
import { Outbox, type OutboxRow, type RunOutboxRow } from './outbox.ts';
import { createSink } from './targets.ts';
import { messageOf, retryTarget, type Delivery, type Sink } from './sink.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import type { AuditLog } from '#station/store/audit.ts';
import { AuditShipper } from './audit-shipper.ts';
import { PostgresSink } from './postgres-sink.ts';
import { StateShipper, type StateSource, type StationIdentity } from './state-shipper.ts';

/**
 * The uploader: one worker per target drains that target's rows of the outbox.
 * Delivery is at least once (a row is marked delivered only after the target has
 * the run, so a crash in between sends it again) and every target keys the run by
 * its id (Idempotency-Key, ON CONFLICT, a file named after it): the plant's
 * systems hold each run exactly once.
 *
 * Retry: a failed run backs off on its own (firstDelayMs doubling to maxDelayMs,
 * ± jitter, or the server's Retry-After); a target that is unreachable or
 * overloaded pauses as a whole, so an outage costs one probe per backoff step and
 * not one request per queued run. When it answers again, everything waiting is due.
 */

export interface UploaderOptions {
  db: DatabaseSync;
  repo: RunsRepo;
  bus: EventBus;
  targets: readonly UploadTarget[];
  retry: UploadRetry;
  appVersion: string;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** The station's attachment files, read (and checked) for the targets that send them. */
  attachments?: AttachmentReader;
  /** Ship the audit trail too, to every enabled target that takes it (PostgreSQL: its `audit` table). */
  audit?: { stationId: string; source: AuditLog };
  /** Ship the station's heartbeat and state changes too, to every enabled PostgreSQL target (the plant database). */
  plant?: { station: StationIdentity; source: StateSource };
  random?: () => number;
}

/** Ms to coalesce queue-state events over: the screens stay current without an event per run. */
const STATUS_DEBOUNCE_MS = 100;
/** Rows fetched per refill of a worker's buffer. */
const BATCH = 256;
/** On stop, deliveries in flight get this long to finish before they are left for the next start. */
const STOP_GRACE_MS = 2000;

class Worker {
  readonly target: UploadTarget;
  readonly sink: Sink;
  reachable: boolean | null = null;
  lastError: string | null = null;
  lastErrorAt: string | null = null;
  lastDeliveredAt: string | null = null;
  /** Failures in a row (any success resets): the target's own backoff step. */
  private failures = 0;
  /** While the whole target waits (unreachable, overloaded, Retry-After). */
  pausedUntil = 0;
  /** The target was paused as unreachable: on its first success, rows that backed off meanwhile are due again. */
  private outage = false;
  readonly inflight = new Set<number>();
  private buffer: OutboxRow[] = [];
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;
  private readonly aborts = new Set<AbortController>();
  private lanes: Promise<void>[] = [];
  private readonly up: Uploader;

  constructor(up: Uploader, target: UploadTarget, sink: Sink) {
    this.up = up;
    this.target = target;
    this.sink = sink;
  }

  start(): void {
    for (let i = 0; i < this.target.concurrency; i++) this.lanes.push(this.lane());
  }

  /** New rows, or rows made due by a supervisor: look again now. */
  wake(): void {
    this.buffer = [];
    this.release();
  }

  private release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.release();
    for (const a of this.aborts) a.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.lanes), new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    await this.sink.close().catch(() => {});
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      try {
        const job = this.take();
        if (!job) {
          await this.sleep();
          continue;
        }
        // A batching sink (PostgreSQL) gets the due runs in one go, except while probing after an outage.
        const jobs = [job];
        const max = this.sink.deliverMany && !this.outage ? (this.sink.batchSize ?? 1) : 1;
        while (jobs.length < max) {
          const next = this.take();
          if (!next) break;
          jobs.push(next);
        }
        if (jobs.length > 1) await this.sendMany(jobs);
        else await this.send(job);
      } catch (e) {
        // The store itself failed (disk full, say): the rows stay as they are; try again after a pause.
        if (this.stopped) return;
        this.up.log('error', `upload worker ${this.target.id}: ${messageOf(e)}`);
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + this.up.retry.firstDelayMs);
        await this.sleep();
      }
    }
  }

  private take(): OutboxRow | undefined {
    const now = Date.now();
    if (now < this.pausedUntil) return undefined;
    // After an outage one run probes the target; the others follow when it gets through.
    if (this.outage && this.inflight.size > 0) return undefined;
    if (this.buffer.length === 0) {
      this.buffer = this.up.outbox.due(this.target.id, now, BATCH + this.inflight.size).filter((r) => !this.inflight.has(r.id));
    }
    const job = this.buffer.shift();
    if (job) this.inflight.add(job.id);
    return job;
  }

  /** Until woken, or until the pause ends or the next row is due. */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      const now = Date.now();
      const at = this.pausedUntil > now ? this.pausedUntil : this.up.outbox.nextDueAfter(this.target.id, now);
      if (at !== null && at < this.timerAt) {
        if (this.timer) clearTimeout(this.timer);
        this.timerAt = at;
        this.timer = setTimeout(() => this.release(), Math.max(0, at - now));
      }
    });
  }

  private async send(job: OutboxRow): Promise<void> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      // A supervisor may have dropped it while it sat in the buffer.
      if (this.up.outbox.state(job.id) !== 'pending') return;
      let rec: RunRecord;
      try {
        rec = this.up.repo.getRun(job.runId);
      } catch (e) {
        this.settle(
          job,
          e instanceof StationFault && e.kind === 'not-found'
            ? { ok: false, park: true, reason: `run ${job.runId} is not in the store` }
            : retryTarget(`reading run ${job.runId}: ${messageOf(e)}`),
        );
        return;
      }
      let result: Delivery;
      try {
        result = await this.sink.deliver(rec, {
          signal: abort.signal,
          remoteRef: job.remoteRef,
          setRemoteRef: (ref) => this.up.outbox.setRemoteRef(job.id, ref),
        });
      } catch (e) {
        result = retryTarget(messageOf(e));
      }
      // Stopping (the store may be closing): the row stays queued as it was, for the next
      // start; a run the target did get is then sent again, and the target keeps it once.
      if (this.stopped) return;
      this.settle(job, result);
    } finally {
      this.aborts.delete(abort);
      this.inflight.delete(job.id);
    }
  }

  /** Several runs to a batching sink; each is settled on its own answer. */
  private async sendMany(jobs: readonly OutboxRow[]): Promise<void> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const live: { job: OutboxRow; rec: RunRecord }[] = [];
      for (const job of jobs) {
        if (this.up.outbox.state(job.id) !== 'pending') continue;
        try {
          live.push({ job, rec: this.up.repo.getRun(job.runId) });
        } catch (e) {
          this.settle(
            job,
            e instanceof StationFault && e.kind === 'not-found'
              ? { ok: false, park: true, reason: `run ${job.runId} is not in the store` }
              : retryTarget(`reading run ${job.runId}: ${messageOf(e)}`),
          );
        }
      }
      if (live.length === 0) return;
      let results: Delivery[];
      try {
        results = await this.sink.deliverMany!(
          live.map((x) => x.rec),
          { signal: abort.signal, remoteRef: null, setRemoteRef: () => {} },
        );
      } catch (e) {
        results = live.map(() => retryTarget(messageOf(e)));
      }
      if (this.stopped) return;
      live.forEach((x, i) => this.settle(x.job, results[i] ?? retryTarget('the target gave no answer for this run')));
    } finally {
      this.aborts.delete(abort);
      for (const job of jobs) this.inflight.delete(job.id);
    }
  }

  /** The target answered: after an outage, everything that backed off meanwhile is due, and every lane goes. */
  private answered(now: number): void {
    if (this.outage) {
      this.outage = false;
      this.up.outbox.resetBackoff(this.target.id, now);
      this.buffer = [];
      this.up.log('info', `upload target ${this.target.id} (${this.sink.label}) is reachable again`);
      this.release();
    }
    this.reachable = true;
  }

  private settle(job: OutboxRow, result: Delivery): void {
    const attempts = job.attempts + 1;
    const now = Date.now();
    const nowIso = new Date(now).toISOString();
    const t = this.target.id;
    if (result.ok) {
      const changed = this.up.outbox.delivered(job.id, attempts);
      this.failures = 0;
      this.pausedUntil = 0;
      this.answered(now);
      this.lastDeliveredAt = nowIso;
      if (changed) {
        this.up.delivered.set(t, (this.up.delivered.get(t) ?? 0) + 1);
        this.up.publish('upload.delivered', { target: t, attempts }, job.runId);
      }
    } else if (result.park) {
      this.up.outbox.parked(job.id, attempts, result.reason);
      // The target answered: it is up, it just does not want this run.
      this.answered(now);
      this.lastError = result.reason;
      this.lastErrorAt = nowIso;
      this.up.log('warning', `upload of run ${job.runId} to ${t} parked: ${result.reason}`);
      this.up.publish('upload.parked', { target: t, attempts, reason: result.reason }, job.runId);
    } else {
      const wait = result.retryAfterMs ?? backoffMs(attempts, this.up.retry, this.up.random);
      const next = now + wait;
      this.up.outbox.failed(job.id, attempts, next, result.error);
      // Requests in flight when the target was paused fail together: one step of the target's backoff, not one each.
      const alreadyPaused = this.pausedUntil > now;
      if (!alreadyPaused) this.failures++;
      if (!alreadyPaused && (result.scope === 'target' || result.retryAfterMs !== undefined || this.failures >= 3)) {
        // The whole target waits: its own backoff step, or what the server asked for.
        this.pausedUntil = Math.max(this.pausedUntil, now + (result.retryAfterMs ?? backoffMs(this.failures, this.up.retry, this.up.random)));
        this.outage = true;
        this.reachable = false;
      }
      if (this.lastError !== result.error) this.up.log('warning', `upload of run ${job.runId} to ${t} failed (attempt ${attempts}): ${result.error}`);
      this.lastError = result.error;
      this.lastErrorAt = nowIso;
      this.up.publish('upload.failed', { target: t, attempts, error: result.error, nextAttemptAt: new Date(next).toISOString() }, job.runId);
    }
    this.up.changed();
  }
}

export class Uploader {
  readonly outbox: Outbox;
  readonly repo: RunsRepo;
  retry: UploadRetry;
  readonly random: () => number;
  /** Rows delivered per target: counted at start, then kept up as deliveries succeed. */
  readonly delivered: Map<string, number>;
  private readonly bus: EventBus;
  private targets: readonly UploadTarget[];
  private readonly opts: UploaderOptions;
  private started = false;
  private readonly workers = new Map<string, Worker>();
  /** One audit shipper per enabled PostgreSQL target, by target id. */
  readonly auditShippers = new Map<string, AuditShipper>();
  /** One station-state shipper per enabled PostgreSQL target, by target id. */
  readonly stateShippers = new Map<string, StateShipper>();
  private readonly logFn: UploaderOptions['log'];
  private statusTimer: NodeJS.Timeout | null = null;
  private lastStatusJson = '';
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(opts: UploaderOptions) {
    this.outbox = new Outbox(opts.db);
    this.delivered = this.outbox.deliveredCounts();
    this.repo = opts.repo;
    this.bus = opts.bus;
    this.retry = opts.retry;
    this.random = opts.random ?? Math.random;
    this.targets = opts.targets;
    this.logFn = opts.log;
    this.opts = opts;
    this.build(opts.targets);
  }

  /** A worker (and, for PostgreSQL with the trail, an audit shipper) per enabled target. */
  private build(targets: readonly UploadTarget[]): void {
    const opts = this.opts;
    for (const t of targets) {
      if (!t.enabled) continue;
      const sink = createSink(t, {
        appVersion: opts.appVersion,
        stationId: opts.plant?.station.id ?? opts.audit?.stationId,
        log: (m) => opts.log('warning', m),
        attachments: opts.attachments,
      });
      this.workers.set(t.id, new Worker(this, t, sink));
      // The trail shares the run sink's pool; it is closed with the sink, after the shipper.
      if (opts.audit && sink instanceof PostgresSink)
        this.auditShippers.set(
          t.id,
          new AuditShipper({
            target: sink,
            stationId: opts.audit.stationId,
            source: opts.audit.source,
            retry: this.retry,
            log: opts.log,
            random: this.random,
          }),
        );
      if (opts.plant && sink instanceof PostgresSink)
        this.stateShippers.set(
          t.id,
          new StateShipper({ target: sink, station: opts.plant.station, source: opts.plant.source, retry: this.retry, log: opts.log, random: this.random }),
        );
    }
  }

  /**
   * New targets or retry timing from the Settings screen, without a restart: the old workers
   * stop (deliveries in flight get their grace, then stay queued) and close their sinks, new
   * ones start. The queue's rows stay as they are: a target kept by id carries on with them.
   */
  async setTargets(targets: readonly UploadTarget[], retry: UploadRetry): Promise<void> {
    if (this.closed) return;
    const shippers = [...this.auditShippers.values(), ...this.stateShippers.values()];
    const workers = [...this.workers.values()];
    this.auditShippers.clear();
    this.stateShippers.clear();
    this.workers.clear();
    await Promise.all(shippers.map((a) => a.close()));
    await Promise.all(workers.map((w) => w.stop()));
    if (this.closed) return;
    this.retry = retry;
    this.targets = targets;
    this.build(targets);
    if (this.started) {
      for (const w of this.workers.values()) w.start();
      for (const a of this.auditShippers.values()) a.start();
      for (const a of this.stateShippers.values()) a.start();
    }
    this.lastStatusJson = '';
    this.changed();
  }

  start(): void {
    this.started = true;
    // A finished run was queued in the transaction that ended it: look at the queue then.
    this.unsubscribe = this.bus.subscribe((e) => {
      if (e.kind === 'run.ended') this.wake();
    });
    for (const w of this.workers.values()) w.start();
    for (const a of this.auditShippers.values()) a.start();
    for (const a of this.stateShippers.values()) a.start();
    this.changed();
  }

  /** Resolves once every audit entry written so far is on every target that takes the trail (for tests and shutdown). */
  async drainAudit(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.auditShippers.values()].map((a) => a.drain(timeoutMs)));
  }

  /** Resolves once every state event so far is on every PostgreSQL target (for tests and shutdown). */
  async drainState(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.stateShippers.values()].map((a) => a.drain(timeoutMs)));
  }

  wake(target?: string): void {
    for (const [id, w] of this.workers) if (target === undefined || id === target) w.wake();
    this.changed();
  }

  log(level: 'info' | 'warning' | 'error', message: string): void {
    this.logFn(level, message);
  }

  publish<K extends 'upload.delivered' | 'upload.failed' | 'upload.parked'>(kind: K, data: EventData<K>, runId: string): void {
    if (this.closed) return;
    this.bus.publish({ kind, data, runId });
  }

  /** Queue state changed: one upload.queueChanged within STATUS_DEBOUNCE_MS, if the status differs. */
  changed(): void {
    if (this.statusTimer || this.closed) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      if (this.closed) return;
      const s = this.status();
      const json = JSON.stringify(s);
      if (json === this.lastStatusJson) return;
      this.lastStatusJson = json;
      this.bus.publish({ kind: 'upload.queueChanged', data: s });
    }, STATUS_DEBOUNCE_MS);
  }

  status(): UploadStatus {
    const counts = this.outbox.counts(this.delivered);
    const now = Date.now();
    const targets: TargetStatus[] = [];
    const known = new Set<string>();
    for (const t of this.targets) {
      known.add(t.id);
      const c = counts.get(t.id) ?? { pending: 0, parked: 0, delivered: 0 };
      const w = this.workers.get(t.id);
      const base = { id: t.id, kind: t.kind, waiting: c.pending, parked: c.parked, delivered: c.delivered };
      if (!w) {
        targets.push({
          ...base,
          label: t.id,
          state: 'disabled',
          reachable: null,
          lastError: null,
          lastErrorAt: null,
          nextAttemptAt: null,
          lastDeliveredAt: null,
        });
        continue;
      }
      let state: TargetStatus['state'] = 'idle';
      let nextAt: number | null = null;
      if (w.pausedUntil > now) {
        state = 'retrying';
        nextAt = w.pausedUntil;
      } else if (w.inflight.size > 0) state = 'sending';
      else if (c.pending > 0) {
        const due = this.outbox.due(t.id, now, 1).length > 0;
        nextAt = due ? null : this.outbox.nextDueAfter(t.id, now);
        state = due || nextAt === null ? 'sending' : 'retrying';
      }
      targets.push({
        ...base,
        label: w.sink.label,
        state,
        reachable: w.reachable,
        lastError: w.lastError,
        lastErrorAt: w.lastErrorAt,
        nextAttemptAt: nextAt === null ? null : new Date(nextAt).toISOString(),
        lastDeliveredAt: w.lastDeliveredAt,
      });
    }
    // Rows for targets no longer in settings stay visible, so a supervisor can drop them.
    for (const [id, c] of counts) {
      if (known.has(id) || (c.pending === 0 && c.parked === 0)) continue;
      targets.push({
        id,
        kind: 'unknown',
        label: id,
        state: 'removed',
        reachable: null,
        waiting: c.pending,
        parked: c.parked,
        delivered: c.delivered,
        lastError: null,
        lastErrorAt: null,
        nextAttemptAt: null,
        lastDeliveredAt: null,
      });
    }
    const active = targets.filter((t) => t.state !== 'disabled' && t.state !== 'removed');
    return {
      online: active.length === 0 ? null : active.every((t) => t.reachable !== false),
      waitingRuns: this.outbox.waitingRuns(),
      parkedRuns: this.outbox.parkedRuns(),
      targets,
    };
  }

  /**
   * Where one run stands with each target: every target in settings (in their order),
   * then the run's rows for targets since removed. A row in a worker's hands is
   * `sending`; a waiting row's next attempt is its own backoff or the target's pause,
   * whichever ends later.
   */
  forRun(runId: string): RunUpload[] {
    const outcome = this.outbox.runOutcome(runId);
    if (outcome === undefined) throw new StationFault('not-found', `no run with id ${runId}`);
    const rows = new Map(this.outbox.forRun(runId).map((r) => [r.target, r]));
    const queuedAnywhere = rows.size > 0;
    const now = Date.now();
    const iso = (ms: number): string => new Date(ms).toISOString();
    const out: RunUpload[] = [];
    const entry = (
      id: string,
      kind: RunUpload['kind'],
      label: string,
      targetState: RunUpload['targetState'],
      row: RunOutboxRow | undefined,
      worker: Worker | undefined,
    ): RunUpload => {
      const base = { target: id, kind, label, targetState };
      if (!row) {
        const note =
          outcome === 'RUNNING'
            ? 'the run is still running: it is queued when it ends'
            : targetState === 'disabled'
              ? 'the target is disabled'
              : queuedAnywhere
                ? 'the target was added or enabled after this run ended'
                : 'this run was never queued here: it was imported, or ended before any target was set up';
        return {
          ...base,
          state: 'not-queued',
          attempts: 0,
          lastError: null,
          queuedAt: null,
          nextAttemptAt: null,
          updatedAt: null,
          deliveredAt: null,
          remoteRef: null,
          note,
        };
      }
      let state: RunUpload['state'] = row.state === 'pending' ? 'queued' : row.state;
      let nextAttemptAt: string | null = null;
      if (row.state === 'pending' && worker) {
        if (worker.inflight.has(row.id)) state = 'sending';
        else {
          const at = Math.max(row.nextAttemptAt, worker.pausedUntil);
          if (at > now) nextAttemptAt = iso(at);
        }
      }
      return {
        ...base,
        state,
        attempts: row.attempts,
        lastError: row.lastError,
        queuedAt: row.createdAt,
        nextAttemptAt,
        updatedAt: row.updatedAt,
        deliveredAt: row.state === 'delivered' ? row.updatedAt : null,
        remoteRef: row.remoteRef,
        note: null,
      };
    };
    for (const t of this.targets) {
      const w = this.workers.get(t.id);
      out.push(entry(t.id, t.kind, w ? w.sink.label : t.id, w ? 'enabled' : 'disabled', rows.get(t.id), w));
      rows.delete(t.id);
    }
    for (const row of rows.values()) out.push(entry(row.target, 'unknown', row.target, 'removed', row, undefined));
    return out;
  }

  listParked(target: string | undefined, limit: number): ParkedRun[] {
    return this.outbox.listParked(target, limit);
  }

  retryParked(by: string, target: string | undefined, runIds: readonly string[] | undefined): number {
    const moved = this.outbox.retry(by, { target, runIds });
    this.log('info', `${by} sent ${moved.length} parked upload(s) again${target ? ` to ${target}` : ''}`);
    this.bus.publish({ kind: 'upload.retried', data: { by, target: target ?? null, runIds: [...new Set(moved.map((m) => m.runId))] } });
    this.wake();
    return moved.length;
  }

  drop(by: string, target: string | undefined, runIds: readonly string[], reason: string | undefined): number {
    const moved = this.outbox.drop(by, { target, runIds, reason });
    this.log('warning', `${by} dropped ${moved.length} upload(s)${target ? ` to ${target}` : ''}${reason ? `: ${reason}` : ''}`);
    this.bus.publish({ kind: 'upload.dropped', data: { by, target: target ?? null, runIds: [...new Set(moved.map((m) => m.runId))], reason: reason ?? null } });
    this.wake();
    return moved.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    await Promise.all([...this.auditShippers.values(), ...this.stateShippers.values()].map((a) => a.close()));
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }
}
