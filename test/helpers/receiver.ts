import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { RunRecordSchema } from '#contract/records.ts';
import { REPO_ROOT } from './paths.ts';

/**
 * A real HTTP receiver on 127.0.0.1, like a plant's MES endpoint, that fails on
 * purpose when told to. It keeps runs by Idempotency-Key (as a well-behaved
 * receiver does), and counts every delivery it accepted, so a test can show
 * distinct runs against total deliveries.
 */

export type Fault =
  | { kind: 'ok' }
  /** Stores the run, answers 201 after `ms` (a receiver that takes its time). */
  | { kind: 'delay'; ms: number }
  /** Answers this status with a JSON {message}; Retry-After if given (seconds). */
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  /** Reads the request, never answers (the client's timeout must cut it). */
  | { kind: 'hang' }
  /** Drops the connection before reading the body: the run did not arrive. */
  | { kind: 'reset-before' }
  /** Stores the run, then drops the connection: the run arrived, the client does not know. */
  | { kind: 'reset-after' }
  /** Stores the run, sends 200 headers, then the body a byte every `everyMs`: done after `bytes` bytes. */
  | { kind: 'slow-body'; everyMs: number; bytes: number };

export interface Delivery {
  key: string;
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  /** Accepted deliveries by run id (Idempotency-Key), in arrival order. */
  readonly runs: Map<string, Delivery[]>;
  /** Every request that reached the handler, accepted or not. */
  readonly requests: { key: string; at: number; fault: Fault['kind'] }[];
  readonly total: () => number;
  readonly distinct: () => number;
  /** Resolves when `n` distinct runs have arrived. */
  distinctReaches(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the handler has seen `n` requests in all. */
  requestsReach(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when `check` holds (checked after every request). */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  /** Listens again on the same port (after close): the receiver "comes back". */
  reopen(): Promise<void>;
}

export interface ReceiverOptions {
  /** Decides each request's fate; `ok` by default. */
  fault?: (key: string, nth: number) => Fault;
  tls?: boolean;
  port?: number;
}

export const TLS_DIR = join(REPO_ROOT, 'test/fixtures/tls');

export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const runs = new Map<string, Delivery[]>();
  const requests: Receiver['requests'] = [];
  const sockets = new Set<Socket>();
  let arrived = 0;
  let waiters: { check: () => boolean; resolve: () => void }[] = [];
  const notify = (): void => {
    waiters = waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  };
  const accept = (key: string, req: http.IncomingMessage, body: string): void => {
    const list = runs.get(key) ?? [];
    list.push({ key, at: Date.now(), headers: req.headers, body });
    runs.set(key, list);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const key = String(req.headers['idempotency-key'] ?? '');
    const nth = arrived++;
    const chunks: Buffer[] = [];
    // Decided once, as the request arrives: reset-before acts before the body is read.
    const f: Fault = opts.fault?.(key, nth) ?? { kind: 'ok' };
    if (f.kind === 'reset-before') {
      requests.push({ key, at: Date.now(), fault: f.kind });
      notify();
      req.socket.destroy();
      return;
    }
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ key, at: Date.now(), fault: f.kind });
      const parsed = RunRecordSchema.safeParse(safeJson(body));
      const valid = parsed.success && parsed.data.id === key;
      switch (f.kind) {
        case 'ok':
          if (!valid) {
            res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `not a run record keyed by its id (${key})` }));
            break;
          }
          accept(key, req, body);
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: key }));
          break;
        case 'delay':
          if (valid) accept(key, req, body);
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: key }));
          }, f.ms);
          break;
        case 'status':
          res
            .writeHead(f.status, { 'content-type': 'application/json', ...(f.retryAfter !== undefined ? { 'retry-after': f.retryAfter } : {}) })
            .end(JSON.stringify({ message: f.message ?? `failing on purpose with ${f.status}` }));
          break;
        case 'hang':
          break;
        case 'reset-after':
          if (valid) accept(key, req, body);
          req.socket.destroy();
          break;
        case 'slow-body': {
          if (valid) accept(key, req, body);
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(f.bytes) });
          let sent = 0;
          const tick = setInterval(() => {
            if (res.destroyed || sent >= f.bytes) {
              clearInterval(tick);
              if (!res.destroyed) res.end();
              return;
            }
            res.write('.');
            sent++;
          }, f.everyMs);
          res.on('close', () => clearInterval(tick));
          break;
        }
      }
      notify();
    });
  };

  const make = (): http.Server =>
    opts.tls
      ? https.createServer({ cert: readFileSync(join(TLS_DIR, 'server.pem')), key: readFileSync(join(TLS_DIR, 'server-key.pem')) }, handler)
      : http.createServer(handler);
  let server = make();
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(opts.port ?? 0);
  const total = (): number => [...runs.values()].reduce((n, l) => n + l.length, 0);
  const waitFor = (check: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        waiters = waiters.filter((w) => w.resolve !== done);
        reject(new Error(`receiver: ${what} not reached within ${timeoutMs} ms (distinct ${runs.size}, total ${total()}, requests ${requests.length})`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(t);
        resolve();
      };
      waiters.push({ check, resolve: done });
    });
  };
  const scheme = opts.tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}/runs`,
    port,
    runs,
    requests,
    total,
    distinct: () => runs.size,
    distinctReaches: (n, timeoutMs = 60_000) => waitFor(() => runs.size >= n, `${n} distinct runs`, timeoutMs),
    requestsReach: (n, timeoutMs = 60_000) => waitFor(() => requests.length >= n, `${n} requests`, timeoutMs),
    until: (check, what, timeoutMs = 60_000) => waitFor(check, what, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    reopen: async () => {
      server = make();
      await listen(port);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
