import type { CommandName } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';

export interface TransportHandlers {
  /** The link is up (again): the caller loads a snapshot and subscribes. */
  onOpen(): void;
  /** The link dropped; the transport reconnects by itself and calls onOpen again. */
  onClose(): void;
  onEvent(event: StationEvent): void;
}

/** How the renderer reaches the station: Electron's preload bridge or the headless server's WebSocket. */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  invoke(name: CommandName, input: unknown): Promise<Result<unknown>>;
  /** Asks for every event after `afterSeq`, then live ones. The bridge streams everything; the caller drops what it has seen. */
  subscribe(afterSeq: number): void;
  connect(handlers: TransportHandlers): () => void;
}

/** What Electron's preload exposes on `window.station`. */
export interface StationBridge {
  invoke(name: string, input: unknown): Promise<Result<unknown>>;
  on(handler: (event: StationEvent) => void): () => void;
}

declare global {
  interface Window {
    station?: StationBridge;
  }
}

/** Commands that change the station: never queued while disconnected, so a scan cannot start a run minutes later. */
export const ACTIONS: ReadonlySet<CommandName> = new Set<CommandName>(['run.start', 'run.abort', 'prompt.answer']);

/** Every call across a process has a timeout. */
export const INVOKE_TIMEOUT_MS = 15_000;

/** The link's own refusals carry a key of the screens' catalog (`app.*`), like the station's. */
export function disconnected(
  message: string,
  key?: 'app.noConnection' | 'app.noAnswer' | 'app.linkLost',
  params?: Record<string, string | number>,
): Result<never> {
  return { ok: false, error: { kind: 'engine.unavailable', message, ...(key ? { key, params: params ?? {} } : {}) } };
}
