import type { CommandName } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import type { PlantCommandInput, PlantCommandName, PlantCommandOutput, PlantEvent, PlantLine } from '#contract/plant.ts';
import { createClient, type StationClient } from '../../api/client.ts';
import type { Transport } from '../../api/transport.ts';

const RETRY_MS = 1000;

export interface PlantView {
  connection: 'connecting' | 'live' | 'reconnecting';
  line: PlantLine | null;
  /** Why the line could not be read (not logged in, the database away). */
  problem: string | null;
}

/**
 * The plant process over its WebSocket: the same wire as the station's (commands and events),
 * with the plant's commands. On each connect it resumes the tab's login, loads the line and
 * subscribes after the line's seq; each `plant.lineChanged` replaces the line, so the screen is
 * never behind the database by more than the plant's own refresh.
 */
export class PlantLive {
  readonly client: StationClient;
  private readonly transport: Transport;
  private view: PlantView = { connection: 'connecting', line: null, problem: null };
  private readonly listeners = new Set<() => void>();
  private readonly openHooks = new Set<() => Promise<void>>();
  private readonly eventListeners = new Set<(e: StationEvent) => void>();
  private readonly plantListeners = new Set<(e: PlantEvent) => void>();
  private generation = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(transport: Transport) {
    this.transport = transport;
    this.client = createClient(transport);
  }

  invoke<K extends PlantCommandName>(name: K, input: PlantCommandInput<K>): Promise<Result<PlantCommandOutput<K>>> {
    // The wire is the station's; the plant process checks the name against its own commands.
    return this.transport.invoke(name as CommandName, input) as Promise<Result<PlantCommandOutput<K>>>;
  }

  start(): () => void {
    const stop = this.transport.connect({
      onOpen: () => void this.opened(),
      onClose: () => {
        this.generation++;
        this.set({ ...this.view, connection: this.view.line ? 'reconnecting' : 'connecting' });
      },
      onEvent: (e) => this.handle(e as unknown as PlantEvent),
    });
    return () => {
      clearTimeout(this.retry);
      stop();
    };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getView = (): PlantView => this.view;

  onOpen(hook: () => Promise<void>): () => void {
    this.openHooks.add(hook);
    return () => this.openHooks.delete(hook);
  }

  /** The session store listens here; the plant sends no station events, so it hears nothing. */
  onEvent(listener: (e: StationEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onPlantEvent(listener: (e: PlantEvent) => void): () => void {
    this.plantListeners.add(listener);
    return () => this.plantListeners.delete(listener);
  }

  /** Loads the line again (after a login: the first load was refused). */
  async reload(): Promise<void> {
    const gen = this.generation;
    clearTimeout(this.retry);
    const r = await this.invoke('plant.line', {});
    if (gen !== this.generation) return;
    if (!r.ok) {
      this.set({ ...this.view, connection: 'live', problem: r.error.message });
      if (r.error.kind !== 'forbidden') this.retry = setTimeout(() => void this.reload(), RETRY_MS);
      return;
    }
    this.set({ connection: 'live', line: r.value, problem: null });
    this.transport.subscribe(r.value.seq);
  }

  private async opened(): Promise<void> {
    const gen = this.generation;
    await Promise.all([...this.openHooks].map((h) => h().catch(() => undefined)));
    if (gen !== this.generation) return;
    await this.reload();
  }

  private handle(e: PlantEvent): void {
    if (e.kind === 'plant.lineChanged' && (!this.view.line || e.data.seq > this.view.line.seq)) this.set({ ...this.view, line: e.data, problem: null });
    for (const l of this.plantListeners) l(e);
  }

  private set(v: PlantView): void {
    this.view = v;
    for (const l of this.listeners) l();
  }
}
