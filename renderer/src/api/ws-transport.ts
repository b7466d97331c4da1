import type { ClientFrame, CommandName, ServerFrame } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import { ACTIONS, INVOKE_TIMEOUT_MS, disconnected, type Transport, type TransportHandlers } from './transport.ts';

/** Reconnect quickly at first, then at most every 2 s. */
const BACKOFF_MS = [100, 250, 500, 1000, 2000];

interface Pending {
  resolve(r: Result<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
  frame: string;
  sent: boolean;
}

export function stationSocketUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

/** The headless station: one WebSocket for commands and events, reconnecting with backoff. */
export function createWebSocketTransport(url: string): Transport {
  let ws: WebSocket | null = null;
  let open = false;
  let stopped = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;
  let handlers: TransportHandlers | null = null;
  const pending = new Map<number, Pending>();

  const send = (frame: ClientFrame): void => {
    ws?.send(JSON.stringify(frame));
  };

  const failAll = (message: string): void => {
    for (const [id, p] of pending) {
      // Reads made before the link came up wait for it; anything in flight is lost with the link.
      if (!p.sent) continue;
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve(disconnected(message, 'app.linkLost'));
    }
  };

  const onMessage = (raw: unknown): void => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(raw)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'event') {
      // The frame schema's event is typed loosely (a union built at run time); the contract's type is exact.
      handlers?.onEvent(frame.event as StationEvent);
    } else if (frame.type === 'reply') {
      const p = pending.get(frame.id);
      if (!p) return;
      clearTimeout(p.timer);
      pending.delete(frame.id);
      p.resolve(frame.result as Result<unknown>);
    }
  };

  /**
   * The station's /ws takes the page's cookie, a secret new each time the station starts: after a
   * restart the old one is refused. Loading the page's address again (not the page) brings the
   * new one, so a redial after a failure carries it.
   */
  const freshCookie = async (): Promise<void> => {
    try {
      const page = new URL('/', url.replace(/^ws/, 'http'));
      await (await fetch(page, { cache: 'no-store', credentials: 'same-origin' })).arrayBuffer();
    } catch {
      // The station is still down: the next attempt tries again.
    }
  };

  const redial = (): void => {
    void freshCookie().then(() => {
      if (!stopped) dial();
    });
  };

  const dial = (): void => {
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      if (ws !== sock) return;
      open = true;
      attempt = 0;
      for (const p of pending.values()) {
        if (!p.sent) {
          sock.send(p.frame);
          p.sent = true;
        }
      }
      handlers?.onOpen();
    };
    sock.onmessage = (m) => onMessage(m.data);
    sock.onclose = () => {
      if (ws !== sock) return;
      const wasOpen = open;
      open = false;
      ws = null;
      failAll('the connection to the station was lost');
      if (wasOpen) handlers?.onClose();
      if (stopped) return;
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
      attempt++;
      retryTimer = setTimeout(redial, delay);
    };
    // A failed connection also fires close, which schedules the retry.
    sock.onerror = () => {};
  };

  return {
    kind: 'websocket',
    invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
      if (!open && ACTIONS.has(name)) {
        return Promise.resolve(disconnected('No connection to the station: reconnecting. Try again in a moment.', 'app.noConnection'));
      }
      return new Promise((resolve) => {
        const id = nextId++;
        const frame = JSON.stringify({ type: 'invoke', id, name, input } satisfies ClientFrame);
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(
            disconnected(`the station did not answer ${name} within ${INVOKE_TIMEOUT_MS / 1000} s`, 'app.noAnswer', {
              command: name,
              seconds: INVOKE_TIMEOUT_MS / 1000,
            }),
          );
        }, INVOKE_TIMEOUT_MS);
        const p: Pending = { resolve, timer, frame, sent: false };
        pending.set(id, p);
        if (open && ws) {
          ws.send(frame);
          p.sent = true;
        }
      });
    },
    subscribe(afterSeq: number) {
      if (open) send({ type: 'subscribe', afterSeq });
    },
    connect(h: TransportHandlers) {
      handlers = h;
      stopped = false;
      dial();
      return () => {
        stopped = true;
        handlers = null;
        clearTimeout(retryTimer);
        ws?.close();
        ws = null;
      };
    },
  };
}
