/**
 * The headless server over real HTTP and WebSocket (`ws`) on a free port: the /ws
 * command API, the read-only /events stream with reconnect-by-seq, the origin
 * check, and the static UI with its SPA fallback.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { StationEvent } from '#contract/events.ts';
import type { StationSnapshot } from '#contract/commands.ts';
import { CSP, startServer, type RunningServer } from '#server/server.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { ApiClient, pageCookie, upgradeStatus } from '../helpers/ws.ts';
import { tempDir } from '../helpers/paths.ts';

let t: TestStation;
let server: RunningServer;
let wsBase: string;
const ui = tempDir('passline-ui-');
/** What the server logged about refused requests. */
const logs: string[] = [];

beforeAll(async () => {
  // A stand-in for dist/renderer: an index page and one asset.
  writeFileSync(join(ui.dir, 'index.html'), '<!doctype html><title>Passline</title><div id="root"></div>');
  mkdirSync(join(ui.dir, 'assets'));
  writeFileSync(join(ui.dir, 'assets', 'app.js'), 'console.log("passline");');
  writeFileSync(join(ui.dir, 'assets', 'index-CNWh_CuK.js'), 'console.log("built");');
  t = await openTestStation({ procedureId: 'quick' });
  server = await startServer(t.station, { host: '127.0.0.1', port: 0, staticDir: ui.dir, log: (m) => logs.push(m) });
  wsBase = server.url.replace(/^http/, 'ws');
});

afterAll(async () => {
  await server.close();
  await t.close();
  ui.remove();
});

