import type { RunRecord } from '#contract/records.ts';

/**
 * What a target does with one run. A sink never throws for a failed delivery: it
 * says whether to try again (and whether the whole target is unwell or only this
 * run), or to park the run with the target's reason.
 */
export type Delivery =
  | { ok: true }
  | { ok: false; park: true; reason: string }
  | {
      ok: false;
      park: false;
      error: string;
      /** 'target': the target is unreachable or overloaded, every run waits; 'run': only this one backs off. */
      scope: 'target' | 'run';
      /** The target's Retry-After, in ms from now. */
      retryAfterMs?: number;
    };

export interface DeliveryContext {
  /** Aborted when the station stops: the run stays queued. */
  signal: AbortSignal;
  /** What the target called this run on an earlier attempt (TofuPilot's run id), if any. */
  remoteRef: string | null;
  /** Remembers the target's id for the run at once, so a retry continues instead of creating it again. */
  setRemoteRef(ref: string): void;
}

export interface Sink {
  /** Where it goes, without secrets. */
  readonly label: string;
  deliver(rec: RunRecord, ctx: DeliveryContext): Promise<Delivery>;
  /** A sink that writes several runs in one go (one database transaction) takes up to this many. */
  readonly batchSize?: number;
  /** One Delivery per run, in order; only for sinks with a batchSize. */
  deliverMany?(recs: readonly RunRecord[], ctx: DeliveryContext): Promise<Delivery[]>;
  close(): Promise<void>;
}

export const retryTarget = (error: string, retryAfterMs?: number): Delivery =>
  retryAfterMs === undefined ? { ok: false, park: false, error, scope: 'target' } : { ok: false, park: false, error, scope: 'target', retryAfterMs };
export const retryRun = (error: string): Delivery => ({ ok: false, park: false, error, scope: 'run' });
export const park = (reason: string): Delivery => ({ ok: false, park: true, reason });
export const delivered: Delivery = { ok: true };

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
