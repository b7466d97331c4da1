import type { StationEvent } from '#contract/events.ts';
import type { Transport } from './transport.ts';
import { createClient, type StationClient } from './client.ts';
import { applyStationEvent, initialView, viewFromSnapshot, withProcedureOf, type StationView } from './station-view.ts';

const RESYNC_RETRY_MS = 1000;
const HIDDEN_FRAME_MS = 100;

/**
 * Streams that come hundreds a second: the screens render what they add up to once per
 * frame. Every other change (a run starting or ending, a question) renders at once, so a
 * screen reacting to it (focus back to the serial field after a run) never misses it.
 */
const PER_FRAME: ReadonlySet<StationEvent['kind']> = new Set(['run.measured', 'run.logged', 'run.progressed']);

/**
 * The live station for the screens: loads a snapshot, subscribes after its seq,
 * applies events in order exactly once, and after a drop resubscribes from the
 * last seq it applied (or reloads, if the station restarted meanwhile).
 */
export class LiveStation {
  readonly client: StationClient;
  private readonly transport: Transport;
  private view: StationView = initialView;
  /** What the screens render: `view` as of the last frame. */
  private shown: StationView = initialView;
  private framePending = false;
  private frameTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  /** Events that arrive while a snapshot or a gap fill is in flight. */
  private buffer: StationEvent[] | null = null;
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Run each time the link comes up, before the snapshot (the session store resumes its login there). */
  private readonly openHooks = new Set<() => Promise<void>>();
  private readonly eventListeners = new Set<(e: StationEvent) => void>();

  constructor(transport: Transport) {
    this.transport = transport;
    this.client = createClient(transport);
  }

  start(): () => void {
    const stop = this.transport.connect({
      onOpen: () => void this.opened(),
      onClose: () => {
        this.generation++;
        this.buffer = null;
        this.set({ ...this.view, connection: this.view.station ? 'reconnecting' : 'connecting' });
      },
      onEvent: (e) => this.handleEvent(e),
    });
    return () => {
      clearTimeout(this.retryTimer);
      stop();
    };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getView = (): StationView => this.shown;

  /** `hook` runs each time the link comes up, before the snapshot is loaded. */
  onOpen(hook: () => Promise<void>): () => void {
    this.openHooks.add(hook);
    return () => this.openHooks.delete(hook);
  }

  /** Every event as it arrives (before the view applies it); for stores beside the view. */
  onEvent(listener: (e: StationEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private async opened(): Promise<void> {
    const gen = this.generation;
    await Promise.all([...this.openHooks].map((h) => h().catch(() => undefined)));
    // The link dropped again meanwhile: its next open syncs.
    if (gen !== this.generation) return;
    await this.sync();
  }

  private set(view: StationView, perFrame = false): void {
    if (view === this.view) return;
    this.view = view;
    if (!perFrame) {
      this.publish();
      return;
    }
    if (this.framePending) return;
    this.framePending = true;
    requestAnimationFrame(this.onFrame);
    // A hidden window gets no frames; its screens still follow, at the timer's pace.
    this.frameTimer = setTimeout(this.onFrame, HIDDEN_FRAME_MS);
  }

  private readonly onFrame = (): void => {
    if (this.framePending) this.publish();
  };

  private publish(): void {
    this.framePending = false;
    clearTimeout(this.frameTimer);
    if (this.shown === this.view) return;
    this.shown = this.view;
    for (const l of this.listeners) l();
  }

  private async sync(): Promise<void> {
    const gen = ++this.generation;
    this.buffer = [];
    const r = await this.client.invoke('station.snapshot', {});
    if (gen !== this.generation) return;
    if (!r.ok) {
      this.buffer = null;
      this.set({ ...this.view, syncError: r.error.message });
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (gen === this.generation) void this.sync();
      }, RESYNC_RETRY_MS);
      return;
    }
    const snap = r.value;
    const sameBoot = this.view.station !== null && this.view.station.bootId === snap.station.bootId;
    let view = sameBoot ? { ...this.view, syncError: null } : viewFromSnapshot(this.view, snap);
    // Same station process: ask for everything after what we applied, so nothing is lost or doubled.
    this.transport.subscribe(view.seq);
    const buffered = this.buffer;
    this.buffer = null;
    view = { ...view, connection: 'live' };
    for (const e of buffered) view = applyStationEvent(view, e);
    this.set(view);
  }

  private handleEvent(e: StationEvent): void {
    for (const l of this.eventListeners) l(e);
    if (this.buffer) {
      this.buffer.push(e);
      return;
    }
    if (e.kind === 'station.started' && this.view.station && e.data.bootId !== this.view.station.bootId) {
      // The station restarted under us (the desktop app restarts it): start again from a snapshot.
      void this.sync();
      return;
    }
    if (this.view.station && e.seq > this.view.seq + 1) {
      void this.fillGap(e);
      return;
    }
    this.set(applyStationEvent(this.view, e), PER_FRAME.has(e.kind));
    if (e.kind === 'procedure.failed' || e.kind === 'procedure.loaded') void this.refreshProcedure();
  }

  /** Procedure state from the station itself (the event alone cannot tell a kept version from none). */
  private async refreshProcedure(): Promise<void> {
    const gen = this.generation;
    const r = await this.client.invoke('station.snapshot', {});
    if (gen !== this.generation || !r.ok || r.value.station.bootId !== this.view.station?.bootId) return;
    this.set(withProcedureOf(this.view, r.value));
  }

  /** Seqs are contiguous within one station run: a jump means we missed some; fetch them from the log. */
  private async fillGap(trigger: StationEvent): Promise<void> {
    const gen = this.generation;
    this.buffer = [trigger];
    let view = this.view;
    for (;;) {
      const r = await this.client.invoke('events.since', { afterSeq: view.seq, limit: 1000 });
      if (gen !== this.generation) return;
      if (!r.ok) break;
      for (const e of r.value.events as StationEvent[]) view = applyStationEvent(view, e);
      if (!r.value.truncated || r.value.events.length === 0) break;
    }
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const e of buffered) view = applyStationEvent(view, e);
    this.set(view);
  }
}
