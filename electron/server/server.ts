import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFrameSchema } from '#contract/commands.ts';
import { formatZodError } from '#contract/errors.ts';
import type { Station } from '#station/station.ts';

export interface ServerOptions {
  host: string;
  port: number;
  /** The built renderer (dist/renderer); absent in the desktop app's station. */
  staticDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** The same strict policy as the desktop window: our own scripts only, WebSocket to ourselves. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** A slow subscriber is cut off (it reconnects with its last seq) rather than growing our memory. */
const MAX_BUFFERED = 8 * 1024 * 1024;

/** Serves the UI and the WebSocket API (`/ws`) and event stream (`/events`) on one port. */
export async function startServer(station: Station, opts: ServerOptions): Promise<RunningServer> {
  const http = createServer((req, res) => {
    void serveStatic(req, res, opts.staticDir);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Browsers always send Origin: a page from elsewhere must not drive the station.
    const origin = req.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    if (url.pathname !== '/ws' && url.pathname !== '/events') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (url.pathname === '/ws') serveApi(ws, station);
      else serveEvents(ws, station, url);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function isOwnOrigin(origin: string, host: string | undefined): boolean {
  try {
    const o = new URL(origin);
    return host !== undefined && o.host === host;
  } catch {
    return false;
  }
}

function sendJson(ws: WebSocket, json: string): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED) {
    ws.close(1013, 'subscriber too slow: reconnect with your last seq');
    return;
  }
  ws.send(json);
}

/** `/ws`: `{type:'invoke', id, name, input}` → `{type:'reply', id, result}`; `{type:'subscribe', afterSeq}` → events. */
function serveApi(ws: WebSocket, station: Station): void {
  let unsubscribe: (() => void) | null = null;
  ws.on('message', (raw) => {
    let json: unknown;
    try {
      json = JSON.parse(String(raw));
    } catch {
      ws.send(JSON.stringify({ type: 'reply', id: -1, result: { ok: false, error: { kind: 'invalid-input', message: 'frame is not JSON' } } }));
      return;
    }
    const frame = ClientFrameSchema.safeParse(json);
    if (!frame.success) {
      // Answer under the frame's own id when it has one, so the caller is not left waiting.
      const id = (json as { id?: unknown } | null)?.id;
      const replyId = typeof id === 'number' && Number.isInteger(id) ? id : -1;
      ws.send(
        JSON.stringify({
          type: 'reply',
          id: replyId,
          result: { ok: false, error: { kind: 'invalid-input', message: `bad frame: ${formatZodError(frame.error)}` } },
        }),
      );
      return;
    }
    const f = frame.data;
    if (f.type === 'invoke') {
      void station.invoke(f.name, f.input).then((result) => sendJson(ws, JSON.stringify({ type: 'reply', id: f.id, result })));
    } else {
      unsubscribe?.();
      unsubscribe = station.bus.subscribe((_e, json) => sendJson(ws, `{"type":"event","event":${json()}}`), f.afterSeq ?? station.bus.lastSeq);
    }
  });
  ws.on('close', () => unsubscribe?.());
}

/** `/events?after=N`: every event after seq N, then live; one JSON event per message. */
function serveEvents(ws: WebSocket, station: Station, url: URL): void {
  const after = url.searchParams.get('after');
  const afterSeq = after !== null && /^\d+$/.test(after) ? Number(after) : undefined;
  if (after !== null && afterSeq === undefined) {
    ws.close(1008, 'after must be a whole number (the last seq you saw)');
    return;
  }
  const unsubscribe = station.bus.subscribe((_e, json) => sendJson(ws, json()), afterSeq);
  ws.on('close', unsubscribe);
  ws.on('message', () => ws.close(1008, 'this stream is read-only; use /ws for commands'));
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, dir: string | undefined): Promise<void> {
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (!dir) {
    res.writeHead(404, headers).end('no UI here: this station serves only /ws and /events');
    return;
  }
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  let file = join(dir, rel);
  if (!file.startsWith(dir + sep) && file !== dir) {
    res.writeHead(403, headers).end();
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
  } catch {
    // Client-side routes fall back to the app.
    file = join(dir, 'index.html');
  }
  try {
    const body = await readFile(file);
    // Built assets carry a content hash in their name: a browser may keep them for good.
    // The page itself (index.html) is always asked for again, so a new build is picked up.
    const immutable = file.startsWith(join(dir, 'assets') + sep) && /-[\w-]{8,}\.\w+$/.test(file);
    res
      .writeHead(200, {
        ...headers,
        ...(immutable ? { 'Cache-Control': 'public, max-age=31536000, immutable' } : {}),
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      })
      .end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('The station UI is not built. Run: npm run build:ui');
  }
}
