/**
 * Hostile input against the real headless station (a child process): oversized frames on
 * /ws and /events, random bytes, deep nesting, malformed URLs and headers, a wrong type in
 * every field of every command, hundreds of connections at once, and requests that claim
 * another host (DNS rebinding). Meanwhile another client tests units one after another.
 * Afterwards the same station process answers `station.snapshot`, its memory is bounded,
 * and every run of the well-behaved client ended PASS.
 *
 * The sequence of cases is drawn from a seed (PASSLINE_FAULT_SEED replays one).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { z } from 'zod';
import { Commands, type CommandName } from '#contract/commands.ts';
import type { StationEvent, StationEventOf } from '#contract/events.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { ApiClient, pageCookie } from '../helpers/ws.ts';
import { setUpPeople } from '../helpers/people.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { mulberry32 } from '../helpers/random.ts';

const SEED = Number(process.env.PASSLINE_FAULT_SEED ?? 0x5eed) >>> 0;
const rand = mulberry32(SEED);
const MIB = 1024 * 1024;

let h: Headless;
let port: number;
const data = tempDir('passline-fuzz-');

beforeAll(async () => {
  h = await startHeadless({ dataDir: data.dir, sequences: FIXTURE_SEQUENCES, procedure: 'stream' });
  port = Number(new URL(h.url).port);
}, 40_000);

afterAll(async () => {
  await h?.kill9();
  data.remove();
});

const rssKiB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${h.child.pid}/status`, 'utf8'))![1]);
const alive = (): boolean => h.child.exitCode === null && h.child.signalCode === null;

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** The station's page cookie: the fuzzing clients are logged-in pages, the worst a local page can be. */
let cookie = '';

/** Opens /ws or /events and resolves with the close code the station ends it with. */
function closeCodeAfter(path: string, send: (ws: WebSocket) => void): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { cookie } });
    ws.on('error', () => {
      // The station may cut the TCP connection under our feet; the close event still comes.
    });
    ws.once('open', () => send(ws));
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
    setTimeout(() => reject(new Error(`${path}: no close within 10 s`)), 10_000).unref();
  });
}

/** Sends raw bytes on a fresh TCP connection and resolves with the status line the station answers (or '' if it closes). */
function rawHttp(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.write(bytes, () => s.end());
    setTimeout(() => s.destroy(), 5000).unref();
  });
}

/** Wrong values for a field: each of another type or out of range. */
const WRONG: unknown[] = [null, true, -1, 1.5, 'x'.repeat(300), [], {}, [1, 2], { a: { b: 1 } }, '', 1e300];

/** For every command, inputs with one field set wrong that the contract itself refuses. */
function wrongInputs(): { name: CommandName; input: unknown }[] {
  const out: { name: CommandName; input: unknown }[] = [];
  for (const name of Object.keys(Commands) as CommandName[]) {
    const schema = Commands[name].input as z.ZodType;
    const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    const inputs: unknown[] = [null, 42, 'text', [], { notAField: 1 }];
    for (const key of shape) for (const v of WRONG) inputs.push({ [key]: v });
    // Only what the contract refuses (the station reads an absent input as {}, as invoke does):
    // a valid input would act (start a run, drop an upload).
    for (const input of inputs) if (!schema.safeParse(input ?? {}).success) out.push({ name, input });
  }
  return out;
}

