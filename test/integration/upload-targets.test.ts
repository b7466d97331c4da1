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
import { UploadRetrySchema, UploadTargetsSchema } from '#contract/upload.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { EventBus } from '#station/events/bus.ts';
import { Uploader } from '#station/uploader/uploader.ts';
import { AuditLog } from '#station/store/audit.ts';
import { PG_SCHEMA_VERSION, schemaDdl } from '#station/uploader/postgres-sink.ts';
import { PG_MIGRATIONS } from '#station/uploader/pg-migrations/index.ts';

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
    expect(tables.map((t) => t.table_name)).toEqual([
      'audit',
      'measurements',
      'phases',
      'runs',
      'schema_info',
      'schema_migrations',
      'station_events',
      'station_sockets',
      'stations',
    ]);
    expect(await sql(`SELECT value FROM plant_a.schema_info WHERE key = 'version'`)).toEqual([{ value: String(PG_SCHEMA_VERSION) }]);
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

  /** A station's store, its audit trail and an uploader shipping it (as the station wires them), on one PostgreSQL schema. */
  function auditStation(schema: string, opts: { stationId?: string; dataDir?: string; timeoutMs?: number; retry?: Record<string, number> } = {}) {
    const tmp = opts.dataDir ? null : tempDir('passline-audit-pg-');
    const dataDir = opts.dataDir ?? tmp!.dir;
    const db = openDatabase(dataDir);
    const repo = new RunsRepo(db);
    const bus = new EventBus(repo);
    const log = new AuditLog(db);
    const logs: string[] = [];
    const uploader = new Uploader({
      db,
      repo,
      bus,
      targets: UploadTargetsSchema.parse([
        { id: 'fleet', kind: 'postgres', connectionString: server.url, schema, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) },
      ]),
      retry: UploadRetrySchema.parse(opts.retry ?? FAST),
      appVersion: '0.1.0-test',
      log: (level, message) => logs.push(`${level}: ${message}`),
      audit: { stationId: opts.stationId ?? 'ST-1', source: log },
    });
    uploader.start();
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await uploader.close();
      bus.flush();
      db.close();
    };
    cleanups.push(async () => {
      await close();
      tmp?.remove();
    });
    return { dataDir, db, log, uploader, logs, close };
  }

  type PgAudit = {
    station_id: string;
    seq: string;
    at_text: string;
    actor: string;
    action: string;
    procedure_id: string | null;
    details: unknown;
    details_text: string | null;
    prev_hash: string;
    hash: string;
  };
  const auditRows = (schema: string, stationId = 'ST-1') =>
    sql<PgAudit>(
      `SELECT station_id, seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at_text, actor, action, procedure_id, details, details_text, prev_hash, hash
       FROM ${schema}.audit a WHERE station_id = $1 ORDER BY a.seq`,
      [stationId],
    );

  /** The auditor's check on the plant's copy alone, as docs/formats.md describes it. */
  function chainProblems(rows: PgAudit[]): string[] {
    const problems: string[] = [];
    let prev = '0'.repeat(64);
    rows.forEach((r, i) => {
      if (Number(r.seq) !== i + 1) problems.push(`seq ${r.seq} at position ${i + 1}`);
      const content = JSON.stringify({
        action: r.action,
        actor: r.actor,
        at: r.at_text,
        details: r.details_text,
        procedureId: r.procedure_id,
        seq: Number(r.seq),
      });
      if (r.prev_hash !== prev) problems.push(`${r.seq}: prev_hash`);
      if (createHash('sha256').update(`${r.prev_hash}\n${content}`).digest('hex') !== r.hash) problems.push(`${r.seq}: hash`);
      prev = r.hash;
    });
    return problems;
  }

  test("the audit trail arrives once and in order, each entry with the text its hash covers; a restart resumes after the server's last seq", async () => {
    const st = auditStation('audit_a');
    // More than two batches, with details of every shape the station writes.
    for (let i = 1; i <= 1100; i++)
      st.log.append({
        actor: i % 3 ? 'SUP-1' : 'token:mes',
        action: i % 2 ? 'upload.retry' : 'procedure.changed',
        procedureId: i % 5 ? null : 'board-a',
        details: i % 7 ? { i, b: 'x', a: [1, 'é'] } : undefined,
      });
    await st.uploader.drainAudit();
    let rows = await auditRows('audit_a');
    expect(rows).toHaveLength(1100);
    expect(chainProblems(rows)).toEqual([]);
    // The stored text is kept as it was (key order and all); details is the same as jsonb.
    expect(rows[0]).toMatchObject({
      actor: 'SUP-1',
      action: 'upload.retry',
      details_text: '{"i":1,"b":"x","a":[1,"é"]}',
      details: { i: 1, b: 'x', a: [1, 'é'] },
    });
    expect(rows[6]).toMatchObject({ details_text: 'null', details: null });
    expect(rows[4]!.procedure_id).toBe('board-a');
    // The plant's copy equals the station's trail, entry for entry.
    expect(rows.map((r) => r.hash)).toEqual(st.log.after(0, 2000).map((e) => e.hash));

    // New entries go as they are written.
    st.log.append({ actor: 'SUP-2', action: 'store.backup', details: { bytes: 1 } });
    await st.uploader.drainAudit();
    expect(await sql(`SELECT count(*)::int AS n FROM audit_a.audit`)).toEqual([{ n: 1101 }]);

    // The station restarts on its data folder: it resumes after the server's last seq.
    await st.close();
    const again = auditStation('audit_a', { dataDir: st.dataDir });
    again.log.append({ actor: 'SUP-2', action: 'store.backup', details: { bytes: 2 } });
    await again.uploader.drainAudit();
    rows = await auditRows('audit_a');
    expect(rows).toHaveLength(1102);
    expect(chainProblems(rows)).toEqual([]);

    // Another station on the same schema keeps its own seqs.
    const other = auditStation('audit_a', { stationId: 'ST-2' });
    other.log.append({ actor: 'SUP-9', action: 'store.backup' });
    await other.uploader.drainAudit();
    expect(await sql(`SELECT station_id, count(*)::int AS n FROM audit_a.audit GROUP BY station_id ORDER BY 1`)).toEqual([
      { station_id: 'ST-1', n: 1102 },
      { station_id: 'ST-2', n: 1 },
    ]);
  }, 60_000);

  test('the server goes away: the trail waits, with the reason, and catches up when it is back', async () => {
    const st = auditStation('audit_b', { timeoutMs: 2000, retry: { firstDelayMs: 50, maxDelayMs: 200 } });
    st.log.append({ actor: 'SUP-1', action: 'upload.retry' });
    await st.uploader.drainAudit();
    server.kill();
    try {
      for (let i = 0; i < 30; i++) st.log.append({ actor: 'SUP-1', action: 'upload.drop', details: { i } });
      await expect(st.uploader.drainAudit(1500)).rejects.toThrow(
        /^audit trail not shipped to PostgreSQL 127\.0\.0\.1:\d+\/postgres \(schema audit_b\) within 1500 ms: /,
      );
      expect(st.logs.some((l) => /^warning: audit trail to PostgreSQL .*\(schema audit_b\) failed \(attempt 1\): /.test(l))).toBe(true);
    } finally {
      server.start();
    }
    await st.uploader.drainAudit(30_000);
    const rows = await auditRows('audit_b');
    expect(rows).toHaveLength(31);
    expect(chainProblems(rows)).toEqual([]);
  }, 60_000);

  test('a schema version 1 (runs only) is upgraded to the latest on connect, its runs kept; a newer one is refused', async () => {
    // The schema as the version before left it: no audit table, version 1, a run in it.
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      await c.query(schemaDdl('plant_v1'));
      await c.query(`DROP TABLE plant_v1.audit; UPDATE plant_v1.schema_info SET value = '1'`);
      await c.query(`INSERT INTO plant_v1.runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome, record)
        VALUES ('old-run', 'ST-1', 0, '0.0.9', 'p', 'P', '1', 'h', 'SN-OLD', now(), 'PASS', '{}')`);
      await c.query(schemaDdl('plant_v9'));
      await c.query(`UPDATE plant_v9.schema_info SET value = '9'`);
    } finally {
      await c.end();
    }
    const st = auditStation('plant_v1');
    st.log.append({ actor: 'SUP-1', action: 'calibration.set', details: { serial: 'SIM0002' } });
    await st.uploader.drainAudit();
    expect(await sql(`SELECT value FROM plant_v1.schema_info WHERE key = 'version'`)).toEqual([{ value: String(PG_SCHEMA_VERSION) }]);
    expect(await sql(`SELECT version, applied_by FROM plant_v1.schema_migrations ORDER BY version`)).toEqual([
      { version: 1, applied_by: 'found at version 1' },
      ...PG_MIGRATIONS.slice(1).map((m) => ({ version: m.version, applied_by: expect.stringMatching(/^station /) as unknown })),
    ]);
    expect(await sql(`SELECT serial_number FROM plant_v1.runs`)).toEqual([{ serial_number: 'SN-OLD' }]);
    expect((await auditRows('plant_v1')).map((r) => [r.seq, r.action])).toEqual([['1', 'calibration.set']]);

    const newer = auditStation('plant_v9');
    newer.log.append({ actor: 'SUP-1', action: 'store.backup' });
    await expect(newer.uploader.drainAudit(1000)).rejects.toThrow(/schema plant_v9 is at version 9, written by a newer Passline \(this one writes \d+\)/);
    // Left as the newer Passline wrote it: nothing written into it.
    expect(await sql(`SELECT (SELECT count(*)::int FROM plant_v9.audit) AS entries, (SELECT value FROM plant_v9.schema_info) AS v`)).toEqual([
      { entries: 0, v: '9' },
    ]);
  }, 60_000);

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
