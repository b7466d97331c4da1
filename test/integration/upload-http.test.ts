/**
 * The HTTP(S) JSON target against a real receiver on 127.0.0.1 that fails on
 * purpose: 500, 503 with Retry-After, 400 (parks), 408, 429, answers that hang,
 * connections reset before and after the run arrived, bodies that trickle. Every
 * run arrives, once per run id; nothing is parked that should not be.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type { RunRecord } from '#contract/records.ts';
import { startReceiver, TLS_DIR, type Fault, type Receiver } from '../helpers/receiver.ts';
import { openQueue, type Queue } from '../helpers/upload-queue.ts';
import { plainRun } from '../helpers/run-records.ts';
import { mulberry32 } from '../helpers/random.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(opts: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const r = await startReceiver(opts);
  cleanups.push(() => r.close());
  return r;
}

/** Fast retry timing so the tests take seconds, not hours (the same code, other settings). */
const FAST = { firstDelayMs: 5, maxDelayMs: 40, jitter: 0.2 };

function queue(url: string, extra: Record<string, unknown> = {}, retry: Record<string, number> = FAST): Queue {
  const q = openQueue({ targets: [{ id: 'mes', kind: 'http', url, timeoutMs: 2000, ...extra }], retry });
  cleanups.push(() => q.close());
  return q;
}

const runs = (n: number, prefix = 'SN'): RunRecord[] =>
  Array.from({ length: n }, (_, i) => plainRun(`${prefix}-${i + 1}`, { startMs: Date.UTC(2026, 0, 5) + i * 1000 }));

/** The first request for each run gets `fault`, later ones succeed. */
function firstTime(fault: Fault): (key: string) => Fault {
  const seen = new Set<string>();
  return (key) => {
    if (seen.has(key)) return { kind: 'ok' };
    seen.add(key);
    return fault;
  };
}