describe('/ws: commands', () => {
  test('invoke round trip: the reply carries the request id and the result', async () => {
    const c = await ApiClient.asPage(`${wsBase}/ws`);
    try {
      const snap = await c.invoke('station.snapshot', {});
      expect(snap.ok).toBe(true);
      expect((snap as { value: StationSnapshot }).value).toMatchObject({ procedure: { id: 'quick' }, sockets: [{ socket: 0 }] });
      const list = await c.invoke('runs.list', { limit: 5 });
      expect(list).toMatchObject({ ok: true, value: { runs: expect.any(Array) } });
    } finally {
      await c.close();
    }
  });

  test('a run driven over /ws, its events streamed on the same socket after subscribe', async () => {
    const c = await ApiClient.asPage(`${wsBase}/ws`);
    try {
      c.sendRaw(JSON.stringify({ type: 'subscribe' }));
      // Subscribing is silent; a reply to a later invoke proves it was processed first.
      await c.invoke('station.snapshot', {});
      await t.station.ready();
      const start = await c.invoke('run.start', { serialNumber: 'Q-10' });
      expect(start.ok).toBe(true);
      const runId = (start as { value: { runId: string } }).value.runId;
      const ended = await c.event((e) => e.kind === 'run.ended' && e.runId === runId, 'run.ended');
      expect(ended).toMatchObject({ data: { outcome: 'PASS' } });
      const kinds = c.events.filter((e) => e.runId === runId).map((e) => e.kind);
      expect(kinds[0]).toBe('run.started');
      expect(kinds.filter((k) => k === 'run.phaseEnded')).toHaveLength(3);
    } finally {
      await c.close();
    }
  });

  test('bad frames get a clear invalid-input reply and the connection stays usable', async () => {
    const c = await ApiClient.asPage(`${wsBase}/ws`);
    try {
      const replies = () =>
        c.frames.filter((f) => (f as { type: string }).type === 'reply') as {
          id: number;
          result: { ok: boolean; error?: { kind: string; message: string } };
        }[];

      c.sendRaw('this is not json');
      await c.next((f) => replies().includes(f as never), 'reply to non-JSON');
      expect(replies()[0]).toEqual({ type: 'reply', id: -1, result: { ok: false, error: { kind: 'invalid-input', message: 'frame is not JSON' } } });

      c.sendRaw(JSON.stringify({ hello: 'station' }));
      await c.next(() => replies().length >= 2, 'reply to a frame without type');
      expect(replies()[1]!.result.error!.kind).toBe('invalid-input');
      expect(replies()[1]!.result.error!.message).toMatch(/^bad frame: type: /);

      c.sendRaw(JSON.stringify({ type: 'invoke', id: 41, name: 'run.explode', input: {} }));
      await c.next(() => replies().length >= 3, 'reply to an unknown command');
      expect(replies()[2]).toMatchObject({ id: 41, result: { ok: false, error: { kind: 'invalid-input' } } });
      expect(replies()[2]!.result.error!.message).toMatch(/^bad frame: name: /);

      // Input errors come back under the request's own id, naming the field.
      const noSerial = await c.invoke('run.start', {});
      expect(noSerial).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
      expect((noSerial as { error: { message: string } }).error.message).toMatch(/^serialNumber: /);

      // And the same connection still answers.
      expect((await c.invoke('station.snapshot', {})).ok).toBe(true);
      expect(c.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      await c.close();
    }
  });
});

interface EventSubscriber {
  ws: WebSocket;
  got: StationEvent[];
  /** Resolves once an event matching `pred` has arrived (or already had). */
  until(pred: (e: StationEvent) => boolean, what: string): Promise<void>;
}

/** A subscriber on /events that records what it receives. */
async function subscribeEvents(after: number | null): Promise<EventSubscriber> {
  const ws = new WebSocket(`${wsBase}/events${after === null ? '' : `?after=${after}`}`, { headers: { cookie: await pageCookie(wsBase) } });
  const got: StationEvent[] = [];
  const waiters: { pred: (e: StationEvent) => boolean; resolve: () => void }[] = [];
  ws.on('message', (m) => {
    const e = JSON.parse(String(m)) as StationEvent;
    got.push(e);
    for (const w of waiters.filter((x) => x.pred(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const until = (pred: (e: StationEvent) => boolean, what: string): Promise<void> => {
    if (got.some(pred)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${what} on /events within 10 s`)), 10_000);
      waiters.push({
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, got, until }));
    ws.once('error', reject);
  });
}

const closeWs = (ws: WebSocket) =>
  new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
  });

describe('/events: the read-only stream', () => {
  test('a subscriber that disconnects and reconnects with its last seq gets every event exactly once, in order', async () => {
    await t.station.ready();
    const from = t.station.bus.lastSeq;
    const received: StationEvent[] = [];
    let sub = await subscribeEvents(from);

    const runId = await t.start('Q-20');
    // Drop the connection twice in the middle of the run, each time after a different phase.
    for (const phase of ['first', 'second']) {
      await sub.until((e) => e.kind === 'run.phaseEnded' && e.runId === runId && e.data.phase.name === phase, `${phase} to end`);
      await closeWs(sub.ws);
      received.push(...sub.got);
      sub = await subscribeEvents(received.at(-1)!.seq);
    }
    await sub.until((e) => e.kind === 'run.ended' && e.runId === runId, 'run.ended');
    await closeWs(sub.ws);
    received.push(...sub.got);

    // The station's own account of the same span is the reference.
    const truth = t.station.bus.since(from, 10_000).events.filter((e) => e.seq <= received.at(-1)!.seq);
    expect(received.map((e) => e.seq)).toEqual(truth.map((e) => e.seq));
    expect(received).toEqual(truth);
    expect(new Set(received.map((e) => e.seq)).size).toBe(received.length);
  });

  test('without ?after the stream starts with new events only', async () => {
    const before = t.station.bus.lastSeq;
    const sub = await subscribeEvents(null);
    const runId = await t.start('Q-21');
    await sub.until((e) => e.kind === 'run.ended' && e.runId === runId, 'run.ended');
    await closeWs(sub.ws);
    expect(sub.got[0]!.seq).toBe(before + 1);
    await t.station.ready();
  });

  test('a bad ?after is refused with a reason; the stream is read-only', async () => {
    const bad = new WebSocket(`${wsBase}/events?after=yesterday`, { headers: { cookie: await pageCookie(wsBase) } });
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      bad.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    expect(closed).toEqual({ code: 1008, reason: 'after must be a whole number (the last seq you saw)' });

    const sub = await subscribeEvents(null);
    const done = new Promise<{ code: number; reason: string }>((resolve) => sub.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    sub.ws.send('{"type":"invoke"}');
    expect(await done).toEqual({ code: 1008, reason: 'this stream is read-only; use /ws for commands' });
  });
});

describe('origin check', () => {
  test('a cross-origin WebSocket upgrade is refused 403, on /ws and /events', async () => {
    expect(await upgradeStatus(`${wsBase}/ws`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${wsBase}/events?after=0`, { origin: 'http://evil.example' })).toBe(403);
    // A look-alike of our own host on another port is another origin too.
    expect(await upgradeStatus(`${wsBase}/ws`, { origin: 'http://127.0.0.1:1' })).toBe(403);
  });

  test('our own page is let in; a tool that sends no Origin still needs credentials', async () => {
    const cookie = await pageCookie(wsBase);
    expect(await upgradeStatus(`${wsBase}/ws`, { origin: server.url, headers: { cookie } })).toBeNull();
    expect(await upgradeStatus(`${wsBase}/ws`, { headers: { cookie } })).toBeNull();
    expect(await upgradeStatus(`${wsBase}/ws`)).toBe(401);
  });

  test('DNS rebinding: a page on another name (Host and Origin both that name) is refused, on /ws, /events and HTTP', async () => {
    const rebound = `rebind.example:${server.port}`;
    const opts = { headers: { Host: rebound }, origin: `http://${rebound}` };
    expect(await upgradeStatus(`${wsBase}/ws`, opts)).toBe(421);
    expect(await upgradeStatus(`${wsBase}/events?after=0`, opts)).toBe(421);
    const page = await rawGet('/', 'GET', { Host: rebound });
    expect(page.status).toBe(421);
    expect(page.body).toContain('not one this station serves');
    // Loopback by any of its names still works.
    const cookie = await pageCookie(wsBase);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `127.0.0.5:${server.port}`]) {
      expect(await upgradeStatus(`${wsBase}/ws`, { headers: { Host: host, cookie }, origin: `http://${host}` }), host).toBeNull();
      expect((await rawGet('/', 'GET', { Host: host })).status, host).toBe(200);
    }
  });

  test('a name configured for a wider bind (allowedHosts) is served; others are not', async () => {
    const named = await startServer(t.station, {
      host: '127.0.0.1',
      port: 0,
      staticDir: ui.dir,
      allowedHosts: ['Station-7.plant.example'],
      log: () => undefined,
    });
    try {
      const base = named.url.replace(/^http/, 'ws');
      const host = `station-7.plant.example:${named.port}`;
      const cookie = await pageCookie(base);
      expect(await upgradeStatus(`${base}/ws`, { headers: { Host: host, cookie }, origin: `http://${host}` })).toBeNull();
      expect(await upgradeStatus(`${base}/ws`, { headers: { Host: `station-8.plant.example:${named.port}` } })).toBe(421);
    } finally {
      await named.close();
    }
  });

  test('an unknown WebSocket path is 404', async () => {
    expect(await upgradeStatus(`${wsBase}/admin`)).toBe(404);
  });
});

/** A raw GET, path sent as is (fetch would normalise it). */
function rawGet(
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = server;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static UI', () => {
  test('serves index.html at / with the strict CSP', async () => {
    const res = await rawGet('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<div id="root">');
  });

  test('serves assets with their media type', async () => {
    const res = await rawGet('/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toBe('console.log("passline");');
  });

  test('built assets (content hash in the name) may be cached for good; the page and other files are asked for again', async () => {
    expect((await rawGet('/assets/index-CNWh_CuK.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await rawGet('/assets/app.js')).headers['cache-control']).toBe('no-cache');
    expect((await rawGet('/')).headers['cache-control']).toBe('no-cache');
    expect((await rawGet('/history')).headers['cache-control']).toBe('no-cache');
  });

  test('client-side routes fall back to the app (SPA)', async () => {
    for (const path of ['/history', '/runs/01a2b3c4', '/settings/instruments?tab=dmm']) {
      const res = await rawGet(path);
      expect(res.status).toBe(200);
      expect(res.body).toContain('<div id="root">');
    }
  });

  test('no path leaves the UI folder', async () => {
    for (const path of ['/../../../../etc/passwd', '/..%2f..%2f..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const res = await rawGet(path);
      expect(res.body).not.toMatch(/root:.*:0:0:/);
    }
  });

  test('a malformed percent escape or a NUL in the path is a 400 with the reason, and the server carries on', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%ZZ.js', '/a%00b']) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toMatch(/malformed percent escape|NUL byte/);
    }
    expect(logs).toContain('server: HTTP GET "/%E0%A4%A" refused (400): malformed percent escape in the path');
    // A token in the URL of a refused request is not written to the log.
    expect((await rawGet('/%E0%A4%A?token=pl_0123456789ab_secretpart', 'GET')).status).toBe(400);
    expect(logs).toContain('server: HTTP GET "/%E0%A4%A?token=(hidden)" refused (400): malformed percent escape in the path');
    expect(logs.join('\n')).not.toContain('secretpart');
    expect((await rawGet('/')).status).toBe(200);
  });

  test('HEAD has no body; other methods are 405; /healthz answers', async () => {
    expect(await rawGet('/', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await rawGet('/', 'POST')).status).toBe(405);
    expect(await rawGet('/healthz')).toMatchObject({ status: 200, body: '{"ok":true}' });
  });
});
