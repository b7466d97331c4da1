import type http from 'node:http';
import type https from 'node:https';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { park, retryRun, retryTarget, type Delivery } from './sink.ts';

/**
 * A small HTTP(S) client for the targets: keep-alive sockets, one deadline for the
 * whole exchange (connect, send, answer, body), an optional custom CA, and errors
 * in words a supervisor can act on.
 */

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Keeps at most this much of an answer's body: enough for a reason or a run id. */
const BODY_LIMIT = 256 * 1024;

/**
 * node:http and node:https as CommonJS objects, when a target first needs them: importing them
 * as ES modules also loads Node's fetch (undici, ~100 ms) for their lazy WebSocket/fetch
 * getters, which `passline run` and a station without HTTP targets never use.
 */
const httpModule = (): typeof http => process.getBuiltinModule('node:http');
const httpsModule = (): typeof https => process.getBuiltinModule('node:https');

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(opts: { maxSockets: number; caFile?: string | undefined }) {
    this.httpAgent = new (httpModule().Agent)({ keepAlive: true, maxSockets: opts.maxSockets });
    // Throws (with the path) when the CA file cannot be read: the target shows it as its error.
    const ca = opts.caFile ? readCa(opts.caFile) : undefined;
    this.httpsAgent = new (httpsModule().Agent)({ keepAlive: true, maxSockets: opts.maxSockets, ...(ca ? { ca } : {}) });
  }

  request(
    url: URL,
    init: { method: string; headers: Record<string, string>; body?: string | Buffer; timeoutMs: number; signal?: AbortSignal },
  ): Promise<HttpAnswer> {
    const secure = url.protocol === 'https:';
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const headers: Record<string, string> = { ...init.headers };
    if (body) headers['content-length'] = String(body.length);
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, answer?: HttpAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(answer!);
      };
      const req = (secure ? httpsModule() : httpModule()).request(url, { method: init.method, headers, agent: secure ? this.httpsAgent : this.httpAgent });
      const timer = setTimeout(() => {
        const e = new Error(`no complete answer within ${init.timeoutMs} ms`) as NodeJS.ErrnoException;
        e.code = 'PASSLINE_TIMEOUT';
        req.destroy(e);
      }, init.timeoutMs);
      const onAbort = (): void => {
        const e = new Error('the station is stopping') as NodeJS.ErrnoException;
        e.code = 'PASSLINE_ABORTED';
        req.destroy(e);
      };
      if (init.signal?.aborted) onAbort();
      init.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => finish(e));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(c);
          size += c.length;
        });
        res.on('error', (e) => finish(e));
        res.on('close', () => {
          if (!res.complete) finish(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          if (!res.complete) {
            finish(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
            return;
          }
          finish(null, {
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT),
          });
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`caFile ${path} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** A network failure in words: what happened and, where it helps, what to check. */
export function describeNetworkError(e: unknown, url: URL): string {
  const err = e as NodeJS.ErrnoException;
  const where = url.host;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where} (is the receiver running?)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection to ${where} reset before a complete answer (${err.message})`;
    case 'PASSLINE_TIMEOUT':
      return `${where}: ${err.message}`;
    case 'PASSLINE_ABORTED':
      return err.message;
    case 'ENOTFOUND':
      return `host ${url.hostname} not found (DNS)`;
    case 'EAI_AGAIN':
      return `DNS lookup of ${url.hostname} failed for now`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} unreachable: no route (network down?)`;
    case 'ETIMEDOUT':
      return `connecting to ${where} timed out`;
    default:
      if (err.code && TLS_CODES.has(err.code)) return `TLS: ${err.message} (${err.code}); set caFile to the CA that signed ${url.hostname}'s certificate`;
      return `${where}: ${err.message}${err.code ? ` (${err.code})` : ''}`;
  }
}

/** Retry-After: seconds or an HTTP date, as ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const max = 24 * 3600_000;
  if (/^\s*\d+\s*$/.test(v)) return Math.min(max, Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.min(max, Math.max(0, t - now));
}

/** The server's reason from a JSON error body ({message}, {error}, {detail}, {title}, {issues}) or its text. */
export function reasonOf(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  try {
    const j = JSON.parse(text) as unknown;
    if (typeof j === 'string') return j.slice(0, 500);
    if (typeof j === 'object' && j !== null) {
      const o = j as Record<string, unknown>;
      const err = typeof o.error === 'object' && o.error !== null ? (o.error as Record<string, unknown>) : undefined;
      for (const v of [o.message, err?.message, o.error, o.detail, o.title, o.reason]) if (typeof v === 'string' && v !== '') return v.slice(0, 500);
      if (Array.isArray(o.issues)) return JSON.stringify(o.issues).slice(0, 500);
    }
  } catch {
    /* not JSON: the text itself */
  }
  return text.replace(/\s+/g, ' ').slice(0, 500);
}

/**
 * What an answer means for the queue: 2xx delivered; 408, 429 and 5xx try again
 * (honouring Retry-After); any other 4xx (and a redirect) parks the run with the
 * server's reason, since sending it again would get the same answer.
 */
export function classifyAnswer(a: HttpAnswer): Delivery | null {
  if (a.status >= 200 && a.status < 300) return null;
  const reason = reasonOf(a.body);
  const head = `HTTP ${a.status}${a.statusText ? ` ${a.statusText}` : ''}`;
  const text = reason ? `${head}: ${reason}` : head;
  if (a.status === 408 || a.status === 429 || a.status >= 500) {
    const ra = retryAfterMs(a.headers['retry-after']);
    // A plain 500 may be this run's content (a receiver bug on one record): only it backs off.
    if (a.status === 500 && ra === undefined) return retryRun(text);
    return retryTarget(text, ra);
  }
  if (a.status >= 300 && a.status < 400) return park(`${head}: redirected to ${String(a.headers.location ?? '?')}; set the target's url to the final address`);
  return park(text);
}
