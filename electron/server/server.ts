import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { WebSocketServer, type WebSocket } from 'ws';
import type { z } from 'zod';
import { ClientFrameSchema } from '#contract/commands.ts';
import { formatZodError, type Result } from '#contract/errors.ts';
import type { StationEvent } from '#contract/events.ts';
import { Sessions, type Caller } from '#station/auth/sessions.ts';

/** What the server serves: the station, or the plant process (electron/plant), which speaks the same frames. */
export interface ServedStation {
  invoke(name: string, input: unknown, caller: Caller): Promise<Result<unknown>>;
  readonly bus: { subscribe(listener: (event: StationEvent, json: () => string) => void, afterSeq?: number): () => void; readonly lastSeq: number };
  tokenCaller(secret: string, from: string): Caller | { refused: string };
  readonly openEventsOnLoopback: boolean;
  /** The station's languages (built-in and the plant's); a server without them serves no /locales. */
  readonly languages?: { merged(code: string): unknown };
}

/** A command frame as the server reads it (the station's ClientFrameSchema, or the plant's). */
export type ServedFrame = { type: 'invoke'; id: number; name: string; input?: unknown } | { type: 'subscribe'; afterSeq?: number | undefined };

export interface ServerOptions {
  /** The frames `/ws` accepts (default: the station's commands). */
  frames?: z.ZodType<ServedFrame>;
  /** The page served for `/` and client-side routes (default index.html). */
  indexFile?: string;
  host: string;
  port: number;
  /** The built renderer (dist/renderer); absent in the desktop app's station. */
  staticDir?: string;
  /**
   * Host names, besides loopback and the bound address, that clients may use to reach the
   * station (settings.allowedHosts, for a wider bind). A request naming any other host is
   * refused: that is how a page on a rebound DNS name would arrive.
   */
  allowedHosts?: readonly string[];
  /** Where refused requests are reported (default: stderr). */
  log?: (message: string) => void;
  /** PEM certificate and key files: HTTPS and WSS. Required to listen on any address but loopback. */
  tls?: { cert: string; key: string } | undefined;
}

/** The cookie the served UI carries to its own `/ws`; a fresh secret each time the server starts. */
export const UI_COOKIE = 'passline_ui';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Why the station must not listen on `host`, or null. On loopback only this machine reaches it;
 * anywhere else the plant network does, so every client needs a token and the wire needs TLS.
 */