test(`hostile input never stops the station, nor disturbs a unit under test (seed ${SEED})`, async ({ onTestFailed }) => {
  onTestFailed(() => console.log(`the station said:\n${h.output()}`));
  const rssBefore = rssKiB();
  cookie = await pageCookie(h.url);

  // A well-behaved client tests units one after another while the rest goes on.
  const good = await ApiClient.asPage(`ws://127.0.0.1:${port}/ws`, { origin: h.url });
  good.sendRaw(JSON.stringify({ type: 'subscribe' }));
  let fuzzing = true;
  const outcomes: string[] = [];
  const testing = (async () => {
    for (let n = 1; fuzzing || n <= 2; n++) {
      const started = await good.invoke('run.start', { socket: 0, serialNumber: `FZ-${n}` });
      if (!started.ok) throw new Error(`run.start refused: ${started.error.message}`);
      const runId = (started.value as { runId: string }).runId;
      const ended = (await good.next(
        (f) => (f as { event?: StationEvent }).event?.kind === 'run.ended' && (f as { event: StationEvent }).event.runId === runId,
        `run.ended of FZ-${n}`,
      )) as { event: StationEventOf<'run.ended'> };
      outcomes.push(ended.event.data.outcome);
    }
  })();
  // Awaited at the end; if the station dies first, the failure below says so.
  testing.catch(() => undefined);

  // 1. One byte over the payload limit, on /ws and on /events: closed 1009, the station stays.
  for (const path of ['/ws', '/events']) {
    const closed = await closeCodeAfter(path, (ws) => ws.send(Buffer.alloc(MIB + 1, 0x20)));
    expect(closed.code, path).toBe(1009);
    expect(alive()).toBe(true);
  }
  // Far over the limit, as text and as binary.
  expect((await closeCodeAfter('/ws', (ws) => ws.send('x'.repeat(3 * MIB)))).code).toBe(1009);

  // A text frame that is not UTF-8 breaks the protocol: that connection is closed 1007, no other.
  expect((await closeCodeAfter('/ws', (ws) => ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }))).code).toBe(1007);

  // 2. Random bytes as binary frames, random characters as text, on one connection that must keep answering.
  const noisy = await ApiClient.asPage(`ws://127.0.0.1:${port}/ws`);
  for (let i = 0; i < 300; i++) {
    const bytes = randomBytes(1 + Math.floor(rand() * 2000));
    if (rand() < 0.5) noisy.ws.send(bytes, { binary: true });
    else noisy.sendRaw(bytes.toString('latin1'));
  }
  // Deep nesting, inside the frame and inside a command's input.
  const depth = 200_000;
  noisy.sendRaw('['.repeat(depth) + ']'.repeat(depth));
  noisy.sendRaw(`{"type":"invoke","id":7,"name":"run.start","input":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`);
  const nested = await noisy.next((f) => (f as { id?: number }).id === 7, 'the reply to a deeply nested input');
  expect(nested).toMatchObject({ type: 'reply', result: { ok: false, error: { kind: 'invalid-input' } } });
  expect(await noisy.invoke('station.snapshot', {})).toMatchObject({ ok: true });

  // 3. A wrong type in every field of every command: refused, naming the field. As an admin, so
  // every command's input is read (an operator's session is refused before that: auth.test.ts).
  await setUpPeople((name, input) => noisy.invoke(name, input), []);
  const cases = wrongInputs();
  expect(cases.length).toBeGreaterThan(100);
  for (const c of cases) {
    const res = await noisy.invoke(c.name, c.input);
    expect(res.ok, `${c.name} ${JSON.stringify(c.input)}`).toBe(false);
    if (!res.ok) {
      expect(res.error.kind, `${c.name} ${JSON.stringify(c.input)}`).toBe('invalid-input');
      expect(res.error.message.length).toBeGreaterThan(0);
    }
  }
  await noisy.close();

  // 4. Malformed URLs, request lines and headers: answered 4xx or closed, never a crash.
  const requests: string[] = [
    'GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /% HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /assets/%ZZ.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET //// HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    'GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    'GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ' + 'a'.repeat(100_000) + '\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n',
    'GET / HTTP/1.1\r\n\r\n',
    'BREW /pot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n',
  ];
  for (let i = 0; i < 30; i++) {
    const path = Array.from(randomBytes(1 + Math.floor(rand() * 40)), (b) =>
      b < 0x80 && b > 0x20 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
    ).join('');
    requests.push(`GET /${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  }
  for (const r of requests) {
    const status = await rawHttp(r);
    // A 2xx is fine for a random path the UI's router answers; a 5xx never is.
    expect(status, JSON.stringify(r.slice(0, 80))).not.toMatch(/^HTTP\/1\.1 5/);
    expect(alive(), JSON.stringify(r.slice(0, 80))).toBe(true);
  }
  expect(await rawHttp('GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
  for (let i = 0; i < 20; i++) await rawHttp(randomBytes(1 + Math.floor(rand() * 4000)));

  // 5. DNS rebinding: a page on a name that resolves to 127.0.0.1 sends that name as Host and Origin.
  const rebound = `evil.example:${port}`;
  expect(await rawHttp(`GET / HTTP/1.1\r\nHost: ${rebound}\r\n\r\n`)).toBe('HTTP/1.1 421 Misdirected Request');
  const upgrade = await new Promise<number | null>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Host: rebound }, origin: `http://${rebound}` });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? -1));
    ws.on('open', () => {
      resolve(null);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
  expect(upgrade).toBe(421);

  // 6. Hundreds of connections at once: WebSocket clients that subscribe, and idle TCP sockets.
  const idle: Socket[] = [];
  for (let i = 0; i < 100; i++) idle.push(tcpConnect(port, '127.0.0.1').on('error', () => undefined));
  const many = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const c = await ApiClient.connect(`ws://127.0.0.1:${port}/${i % 2 ? 'ws' : 'events?after=0'}`, { headers: { cookie } });
      if (i % 2) c.sendRaw(JSON.stringify({ type: 'subscribe', afterSeq: 0 }));
      return c;
    }),
  );
  const during = await good.invoke('station.snapshot', {});
  expect(during.ok).toBe(true);
  await Promise.all(many.map((c) => c.close()));
  for (const s of idle) s.destroy();

  fuzzing = false;
  await testing;

  // The same process answers, the unit tests were not disturbed, memory is bounded.
  expect(alive()).toBe(true);
  expect(await good.invoke('station.snapshot', {})).toMatchObject({ ok: true });
  expect(outcomes.length).toBeGreaterThanOrEqual(2);
  expect(new Set(outcomes)).toEqual(new Set(['PASS']));
  const grownMiB = (rssKiB() - rssBefore) / 1024;
  expect(grownMiB, `RSS grew ${grownMiB.toFixed(0)} MiB`).toBeLessThan(200);
  await good.close();
  // Every refusal was logged with its reason.
  expect(h.output()).toMatch(/1009|payload|too big/i);
  expect(h.output()).toMatch(/malformed|bad request|URI/i);
}, 90_000);
