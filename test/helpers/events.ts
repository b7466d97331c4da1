import type { EventKind, StationEvent, StationEventOf } from '#contract/events.ts';
import type { EventBus } from '#station/events/bus.ts';

const DEFAULT_WAIT_MS = 10_000;

/**
 * Records every event a bus publishes and lets a test await one. A wait looks at
 * events already recorded first, so an event that came before the wait is never missed.
 */
export class EventRecorder {
  readonly events: StationEvent[] = [];
  private waiters: { pred: (e: StationEvent) => boolean; resolve: (e: StationEvent) => void }[] = [];
  private readonly off: () => void;

  constructor(bus: EventBus, afterSeq = bus.lastSeq) {
    this.off = bus.subscribe((e) => {
      this.events.push(e);
      for (const w of this.waiters.slice()) {
        if (w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }, afterSeq);
  }

  /** The first event (after `afterSeq`) matching `kind` and `pred`. */
  waitFor<K extends EventKind>(
    kind: K,
    pred: (e: StationEventOf<K>) => boolean = () => true,
    opts: { afterSeq?: number; timeoutMs?: number } = {},
  ): Promise<StationEventOf<K>> {
    const after = opts.afterSeq ?? 0;
    const match = (e: StationEvent): boolean => e.seq > after && e.kind === kind && pred(e as StationEventOf<K>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as StationEventOf<K>);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      const waiter = {
        pred: match,
        resolve: (e: StationEvent) => {
          clearTimeout(t);
          resolve(e as StationEventOf<K>);
        },
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const last = this.events.slice(-8).map((e) => `${e.seq} ${e.kind} ${JSON.stringify(e.data).slice(0, 120)}`);
        reject(new Error(`no ${kind} event within ${timeoutMs} ms; last events:\n${last.join('\n')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  ofKind<K extends EventKind>(kind: K, runId?: string): StationEventOf<K>[] {
    return this.events.filter((e) => e.kind === kind && (runId === undefined || e.runId === runId)) as StationEventOf<K>[];
  }

  close(): void {
    this.off();
  }
}