export function bindProblem(host: string, tls: { cert: string; key: string } | undefined): string | null {
  if (isLoopback(host) || tls) return null;
  return `listenHost ${host} is not loopback: a station reachable from other machines serves only over TLS, and every client there needs an API token. Set tls.cert and tls.key in settings (PEM files), restart, then create a token for each client (admin: Tokens). Or set listenHost back to 127.0.0.1.`;
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

/** The largest WebSocket message the station reads; a bigger one is closed with 1009. */
export const MAX_PAYLOAD = 1024 * 1024;

/**
 * Serves the UI and the WebSocket API (`/ws`) and event stream (`/events`) on one port.
 * Every request, socket and stream has an error handler: a bad request is answered (400,
 * 421, close code 1009) and logged, and the station and its other clients carry on.
 */
export async function startServer(station: ServedStation, opts: ServerOptions): Promise<RunningServer> {
  const log = throttled(opts.log ?? ((m) => console.warn(m)));
  const problem = bindProblem(opts.host, opts.tls);
  if (problem) throw new Error(problem);
  const hostOk = hostCheck(opts.host, opts.allowedHosts ?? []);
  const uiKey = randomBytes(32).toString('base64url');
  const cookie = `${UI_COOKIE}=${uiKey}; HttpOnly; SameSite=Strict; Path=/${opts.tls ? '; Secure' : ''}`;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    serveStatic(req, res, opts.staticDir, hostOk, log, cookie, opts.indexFile ?? 'index.html', station).catch((e: unknown) => {
      log(`HTTP ${req.method} ${shownUrl(req.url)}: ${errorText(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    });
  };
  const http = opts.tls
    ? // node:http(s) as CommonJS objects: importing them as ES modules also loads Node's fetch (undici, ~100 ms at start).
      process.getBuiltinModule('node:https').createServer({ cert: readPem(opts.tls.cert, 'tls.cert'), key: readPem(opts.tls.key, 'tls.key') }, onRequest)
    : process.getBuiltinModule('node:http').createServer(onRequest);
  // A request Node cannot parse (bad request line, oversized headers, a reset mid-request).
  http.on('clientError', (e: NodeJS.ErrnoException, socket: Socket) => {
    if (e.code !== 'ECONNRESET') log(`HTTP request refused: ${e.message}`);
    if (socket.writable && !socket.destroyed) {
      socket.end(e.code === 'HPE_HEADER_OVERFLOW' ? 'HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\n\r\n');
    } else socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  wss.on('error', (e) => log(`WebSocket server: ${e.message}`));

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', (e) => log(`WebSocket upgrade ${shownUrl(req.url)}: ${e.message}`));
    const url = parseUrl(req.url);
    if (url === null) {
      log(`WebSocket upgrade refused: malformed path ${JSON.stringify(shownUrl(req.url))}`);
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    if (!hostOk(req.headers.host)) {
      log(`WebSocket upgrade refused: host ${JSON.stringify(req.headers.host ?? '')} is not one this station serves`);
      socket.end('HTTP/1.1 421 Misdirected Request\r\n\r\n');
      return;
    }
    // Browsers always send Origin: a page from elsewhere must not drive the station.
    const origin = req.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, req.headers.host)) {
      log(`WebSocket upgrade refused: origin ${JSON.stringify(origin.slice(0, 200))} is not this station's`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    if (url.pathname !== '/ws' && url.pathname !== '/events') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const who = authenticate(req, url, station, uiKey);
    if ('refused' in who) {
      log(`WebSocket ${url.pathname} refused from ${req.socket.remoteAddress ?? '?'}: ${who.refused}`);
      const body = `${who.refused}\n`;
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // An oversized frame, a bad opcode or a reset arrives here; ws closes the socket itself
      // (1009 for a frame over MAX_PAYLOAD). Unhandled, it would end the whole process.
      ws.on('error', (e: Error & { code?: string }) => log(`WebSocket ${url.pathname}: ${e.code ?? 'error'}: ${e.message}`));
      if (url.pathname === '/ws') serveApi(ws, station, who.caller, opts.frames ?? ClientFrameSchema);
      else serveEvents(ws, station, url);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => {
      http.off('error', reject);
      http.on('error', (e) => log(`HTTP server: ${e.message}`));
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
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

function readPem(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${field}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

const sameSecret = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Who a WebSocket connection acts as. The station's own page (its cookie, from this machine);
 * an API token (`Authorization: Bearer …`, or `?token=` where a client cannot set headers);
 * on loopback, the read-only event stream when the admin opened it. Anything else: refused.
 */
function authenticate(req: IncomingMessage, url: URL, station: ServedStation, uiKey: string): { caller: Caller } | { refused: string } {
  const from = req.socket.remoteAddress ?? 'unknown';
  const local = isLoopback(from);
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token');
  if (bearer) {
    const c = station.tokenCaller(bearer, from);
    return 'refused' in c ? { refused: `token refused: ${c.refused}` } : { caller: c };
  }
  const ui = cookieValue(req.headers.cookie, UI_COOKIE);
  if (ui !== null && local && sameSecret(ui, uiKey)) return { caller: Sessions.ui(from) };
  if (url.pathname === '/events' && local && station.openEventsOnLoopback) return { caller: Sessions.ui(from) };
  return {
    refused: local
      ? 'no credentials: send an API token (Authorization: Bearer <token>); an admin creates tokens in the station app (Tokens)'
      : 'no credentials: from another machine every client needs an API token (Authorization: Bearer <token>)',
  };
}

/** A request target as logged: the first 200 characters, with any `token=` value hidden (a token in a URL must not land in the log). */
function shownUrl(target: string | undefined): string {
  return String(target)
    .replace(/([?&]token=)[^&#]*/gi, '$1(hidden)')
    .slice(0, 200);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The request target as a URL, or null when it is not one (an absolute-form `http://[`, say). */
function parseUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);

/** Lower-case host name of a Host header value (`[::1]:4780` → `[::1]`), or null. */
function hostName(header: string): string | null {
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return null;
  }
}

/**
 * Which Host headers the station answers: loopback (127.0.0.0/8, ::1, localhost), the address
 * it is bound to, this machine's addresses when it is bound to all of them, and the names a
 * supervisor configured. An IP literal cannot be rebound; a name we do not know may be.
 */
export function hostCheck(bindHost: string, allowed: readonly string[]): (header: string | undefined) => boolean {
  const names = new Set(['localhost', '[::1]', ...allowed.map((n) => hostName(n) ?? n.toLowerCase())]);
  const bind = bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost;
  if (!WILDCARD.has(bind)) names.add(hostName(bind) ?? bind);
  const wildcard = WILDCARD.has(bind);
  return (header) => {
    if (header === undefined) return false;
    const name = hostName(header);
    if (name === null) return false;
    if (names.has(name) || /^127(\.\d{1,3}){3}$/.test(name)) return true;
    if (!wildcard) return false;
    // Bound to every address: accept this machine's own (read now: interfaces come and go).
    const bare = name.startsWith('[') ? name.slice(1, -1) : name;
    if (isIP(bare) === 0) return false;
    return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address.toLowerCase() === bare));
  };
}

/** At most 20 lines per 10 s, then one line saying how many were left out: a flood cannot fill the log. */
function throttled(log: (m: string) => void): (m: string) => void {
  let windowStart = 0;
  let count = 0;
  let dropped = 0;
  return (m) => {
    const now = Date.now();
    if (now - windowStart > 10_000) {
      if (dropped > 0) log(`server: ${dropped} more refused requests not logged`);
      windowStart = now;
      count = 0;
      dropped = 0;
    }
    if (++count <= 20) log(`server: ${m}`);
    else dropped++;
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
function serveApi(ws: WebSocket, station: ServedStation, caller: Caller, frames: z.ZodType<ServedFrame>): void {
  let unsubscribe: (() => void) | null = null;
  ws.on('message', (raw) => {
    let json: unknown;
    try {
      json = JSON.parse(String(raw));
    } catch {
      ws.send(JSON.stringify({ type: 'reply', id: -1, result: { ok: false, error: { kind: 'invalid-input', message: 'frame is not JSON' } } }));
      return;
    }
    const frame = frames.safeParse(json);
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
      void station.invoke(f.name, f.input, caller).then((result) => sendJson(ws, JSON.stringify({ type: 'reply', id: f.id, result })));
    } else {
      unsubscribe?.();
      unsubscribe = station.bus.subscribe((_e, json) => sendJson(ws, `{"type":"event","event":${json()}}`), f.afterSeq ?? station.bus.lastSeq);
    }
  });
  ws.on('close', () => unsubscribe?.());
}

/** `/events?after=N`: every event after seq N, then live; one JSON event per message. */
function serveEvents(ws: WebSocket, station: ServedStation, url: URL): void {
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

async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  dir: string | undefined,
  hostOk: (host: string | undefined) => boolean,
  log: (m: string) => void,
  cookie: string,
  indexFile: string,
  station: ServedStation,
): Promise<void> {
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
  // The page gets the key to its own /ws, on this machine only; a page from elsewhere can neither
  // read it nor send it (SameSite=Strict, and the Origin check on the upgrade).
  const pageCookie: Record<string, string> = isLoopback(req.socket.remoteAddress ?? '') ? { 'Set-Cookie': cookie } : {};
  const refuse = (status: number, why: string): void => {
    log(`HTTP ${req.method} ${JSON.stringify(shownUrl(req.url))} refused (${status}): ${why}`);
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(why);
  };
  if (!hostOk(req.headers.host)) {
    refuse(421, `host ${JSON.stringify(req.headers.host ?? '')} is not one this station serves`);
    return;
  }
  const url = parseUrl(req.url);
  if (url === null) {
    refuse(400, 'malformed request path');
    return;
  }
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  // A language's catalog as the screens get it (built-in with the plant's on top): what a plant
  // copies to start a language of its own (docs/operations.md). Words only, like the page itself.
  const locale = /^\/locales\/([^/]+)\.json$/.exec(url.pathname);
  if (locale) {
    const catalog = station.languages?.merged(locale[1]!) ?? null;
    if (!catalog) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`no catalog for ${locale[1]} on this station`);
      return;
    }
    res
      .writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
      .end(req.method === 'HEAD' ? undefined : `${JSON.stringify(catalog, null, 2)}\n`);
    return;
  }
  if (!dir) {
    res.writeHead(404, headers).end('no UI here: this station serves only /ws, /events and /locales');
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    refuse(400, 'malformed percent escape in the path');
    return;
  }
  if (decoded.includes('\0')) {
    refuse(400, 'a NUL byte in the path');
    return;
  }
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(dir, rel);
  if (!file.startsWith(dir + sep) && file !== dir) {
    res.writeHead(403, headers).end();
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = file === dir ? join(dir, indexFile) : join(file, 'index.html');
  } catch {
    // Client-side routes fall back to the app.
    file = join(dir, indexFile);
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
        // The page gets the key to its own /ws; a page from elsewhere cannot read or send it (SameSite, Origin check).
        ...(extname(file) === '.html' ? pageCookie : {}),
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      })
      .end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(503, { ...headers, ...pageCookie, 'Content-Type': 'text/plain; charset=utf-8' }).end('The station UI is not built. Run: npm run build:ui');
  }
}