describe('delivery', () => {
  test('each run arrives once, as stored, with Idempotency-Key, bearer token and the configured headers', async () => {
    const r = await receiver();
    const q = queue(r.url, { token: 's3cret', headers: { 'X-Plant': 'north' } });
    const recs = runs(5);
    q.seed(recs);
    const status = await q.drained();
    expect(status).toMatchObject({ online: true, waitingRuns: 0, parkedRuns: 0 });
    expect(status.targets).toEqual([
      expect.objectContaining({
        id: 'mes',
        kind: 'http',
        label: r.url,
        state: 'idle',
        reachable: true,
        waiting: 0,
        parked: 0,
        delivered: 5,
        lastError: null,
        nextAttemptAt: null,
      }),
    ]);
    expect(r.distinct()).toBe(5);
    expect(r.total()).toBe(5);
    for (const rec of recs) {
      const [d] = r.runs.get(rec.id)!;
      expect(d!.headers).toMatchObject({
        'idempotency-key': rec.id,
        authorization: 'Bearer s3cret',
        'x-plant': 'north',
        'content-type': 'application/json; charset=utf-8',
      });
      expect(JSON.parse(d!.body)).toEqual(q.repo.getRun(rec.id));
    }
    expect(q.events.ofKind('upload.delivered').map((e) => [e.runId, e.data])).toEqual(
      expect.arrayContaining(recs.map((x) => [x.id, { target: 'mes', attempts: 1 }])),
    );
  });

  test.each([
    ['500', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['408', { kind: 'status', status: 408 }],
    ['429', { kind: 'status', status: 429, retryAfter: '0' }],
    ['a connection reset before the body was read', { kind: 'reset-before' }],
  ] as const)('%s is tried again; the run arrives once', async (_name, fault) => {
    const r = await receiver({ fault: firstTime(fault as Fault) });
    const q = queue(r.url);
    const [rec] = runs(1);
    q.seed([rec!]);
    await q.drained();
    expect(r.requests.map((x) => x.fault)).toEqual([fault.kind, 'ok']);
    expect([r.distinct(), r.total()]).toEqual([1, 1]);
    const failed = q.events.ofKind('upload.failed')[0]!;
    expect(failed.data.error).toMatch(
      fault.kind === 'status' ? new RegExp(`^HTTP ${fault.status}`) : /connection to 127\.0\.0\.1:\d+ reset before a complete answer/,
    );
    expect(q.events.ofKind('upload.delivered')[0]!.data.attempts).toBe(2);
  });

  test('a connection reset after the server took the run: sent again, stored once (total 2, distinct 1)', async () => {
    const r = await receiver({ fault: firstTime({ kind: 'reset-after' }) });
    const q = queue(r.url);
    q.seed(runs(1));
    await q.drained();
    expect([r.distinct(), r.total()]).toEqual([1, 2]);
  });

  test('an answer that hangs is cut at the timeout and the run sent again', async () => {
    const r = await receiver({ fault: firstTime({ kind: 'hang' }) });
    const q = queue(r.url, { timeoutMs: 300 });
    q.seed(runs(1));
    await q.drained();
    expect(q.events.ofKind('upload.failed')[0]!.data.error).toMatch(/^127\.0\.0\.1:\d+: no complete answer within 300 ms$/);
    expect([r.distinct(), r.total()]).toEqual([1, 1]);
  });

  test('a body that trickles past the timeout is cut; the run is sent again and stored once', async () => {
    const r = await receiver({ fault: firstTime({ kind: 'slow-body', everyMs: 50, bytes: 40 }) });
    const q = queue(r.url, { timeoutMs: 400 });
    q.seed(runs(1));
    await q.drained();
    expect(q.events.ofKind('upload.failed')[0]!.data.error).toMatch(/no complete answer within 400 ms/);
    expect([r.distinct(), r.total()]).toEqual([1, 2]);
  });

  test('a slow body within the timeout is a success', async () => {
    const r = await receiver({ fault: () => ({ kind: 'slow-body', everyMs: 5, bytes: 10 }) });
    const q = queue(r.url);
    q.seed(runs(2));
    await q.drained();
    expect(q.events.ofKind('upload.failed')).toEqual([]);
    expect([r.distinct(), r.total()]).toEqual([2, 2]);
  });

  test('a 503 with Retry-After: the next attempt waits as long as the server asked', async () => {
    const r = await receiver({ fault: firstTime({ kind: 'status', status: 503, retryAfter: '1' }) });
    const q = queue(r.url);
    q.seed(runs(1));
    const failed = await q.events.waitFor('upload.failed');
    // While it waits, the supervisor sees why and when it tries next; the operator sees it offline.
    const during = q.uploader.status();
    expect(during.online).toBe(false);
    expect(during.targets[0]).toMatchObject({
      state: 'retrying',
      reachable: false,
      waiting: 1,
      lastError: 'HTTP 503 Service Unavailable: failing on purpose with 503',
    });
    expect(Date.parse(during.targets[0]!.nextAttemptAt!) - Date.parse(failed.ts)).toBeGreaterThanOrEqual(990);
    await q.drained();
    const [first, second] = r.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(q.uploader.status().online).toBe(true);
  });
});

describe('parked runs', () => {
  test("a 400 parks the run with the server's reason; the others go on; a supervisor retries and drops, both audited", async () => {
    let mesKnowsSerial = false;
    const recs = [...runs(3, 'OK'), ...runs(2, 'BAD')];
    const bad = new Set(recs.filter((x) => x.unit.serialNumber.startsWith('BAD')).map((x) => x.id));
    const r = await receiver({
      fault: (key) => (bad.has(key) && !mesKnowsSerial ? { kind: 'status', status: 400, message: 'serial number unknown in MES' } : { kind: 'ok' }),
    });
    const q = queue(r.url);
    q.seed(recs);
    const status = await q.drained();
    expect(status).toMatchObject({ online: true, waitingRuns: 0, parkedRuns: 2 });
    expect(status.targets[0]).toMatchObject({ parked: 2, delivered: 3, lastError: 'HTTP 400 Bad Request: serial number unknown in MES' });
    expect(r.distinct()).toBe(3);
    // One try each: a 400 is not sent again by itself.
    expect(r.requests.filter((x) => bad.has(x.key))).toHaveLength(2);

    const listed = await invokeList(q);
    expect(listed.map((p) => [p.serialNumber, p.target, p.reason, p.attempts])).toEqual(
      expect.arrayContaining([
        ['BAD-1', 'mes', 'HTTP 400 Bad Request: serial number unknown in MES', 1],
        ['BAD-2', 'mes', 'HTTP 400 Bad Request: serial number unknown in MES', 1],
      ]),
    );

    // The MES learns the serial; the supervisor sends BAD-1 again.
    mesKnowsSerial = true;
    const bad1 = recs.find((x) => x.unit.serialNumber === 'BAD-1')!;
    const bad2 = recs.find((x) => x.unit.serialNumber === 'BAD-2')!;
    expect(q.uploader.retryParked('sup-anna', 'mes', [bad1.id])).toBe(1);
    await q.events.waitFor('upload.delivered', (e) => e.runId === bad1.id);
    // BAD-2 is given up.
    expect(q.uploader.drop('sup-bob', undefined, [bad2.id], 'duplicate unit, scrapped')).toBe(1);
    const end = await q.drained();
    expect(end).toMatchObject({ parkedRuns: 0, waitingRuns: 0 });
    expect(r.runs.has(bad1.id)).toBe(true);
    expect(r.runs.has(bad2.id)).toBe(false);
    expect(q.events.ofKind('upload.retried').map((e) => e.data)).toEqual([{ by: 'sup-anna', target: 'mes', runIds: [bad1.id] }]);
    expect(q.events.ofKind('upload.dropped').map((e) => e.data)).toEqual([
      { by: 'sup-bob', target: null, runIds: [bad2.id], reason: 'duplicate unit, scrapped' },
    ]);

    const audit = q.db.prepare('SELECT ts, actor, action, details FROM audit ORDER BY id').all() as {
      ts: string;
      actor: string;
      action: string;
      details: string;
    }[];
    expect(audit.map((a) => [a.actor, a.action, JSON.parse(a.details)])).toEqual([
      ['sup-anna', 'upload.retry', { target: 'mes', reason: null, rows: [{ target: 'mes', runId: bad1.id }] }],
      ['sup-bob', 'upload.drop', { target: null, reason: 'duplicate unit, scrapped', rows: [{ target: 'mes', runId: bad2.id }] }],
    ]);
    for (const a of audit) expect(Math.abs(Date.parse(a.ts) - Date.now())).toBeLessThan(60_000);
    expect(q.db.prepare('SELECT state, last_error FROM outbox WHERE run_id = ?').get(bad2.id)).toEqual({
      state: 'dropped',
      last_error: 'dropped by sup-bob: duplicate unit, scrapped',
    });
    // Nothing left to retry: said plainly.
    expect(() => q.uploader.retryParked('sup-anna', 'mes', undefined)).toThrow('nothing to retry: no parked upload for target mes, any run');
  });

  test.each([
    [401, 'token expired'],
    [403, 'station not allowed'],
    [404, 'no such endpoint'],
    [409, 'conflict'],
    [422, 'outcome: invalid enum value'],
  ])('%s parks too, with the reason', async (status, message) => {
    const r = await receiver({ fault: () => ({ kind: 'status', status, message }) });
    const q = queue(r.url);
    q.seed(runs(1));
    const s = await q.drained();
    expect(s.parkedRuns).toBe(1);
    expect(s.targets[0]!.lastError).toMatch(new RegExp(`^HTTP ${status} .*: ${message}$`));
  });
});

async function invokeList(q: Queue) {
  return q.uploader.listParked(undefined, 100);
}


test('1200 runs, a third of the requests failing at random in every way: each run arrives, once; only the refused ones are parked', async () => {
  const seed = Number(process.env.PASSLINE_FAULT_SEED ?? Date.now() % 1_000_000);
  const rnd = mulberry32(seed);
  const recs = runs(1200, 'R');
  // 2% of the units are unknown to the MES: it always answers 400 for them.
  const refused = new Set(recs.filter(() => rnd() < 0.02).map((x) => x.id));
  const faults: Fault[] = [
    { kind: 'status', status: 500 },
    { kind: 'status', status: 503, retryAfter: '0' },
    { kind: 'status', status: 502 },
    { kind: 'status', status: 408 },
    { kind: 'status', status: 429 },
    { kind: 'hang' },
    { kind: 'reset-before' },
    { kind: 'reset-after' },
    { kind: 'slow-body', everyMs: 60, bytes: 20 },
    { kind: 'slow-body', everyMs: 1, bytes: 5 },
  ];
  const r = await receiver({
    fault: (key) => {
      if (refused.has(key)) return { kind: 'status', status: 400, message: 'unknown unit' };
      return rnd() < 0.33 ? faults[Math.floor(rnd() * faults.length)]! : { kind: 'ok' };
    },
  });
  const q = queue(r.url, { timeoutMs: 300, concurrency: 8 }, { firstDelayMs: 2, maxDelayMs: 30, jitter: 0.5 });
  q.seed(recs);
  const status = await q.drained(240_000);

  const expected = recs.filter((x) => !refused.has(x.id)).map((x) => x.id);
  const parked = q.uploader.listParked('mes', 1000).map((p) => p.runId);
  console.log(
    `seed ${seed}: ${recs.length} runs, ${r.requests.length} requests (${r.requests.filter((x) => x.fault !== 'ok').length} failed on purpose), receiver has ${r.distinct()} distinct runs in ${r.total()} deliveries, ${parked.length} parked`,
  );
  expect([...r.runs.keys()].sort()).toEqual([...expected].sort());
  expect(parked.sort()).toEqual([...refused].sort());
  expect(status).toMatchObject({ waitingRuns: 0, parkedRuns: refused.size });
  // Each accepted body is the stored record.
  for (const id of expected.slice(0, 50)) expect(JSON.parse(r.runs.get(id)![0]!.body)).toEqual(q.repo.getRun(id));
  // Duplicates come only from the faults where the run arrived but the answer did not.
  const mayDuplicate = r.requests.filter((x) => x.fault === 'reset-after' || x.fault === 'slow-body').length;
  expect(r.total() - r.distinct()).toBeLessThanOrEqual(mayDuplicate);
}, 300_000);

test('offline for a long stretch, then back: a probe per backoff step meanwhile, and the backlog drains by itself', async () => {
  const r = await receiver();
  const port = r.port;
  await r.close();
  const q = queue(`http://127.0.0.1:${port}/runs`, { concurrency: 4 }, { firstDelayMs: 5, maxDelayMs: 80, jitter: 0.2 });
  const recs = runs(300, 'OFF');
  q.seed(recs);
  // Wait until the backoff has reached its cap a few times: the station has been offline "for hours".
  let failures = 0;
  let after = 0;
  for (;;) {
    const f = await q.events.waitFor('upload.failed', () => true, { afterSeq: after, timeoutMs: 10_000 });
    after = f.seq;
    failures++;
    if (failures >= 12) {
      expect(f.data.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+/);
      break;
    }
  }
  const off = q.uploader.status();
  expect(off).toMatchObject({ online: false, waitingRuns: 300 });
  expect(off.targets[0]).toMatchObject({ reachable: false, waiting: 300 });
  // Probes, not one request per queued run: the whole target waits between them.
  expect(q.events.ofKind('upload.failed').length).toBeLessThan(20);

  await r.reopen();
  const s = await q.drained(60_000);
  expect(s).toMatchObject({ online: true, waitingRuns: 0, parkedRuns: 0 });
  expect([r.distinct(), r.total()]).toEqual([300, 300]);
  expect(q.logs).toContain(`info: upload target mes (http://127.0.0.1:${port}/runs) is reachable again`);
});

test('several targets at once, each with its own queue: one down does not hold up the other', async () => {
  const up = await receiver();
  const down = await receiver({ fault: () => ({ kind: 'status', status: 503, message: 'maintenance' }) });
  const q = openQueue({
    targets: [
      { id: 'mes', kind: 'http', url: up.url },
      { id: 'backup', kind: 'http', url: down.url },
    ],
    retry: { firstDelayMs: 5000, maxDelayMs: 60_000 },
  });
  cleanups.push(() => q.close());
  q.seed(runs(20));
  await up.distinctReaches(20);
  await q.events.waitFor('upload.queueChanged', (e) => e.data.targets.find((t) => t.id === 'mes')?.waiting === 0);
  const s = q.uploader.status();
  expect(s).toMatchObject({ online: false, waitingRuns: 20 });
  const [mes, backup] = s.targets;
  expect(mes).toMatchObject({ id: 'mes', state: 'idle', reachable: true, waiting: 0, delivered: 20 });
  expect(backup).toMatchObject({ id: 'backup', state: 'retrying', reachable: false, waiting: 20, lastError: 'HTTP 503 Service Unavailable: maintenance' });
  // The first retry comes about firstDelayMs later (± jitter).
  const wait = Date.parse(backup!.nextAttemptAt!) - Date.parse(backup!.lastErrorAt!);
  expect(wait).toBeGreaterThanOrEqual(4000 - 5);
  expect(wait).toBeLessThanOrEqual(6000 + 5);
});

describe('HTTPS', () => {
  test("with the plant's CA (caFile) the run goes through", async () => {
    const r = await receiver({ tls: true });
    const q = queue(r.url, { caFile: join(TLS_DIR, 'ca.pem') });
    q.seed(runs(3));
    await q.drained();
    expect(r.distinct()).toBe(3);
  });

  test('without it the certificate is refused, the reason names caFile, and the runs wait (not parked)', async () => {
    const r = await receiver({ tls: true });
    const q = queue(r.url);
    q.seed(runs(1));
    const f = await q.events.waitFor('upload.failed');
    expect(f.data.error).toMatch(/^TLS: .*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); set caFile to the CA that signed 127\.0\.0\.1's certificate$/);
    expect(q.uploader.status()).toMatchObject({ waitingRuns: 1, parkedRuns: 0 });
    expect(r.requests).toEqual([]);
  });

  test("an unreadable caFile is the target's error, shown, and the runs wait", async () => {
    const r = await receiver({ tls: true });
    const q = queue(r.url, { caFile: '/nonexistent/ca.pem' });
    q.seed(runs(1));
    const f = await q.events.waitFor('upload.failed');
    expect(f.data.error).toMatch(/^cannot set up target mes: caFile \/nonexistent\/ca\.pem cannot be read: ENOENT/);
    expect(q.uploader.status().targets[0]).toMatchObject({ waiting: 1, reachable: false });
  });
});
