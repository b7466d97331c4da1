/**
 * The folder, TofuPilot and PostgreSQL targets, each against the real thing: a
 * folder watched while files land, an HTTP server speaking TofuPilot's v2 API, and
 * a PostgreSQL server this test starts on a temp dir.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { RunRecord } from '#contract/records.ts';
import { RunRecordSchema } from '#contract/records.ts';
import { parseOpenHtf } from '#station/formats/openhtf.ts';
import { checkOcpStream } from '#station/formats/ocp-check.ts';
import { toOcp } from '#station/formats/ocp.ts';
import { openQueue, type Queue } from '../helpers/upload-queue.ts';
import { fullRun, plainRun } from '../helpers/run-records.ts';

import { tempDir } from '../helpers/paths.ts';
import { schemaProblems } from '../helpers/ocp-schema.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { startFakeTofuPilot } from '../helpers/tofupilot-server.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createHash } from 'node:crypto';
import type { NativeRun } from '#contract/records.ts';
import { importedBytes } from '#station/formats/attachment-bytes.ts';
import { withAttachments } from '../helpers/run-records.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST = { firstDelayMs: 5, maxDelayMs: 50 };

function queue(targets: unknown[], extra: Partial<Parameters<typeof openQueue>[0]> = {}): Queue {
  const q = openQueue({ targets, retry: FAST, ...extra });
  cleanups.push(() => q.close());
  return q;
}

const runs = (n: number, prefix: string, perPhase = 3): RunRecord[] =>
  Array.from({ length: n }, (_, i) => plainRun(`${prefix}-${i + 1}`, { perPhase, fail: i % 4 === 3, startMs: Date.UTC(2026, 2, 1) + i * 1000 }));

function folder(): string {
  const t = tempDir('passline-drop-');
  cleanups.push(t.remove);
  return t.dir;
}

describe('folder drop', () => {
  test('one file per run in each format: native JSON, OCP TV lines, OpenHTF JSON', async () => {
    const [a, b, c] = [folder(), folder(), folder()];
    const q = queue([
      { id: 'drop-native', kind: 'folder', path: a },
      { id: 'drop-ocp', kind: 'folder', path: b, format: 'ocp' },
      { id: 'drop-openhtf', kind: 'folder', path: c, format: 'openhtf' },
    ]);
    // The last: 1000 measurements, written as OCP in many chunks.
    const recs = [...runs(3, 'FD'), fullRun('FAIL'), plainRun('FD-BIG', { phases: 100, perPhase: 10, fail: true })];
    q.seed(recs);
    await q.drained();
    for (const rec of recs) {
      const serial = rec.unit.serialNumber;
      expect(RunRecordSchema.parse(JSON.parse(readFileSync(join(a, `${serial}_${rec.id}.json`), 'utf8')))).toEqual(q.repo.getRun(rec.id));
      const ocp = readFileSync(join(b, `${serial}_${rec.id}.ocp.jsonl`), 'utf8');
      expect(ocp).toBe(toOcp(q.repo.getRun(rec.id)));
      expect(schemaProblems(ocp)).toEqual([]);
      expect(checkOcpStream(ocp)).toEqual([]);
      expect(parseOpenHtf(readFileSync(join(c, `${serial}_${rec.id}.openhtf.json`), 'utf8')).id).toBe(rec.id);
    }
    for (const d of [a, b, c]) expect(readdirSync(d)).toHaveLength(recs.length);
  });

  test("attachments: native and OpenHTF carry the bytes in the run's file; OCP writes each file beside the run's and points at it", async () => {
    const [a, b, c] = [folder(), folder(), folder()];
    const q = queue([
      { id: 'drop-native', kind: 'folder', path: a },
      { id: 'drop-ocp', kind: 'folder', path: b, format: 'ocp' },
      { id: 'drop-openhtf', kind: 'folder', path: c, format: 'openhtf' },
    ]);
    const rec = fullRun('FAIL');
    const sent = withAttachments(rec, q.files);
    const listed = rec.phases.flatMap((p) => p.attachments ?? []);
    q.seed([rec]);
    await q.drained();
    const sha = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');
    const stem = `${rec.unit.serialNumber}_${rec.id}`;
    // Native: one file, the bytes beside the record, each giving the sha256 it is filed under.
    expect(readdirSync(a)).toEqual([`${stem}.json`]);
    const native = JSON.parse(readFileSync(join(a, `${stem}.json`), 'utf8')) as NativeRun;
    expect(Object.keys(native.attachmentData!).sort()).toEqual([...sent.keys()].sort());
    for (const [k, text] of Object.entries(native.attachmentData!)) expect(sha(Buffer.from(text, 'base64'))).toBe(k);
    expect(native.attachmentsLeftOut).toBeUndefined();
    // OpenHTF: one file, inline bytes, read back as a receiver would.
    expect(readdirSync(c)).toEqual([`${stem}.openhtf.json`]);
    const got = importedBytes();
    const back = parseOpenHtf(readFileSync(join(c, `${stem}.openhtf.json`), 'utf8'), got);
    expect(back.phases.flatMap((p) => p.attachments ?? [])).toEqual(listed);
    expect(got.warnings).toEqual([]);
    for (const [k, buf] of got.bytes) expect(buf).toEqual(sent.get(k));
    // OCP: the run's lines and one file per attachment beside them, each artifact's uri naming its file.
    const ocp = readFileSync(join(b, `${stem}.ocp.jsonl`), 'utf8');
    expect(schemaProblems(ocp)).toEqual([]);
    expect(checkOcpStream(ocp)).toEqual([]);
    const artifacts = ocp
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          (JSON.parse(l) as { testStepArtifact?: { file?: { displayName: string; uri: string; metadata: { sha256: string; size: number } } } }).testStepArtifact
            ?.file,
      )
      .filter((f) => f !== undefined);
    expect(artifacts.map((f) => f.displayName)).toEqual(listed.map((x) => x.name));
    for (const f of artifacts) {
      const bytes = readFileSync(join(b, f.uri));
      expect(sha(bytes)).toBe(f.metadata.sha256);
      expect(bytes.byteLength).toBe(f.metadata.size);
    }
    // The same CSV attached by the retried phase is one file; the rest one each. No temporary file is left.
    expect(readdirSync(b).sort()).toEqual([`${stem}.ocp.jsonl`, ...new Set(artifacts.map((f) => f.uri))].sort());
    expect(readdirSync(b)).toHaveLength(1 + 4);
  });

  test('a file the station no longer has: the run still goes, and its file names the attachment left out and why', async () => {
    const [a, b] = [folder(), folder()];
    const q = queue([
      { id: 'drop-native', kind: 'folder', path: a },
      { id: 'drop-ocp', kind: 'folder', path: b, format: 'ocp' },
    ]);
    const rec = plainRun('GONE-1');
    const sha256 = 'f'.repeat(64);
    rec.phases[0]!.attachments = [{ name: 'trace.csv', mediaType: 'text/csv', size: 9, sha256 }];
    q.seed([rec]);
    await q.drained();
    const stem = `${rec.unit.serialNumber}_${rec.id}`;
    const native = JSON.parse(readFileSync(join(a, `${stem}.json`), 'utf8')) as NativeRun;
    expect(native.attachmentsLeftOut).toEqual({ [sha256]: `no attachment ${sha256} on this station` });
    const file = readFileSync(join(b, `${stem}.ocp.jsonl`), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { testStepArtifact?: { file?: unknown } }).testStepArtifact?.file)
      .find((f) => f !== undefined);
    expect(file).toMatchObject({ uri: `urn:sha256:${sha256}`, metadata: { sha256, left_out: `no attachment ${sha256} on this station` } });
    expect(readdirSync(b)).toEqual([`${stem}.ocp.jsonl`]);
  });

  test('written atomically: a watcher never sees a partial file; a run delivered again is still one file', async () => {
    const dir = folder();
    const q = queue([{ id: 'drop', kind: 'folder', path: dir, concurrency: 4 }]);
    const seen: string[] = [];
    const partial: string[] = [];
    // An MES-like watcher: reads every final-named file the moment it appears.
    const w = watch(dir, (_e, name) => {
      if (!name || name.startsWith('.')) return;
      try {
        JSON.parse(readFileSync(join(dir, name), 'utf8'));
        seen.push(name);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') partial.push(`${name}: ${(e as Error).message}`);
      }
    });
    cleanups.push(() => w.close());
    const recs = runs(150, 'AT', 40);
    q.seed(recs);
    await q.drained();
    expect(partial).toEqual([]);
    expect(new Set(seen).size).toBe(150);
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    // As after a crash between the rename and the queue's note: everything goes again.
    q.db.exec(`UPDATE outbox SET state = 'pending'`);
    q.uploader.wake();
    await q.drained();
    expect(readdirSync(dir)).toHaveLength(150);
  });

  test('a folder that is not there (share not mounted): runs wait, with the reason, and go when it is back', async () => {
    const base = folder();
    const dir = join(base, 'share');
    const q = queue([{ id: 'drop', kind: 'folder', path: dir }], { retry: { firstDelayMs: 20, maxDelayMs: 100 } });
    q.seed(runs(3, 'NM'));
    const f = await q.events.waitFor('upload.failed');
    expect(f.data.error).toBe(`folder ${dir} does not exist (is the share mounted?)`);
    expect(q.uploader.status()).toMatchObject({ online: false, waitingRuns: 3, parkedRuns: 0 });
    mkdirSync(dir);
    await q.drained();
    expect(readdirSync(dir)).toHaveLength(3);
  });
});

async function fakeTofuPilot(opts: Parameters<typeof startFakeTofuPilot>[0]) {
  const tp = await startFakeTofuPilot(opts);
  cleanups.push(() => tp.close());
  return tp;
}

describe('HTTP', () => {
  test("a run's attachments go in the body as the native format carries them, each giving its sha256", async () => {
    const r = await startReceiver();
    cleanups.push(() => r.close());
    const q = queue([{ id: 'mes', kind: 'http', url: r.url }]);
    const rec = plainRun('HTTP-ATT-1', { phases: 3 });
    const sent = withAttachments(rec, q.files);
    q.seed([rec]);
    await q.drained();
    const body = JSON.parse(r.runs.get(rec.id)![0]!.body) as NativeRun;
    const { attachmentData, ...record } = body;
    expect(record).toEqual(q.repo.getRun(rec.id));
    expect(Object.keys(attachmentData!).sort()).toEqual([...sent.keys()].sort());
    for (const [sha, text] of Object.entries(attachmentData!)) {
      const bytes = Buffer.from(text, 'base64');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
      expect(bytes).toEqual(sent.get(sha));
    }
  });
});

describe('TofuPilot (API v2)', () => {
  test("creates the run with TofuPilot's fields, under the mapped procedure, with the API key", async () => {
    const tp = await fakeTofuPilot({ key: 'tp-key' });
    const q = queue([
      { id: 'tofupilot', kind: 'tofupilot', url: tp.url, apiKey: 'tp-key', procedureIds: { 'board-fvt': '5b7e0c1e-1d2f-4c55-9a0a-000000000001' } },
    ]);
    const rec = fullRun('FAIL');
    q.seed([rec]);
    await q.drained();
    expect(tp.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/v2/runs']);
    const body = JSON.parse(tp.calls[0]!.body) as Record<string, unknown> & { phases: Record<string, unknown>[]; logs: Record<string, unknown>[] };
    expect(tp.calls[0]!.auth).toBe('Bearer tp-key');
    expect(body).toMatchObject({
      procedure_id: '5b7e0c1e-1d2f-4c55-9a0a-000000000001',
      procedure_version: '1.4.0',
      serial_number: 'PCB01A69658',
      part_number: 'PCB-01',
      revision_number: 'B',
      batch_number: '11-24',
      outcome: 'FAIL',
      started_at: rec.startedAt,
      ended_at: rec.endedAt,
      operated_by: 'alice@example.com',
    });
    expect(body.phases.map((p) => [p.name, p.outcome, p.started_at, p.ended_at])).toEqual(rec.phases.map((p) => [p.name, p.outcome, p.startedAt, p.endedAt]));
    expect(body.phases[1]!.measurements).toEqual(
      expect.arrayContaining([
        {
          name: 'v_3v3',
          outcome: 'FAIL',
          measured_value: 3.05,
          units: 'V',
          validators: [
            { operator: '>=', expected_value: 3.2, expression: 'x >= 3.2' },
            { operator: '<', expected_value: 3.4, expression: 'x < 3.4' },
            { operator: '>=', expected_value: 3.22, expression: 'x >= 3.22 (marginal)', is_decisive: false },
            { operator: '<=', expected_value: 3.38, expression: 'x <= 3.38 (marginal)', is_decisive: false },
          ],
          docstring: '3.05 V is below 3.2 V',
        },
      ]),
    );
    expect(body.logs).toEqual(
      expect.arrayContaining([
        { level: 'ERROR', timestamp: rec.phases[3]!.logs[0]!.ts, message: 'crc mismatch\nline two', source_file: 'lib/crc.ts', line_number: 88 },
      ]),
    );
    // TofuPilot's run id is kept with the queue row.
    expect(q.db.prepare('SELECT remote_ref FROM outbox WHERE run_id = ?').get(rec.id)).toEqual({ remote_ref: 'tp-run-1' });
  });

  test('attachments go through the upload flow from the stored files; a failed step resumes without creating the run twice', async () => {
    const tp = await fakeTofuPilot({ key: 'k', failFinalizeOnce: true });
    const q = queue([{ id: 'tp', kind: 'tofupilot', url: tp.url, apiKey: 'k', defaultProcedureId: 'proc-uuid' }]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
    const stored = q.files.put(png);
    const rec = plainRun('ATT-1');
    rec.phases[1]!.attachments = [{ name: 'scope.png', mediaType: 'image/png', ...stored }];
    q.seed([rec]);
    await q.drained();
    expect(tp.calls.map((c) => `${c.method} ${c.path.replace(/\d+/g, 'N')}`)).toEqual([
      'POST /api/vN/runs',
      'POST /api/vN/attachments',
      'PUT /sN/up-N',
      'POST /api/vN/attachments/up-N/finalize',
      // The finalize failed (502): the retry starts at the attachments, the run stays created once.
      'POST /api/vN/attachments',
      'PUT /sN/up-N',
      'POST /api/vN/attachments/up-N/finalize',
      'PATCH /api/vN/runs/tp-run-N',
    ]);
    expect(JSON.parse(tp.calls.at(-1)!.body)).toEqual({ attachments: ['up-3'] });
    // What TofuPilot holds on the run: the bytes, whole, as the record's sha256 names them.
    const [got] = tp.attachmentsOf('tp-run-1');
    expect(got).toMatchObject({ name: 'scope.png', contentType: 'image/png', sha256: stored.sha256 });
    expect(got!.bytes).toEqual(png);
  });

  test('a file the station no longer has parks the run, naming it; the run is not created twice', async () => {
    const tp = await fakeTofuPilot({ key: 'k' });
    const q = queue([{ id: 'tp', kind: 'tofupilot', url: tp.url, apiKey: 'k', defaultProcedureId: 'proc-uuid' }]);
    const rec = plainRun('ATT-2');
    const sha256 = 'c'.repeat(64);
    rec.phases[0]!.attachments = [{ name: 'trace.csv', mediaType: 'text/csv', size: 10, sha256 }];
    q.seed([rec]);
    const s = await q.drained();
    expect(s.parkedRuns).toBe(1);
    expect(q.uploader.listParked(undefined, 10)[0]!.reason).toBe(
      `attachment "trace.csv" of phase phase_0 (sha256 cccccccccccc…) cannot be sent: no attachment ${sha256} on this station; the run is in TofuPilot as tp-run-1 without its attachments`,
    );
    expect(tp.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/v2/runs']);
  });

  test("a procedure with no TofuPilot id is parked with what to do; a refused key parks with the server's words", async () => {
    const tp = await fakeTofuPilot({ key: 'right' });
    const q = queue([
      { id: 'unmapped', kind: 'tofupilot', url: tp.url, apiKey: 'right' },
      { id: 'badkey', kind: 'tofupilot', url: tp.url, apiKey: 'wrong', defaultProcedureId: 'p' },
    ]);
    q.seed(runs(1, 'TP'));
    const s = await q.drained();
    const byId = Object.fromEntries(s.targets.map((t) => [t.id, t]));
    expect(byId.unmapped!.lastError).toBe(
      'no TofuPilot procedure for Passline procedure "board-fvt": add it to the target\'s procedureIds (or set defaultProcedureId), then retry',
    );
    expect(byId.badkey!.lastError).toBe('HTTP 401 Unauthorized: Invalid API key');
    expect(s.parkedRuns).toBe(1);
    expect(q.uploader.listParked(undefined, 10)).toHaveLength(2);
  });
});

describe('PostgreSQL', () => {
  let server: Postgres;
  beforeAll(async () => {
    server = await startPostgres({ fsync: false });
  }, 60_000);
  afterAll(() => server?.stop());

  async function sql<T extends Record<string, unknown>>(text: string, args: unknown[] = []): Promise<T[]> {
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      return (await c.query<T>(text, args)).rows;
    } finally {
      await c.end();
    }
  }

  test('creates its documented schema on first use and writes each run whole: run, phases, measurements, the record', async () => {
    const q = queue([{ id: 'fleet', kind: 'postgres', connectionString: server.url, schema: 'plant_a' }]);
    const recs = [...runs(5, 'PG', 4), fullRun('FAIL')];
    q.seed(recs);
    await q.drained();
    const tables = await sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'plant_a' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(['measurements', 'phases', 'runs', 'schema_info']);
    expect(await sql(`SELECT value FROM plant_a.schema_info WHERE key = 'version'`)).toEqual([{ value: '1' }]);
    const rows = await sql<{ id: string; serial_number: string; outcome: string; record: RunRecord; n_ph: number; n_m: number }>(
      `SELECT r.id, r.serial_number, r.outcome, r.record,
        (SELECT count(*)::int FROM plant_a.phases p WHERE p.run_id = r.id) AS n_ph,
        (SELECT count(*)::int FROM plant_a.measurements m WHERE m.run_id = r.id) AS n_m
       FROM plant_a.runs r`,
    );
    expect(rows).toHaveLength(6);
    for (const rec of recs) {
      const row = rows.find((r) => r.id === rec.id)!;
      expect(row).toMatchObject({
        serial_number: rec.unit.serialNumber,
        outcome: rec.outcome,
        n_ph: rec.phases.length,
        n_m: rec.phases.reduce((n, p) => n + p.measurements.length, 0),
      });
      expect(row.record).toEqual(q.repo.getRun(rec.id));
    }
    const full = recs.at(-1)!;
    expect(
      await sql(
        `SELECT name, outcome, value_num, units, lower_limit, upper_limit, reason, failure_code FROM plant_a.measurements WHERE run_id = $1 AND name = 'v_3v3' ORDER BY attempt`,
        [full.id],
      ),
    ).toEqual([
      {
        name: 'v_3v3',
        outcome: 'FAIL',
        value_num: 3.05,
        units: 'V',
        lower_limit: 3.2,
        upper_limit: 3.4,
        reason: '3.05 V is below 3.2 V',
        failure_code: 'LOW_3V3',
      },
      { name: 'v_3v3', outcome: 'PASS', value_num: 3.31, units: 'V', lower_limit: 3.2, upper_limit: 3.4, reason: null, failure_code: null },
    ]);
    expect(
      await sql(
        `SELECT value_text, value_bool, value_json FROM plant_a.measurements WHERE run_id = $1 AND name IN ('firmware', 'led_green', 'gain_vs_freq') ORDER BY name`,
        [full.id],
      ),
    ).toEqual([
      { value_text: '1.4.3', value_bool: null, value_json: null },
      {
        value_text: null,
        value_bool: null,
        value_json: [
          [100, 20.1],
          [1000, 20],
          [10000, 19.4],
        ],
      },
      { value_text: null, value_bool: true, value_json: null },
    ]);
  });

  test('idempotent by run id: runs written again (as after a crash) are still there once', async () => {
    const q = queue([{ id: 'fleet', kind: 'postgres', connectionString: server.url, schema: 'plant_b' }]);
    const recs = runs(20, 'IDEM');
    q.seed(recs);
    await q.drained();
    q.db.exec(`UPDATE outbox SET state = 'pending'`);
    q.uploader.wake();
    await q.drained();
    expect(q.events.ofKind('upload.delivered')).toHaveLength(40);
    expect(await sql(`SELECT count(*)::int AS runs, (SELECT count(*)::int FROM plant_b.measurements) AS measurements FROM plant_b.runs`)).toEqual([
      { runs: 20, measurements: 20 * 2 * 3 },
    ]);
  });

  test('many stations, one server: four stations start together on a new schema and all their runs arrive once', async () => {
    const stations = [0, 1, 2, 3].map((i) => {
      const q = queue([{ id: 'fleet', kind: 'postgres', connectionString: server.url, schema: 'fleet' }]);
      q.seed(runs(50, `ST${i}`));
      return q;
    });
    await Promise.all(stations.map((q) => q.drained()));
    expect(await sql(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM fleet.runs`)).toEqual([{ n: 200, d: 200 }]);
  });

  test('the server goes away: runs wait with the reason and arrive when it is back', async () => {
    const q = queue([{ id: 'fleet', kind: 'postgres', connectionString: server.url, schema: 'plant_c', timeoutMs: 2000 }], {
      retry: { firstDelayMs: 50, maxDelayMs: 200 },
    });
    q.seed(runs(2, 'UP'));
    await q.drained();
    server.kill();
    try {
      q.seed(runs(10, 'DOWN'));
      const f = await q.events.waitFor('upload.failed');
      expect(f.data.error).toMatch(/^PostgreSQL 127\.0\.0\.1:\d+\/postgres \(schema plant_c\): .*(ECONNREFUSED|terminat|Connection)/i);
      expect(q.uploader.status()).toMatchObject({ online: false, waitingRuns: 10 });
    } finally {
      server.start();
    }
    await q.drained();
    expect(await sql(`SELECT count(*)::int AS n FROM plant_c.runs`)).toEqual([{ n: 12 }]);
  });

  test("a run the database cannot take (a bad timestamp) is parked with PostgreSQL's reason", async () => {
    const q = queue([{ id: 'fleet', kind: 'postgres', connectionString: server.url, schema: 'plant_d' }]);
    const bad = { ...plainRun('BADTS-1'), startedAt: 'yesterday-ish' };
    q.seed([bad, plainRun('GOOD-1')]);
    const s = await q.drained();
    expect(s.parkedRuns).toBe(1);
    expect(q.uploader.listParked('fleet', 10)[0]!.reason).toMatch(
      /^PostgreSQL .*: invalid input syntax for type timestamp with time zone: "yesterday-ish" \(22007\)$/,
    );
    expect(await sql(`SELECT serial_number FROM plant_d.runs`)).toEqual([{ serial_number: 'GOOD-1' }]);
  });
});
