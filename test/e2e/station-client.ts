/**
 * A second client of the station's WebSocket API, as line IT or another screen
 * would be: used to act on the station while the browser is disconnected.
 */
import WebSocket from 'ws';
import type { CommandInput, CommandName, CommandOutput, ServerFrame } from '#contract/commands.ts';
import type { StationEvent } from '#contract/events.ts';

const TIMEOUT_MS = 10_000;

export class StationClient {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly waiters = new Map<number, (frame: Extract<ServerFrame, { type: 'reply' }>) => void>();
  private readonly eventListeners = new Set<(e: StationEvent) => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as ServerFrame;
      if (frame.type === 'reply') this.waiters.get(frame.id)?.(frame);
      else for (const l of this.eventListeners) l(frame.event as StationEvent);
    });
  }

  /**
   * Connects as a second copy of the station's own page: with the cookie the page gets when it
   * loads (its /ws accepts that from this machine). The connection starts as the page's does,
   * anonymous; log in (setup.createAdmin, session.login) to act as someone.
   */
  static async connect(stationUrl: string): Promise<StationClient> {
    const res = await fetch(`${stationUrl}/`);
    await res.arrayBuffer();
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`${stationUrl}/ set no cookie (status ${res.status})`);
    const ws = new WebSocket(`${stationUrl.replace(/^http/, 'ws')}/ws`, { headers: { cookie } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new StationClient(ws);
  }

  async invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    const id = this.nextId++;
    const reply = new Promise<Extract<ServerFrame, { type: 'reply' }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no reply within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      this.waiters.set(id, (f) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(f);
      });
    });
    this.ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
    const { result } = await reply;
    if (!result.ok) throw new Error(`${name}: ${result.error.kind}: ${result.error.message}`);
    return result.value as CommandOutput<K>;
  }

  /** Subscribes after `afterSeq` and resolves with the first event that matches. */
  waitForEvent(afterSeq: number, match: (e: StationEvent) => boolean): Promise<StationEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      const listener = (e: StationEvent): void => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.eventListeners.delete(listener);
        resolve(e);
      };
      this.eventListeners.add(listener);
      this.ws.send(JSON.stringify({ type: 'subscribe', afterSeq }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
