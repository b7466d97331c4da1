import type { UploadRetry } from '#contract/upload.ts';
import type { AuditLog } from '#station/store/audit.ts';
import { backoffMs } from './backoff.ts';
import type { AuditRow } from './postgres-sink.ts';
import { messageOf } from './sink.ts';

/** What the shipper needs of a target: PostgreSQL's audit table (postgres-sink.ts). */
export interface AuditTarget {
  readonly label: string;
  auditMaxSeq(stationId: string): Promise<number>;
  writeAudit(stationId: string, rows: readonly AuditRow[]): Promise<number>;
}

export interface AuditShipperOptions {
  target: AuditTarget;
  stationId: string;
  source: AuditLog;
  retry: UploadRetry;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
  random?: () => number;
  /** Entries per statement. */
  batchSize?: number;
}

/** While the station's connection has a transaction open, look again this soon (its entries may yet roll back). */
const BUSY_RETRY_MS = 25;
/** On close, a write in flight gets this long to finish (it is sent again from the server's max(seq) next time). */
const CLOSE_GRACE_MS = 2000;

/**
 * Ships the audit trail to one PostgreSQL target, in seq order: it asks the server where
 * this station's copy ends (max(seq)), sends what comes after in batches, and each entry is
 * written once (ON CONFLICT DO NOTHING on (station, seq)). It wakes on every new entry;
 * a failure backs off with the uploader's retry settings and starts again from the
 * server's max(seq), so nothing is skipped or sent twice into the table.
 */
export class AuditShipper {
  private readonly o: AuditShipperOptions;
  private readonly batchSize: number;
  /** The server's last seq for this station, once known; null: ask it. */
  private shipped: number | null = null;
  private failures = 0;
  private lastError: string | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Called whenever the shipper has sent a batch, caught up, or failed. */
  private readonly progress = new Set<() => void>();
  /** Ends the current pause, whatever kind: close() calls it. */
  private closeWaiter: (() => void) | null = null;

  constructor(o: AuditShipperOptions) {
    this.o = o;
    this.batchSize = o.batchSize ?? 500;
  }

  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.o.source.onAppend(() => this.wake());
    this.loop = this.run();
  }

  /** Entries the target has, as far as this shipper knows (null before it has asked). */
  get shippedSeq(): number | null {
    return this.shipped;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Waits `ms` (or until woken, if `wakeable`). */
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
      this.timer = ms === Infinity ? null : setTimeout(done, ms);
      // close() always ends a pause; a new entry ends only an idle one, never a backoff.
      this.wakeUp = wakeable ? done : null;
      this.closeWaiter = done;
    });
  }

  private notify(): void {
    for (const p of [...this.progress]) p();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.o.source.busy) {
        await this.pause(BUSY_RETRY_MS, false);
        continue;
      }
      try {
        this.shipped ??= await this.o.target.auditMaxSeq(this.o.stationId);
        if (this.closed) break;
        const rows = this.o.source.after(this.shipped, this.batchSize);
        if (rows.length === 0) {
          this.notify();
          await this.pause(Infinity, true);
          continue;
        }
        await this.o.target.writeAudit(
          this.o.stationId,
          rows.map((r) => ({
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            procedureId: r.procedureId,
            detailsText: r.detailsText,
            prevHash: r.prevHash,
            hash: r.hash,
          })),
        );
        this.shipped = rows.at(-1)!.seq;
        this.notify();
        if (this.failures > 0) this.o.log('info', `audit trail to ${this.o.target.label}: sending again`);
        this.failures = 0;
        this.lastError = null;
      } catch (e) {
        this.failures++;
        // Ask the server again after a failure: a batch may have committed before the answer was lost.
        this.shipped = null;
        const message = `audit trail to ${this.o.target.label} failed (attempt ${this.failures}): ${messageOf(e)}`;
        if (messageOf(e) !== this.lastError) this.o.log('warning', message);
        this.lastError = messageOf(e);
        this.notify();
        if (this.closed) break;
        await this.pause(backoffMs(this.failures, this.o.retry, this.o.random), false);
      }
    }
  }

  /** Resolves once every entry the log has now is on the target; rejects after `timeoutMs`, with the last error. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const target = this.o.source.lastSeq();
    while (this.shipped === null || this.shipped < target) {
      if (this.closed) throw new Error('the audit shipper is closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`audit trail not shipped to ${this.o.target.label} within ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`);
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

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.closeWaiter?.();
    // A statement in flight ends with its timeout; the close does not wait that long for it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
  }
}
