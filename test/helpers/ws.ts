import WebSocket from 'ws';
import type { Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';

const WAIT_MS = 10_000;

/** A WebSocket client for /ws: invoke by id, collect events, await frames. */
export class ApiClient {
  readonly ws: WebSocket;
  readonly frames: unknown[] = [];
  readonly events: StationEvent[] = [];
  private nextId = 1;
  private waiters: { pred: (f: unknown) => boolean; resolve: (f: unknown) => void; reject: (e: Error) => void }[] = [];
  private closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; event?: StationEvent };
      this.frames.push(frame);
      if (frame.type === 'event') this.events.push(frame.event!);
      for (const w of this.waiters.slice()) {
        if (w.pred(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    // A connection that ends (the station died) fails every wait at once.
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('the connection to the station closed'));
    });
  }

  /**
   * Connects as the station's own page does: the page's cookie (from loading the page) on the
   * upgrade. `url` is the /ws (or /events) address; the page is fetched from the same host.
   */
  static async asPage(url: string, opts: WebSocket.ClientOptions = {}): Promise<ApiClient> {
    const cookie = await pageCookie(url);
    return ApiClient.connect(url, { ...opts, headers: { ...opts.headers, cookie } });
  }

  static async connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<ApiClient> {
    const ws = new WebSocket(url, opts);
    const client = new ApiClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** The next frame (already received or coming) that matches. */
  next(pred: (f: unknown) => boolean, what: string): Promise<unknown> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error(`the connection to the station closed before ${what}`));
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (f: unknown) => {
          clearTimeout(t);
          resolve(f);
        },
        reject: (e: Error) => {
          clearTimeout(t);
          reject(e);
        },
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no ${what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.waiters.push(w);
    });
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  async invoke(name: string, input: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
    const reply = (await this.next((f) => (f as { type: string; id?: number }).type === 'reply' && (f as { id: number }).id === id, `reply ${id}`)) as {
      result: Result<unknown>;
    };
    return reply.result;
  }

  /** The event matching `pred` among those received (or the next one). */
  event(pred: (e: StationEvent) => boolean, what: string): Promise<StationEvent> {
    return this.next((f) => (f as { type: string }).type === 'event' && pred((f as { event: StationEvent }).event), what).then(
      (f) => (f as { event: StationEvent }).event,
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** How a WebSocket upgrade was refused: the HTTP status, or null if it opened. */
export function upgradeStatus(url: string, opts: WebSocket.ClientOptions = {}): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(null);
      ws.close();
    });
    ws.once('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

/** The cookie the station sets when its page is loaded: what its /ws accepts from the page. */
export async function pageCookie(url: string): Promise<string> {
  const page = new URL('/', url.replace(/^ws/, 'http'));
  const res = await fetch(page);
  await res.arrayBuffer();
  const set = res.headers.get('set-cookie');
  if (!set) throw new Error(`${page.href} set no cookie (status ${res.status})`);
  return set.split(';')[0]!;
}
