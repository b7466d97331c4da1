/**
 * The plant database's numbered migrations (electron/station/uploader/pg-migrate.ts) on a real
 * PostgreSQL server: several processes racing to apply them to a new schema, an existing
 * version-2 schema (what stations wrote before) brought up with its runs kept and still written
 * by the station's own statement, and the NOTIFY a write sends to the plant process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { PG_SCHEMA_VERSION, migrateSchema, schemaV2Ddl } from '#station/uploader/pg-migrate.ts';
import { PG_MIGRATIONS } from '#station/uploader/pg-migrations/index.ts';
import { insertSql } from '#station/uploader/postgres-sink.ts';
import { plainRun } from '../helpers/run-records.ts';

const CHILD = join(REPO_ROOT, 'test/helpers/pg-migrate-child.ts');

let server: Postgres;
beforeAll(async () => {
  server = await startPostgres({ fsync: false });
}, 60_000);
afterAll(() => server?.stop());

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(server.url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** N processes connect, then all migrate `schema` at the same moment. */
async function race(schema: string, n: number): Promise<{ ok: boolean; applied?: number[]; from?: number; error?: string }[]> {
  const children = Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, server.url, schema, `racer-${i}`], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const connected = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('connected')) resolve();
      }),
    );
    const done = new Promise<string>((resolve) => child.once('exit', () => resolve(out)));
    return { child, connected, done };
  });
  await Promise.all(children.map((c) => c.connected));
  for (const c of children) c.child.stdin.end('go\n');
  const outs = await Promise.all(children.map((c) => c.done));
  return outs.map((o) => JSON.parse(o.trim().split('\n').at(-1)!) as { ok: boolean; applied?: number[] });
}

describe('plant schema migrations', () => {
  test('four processes racing on a new schema: one applies every version once, the others find it done', async () => {
    const results = await race('race_a', 4);
    expect(results.every((r) => r.ok)).toBe(true);
    const appliers = results.filter((r) => (r.applied ?? []).length > 0);
    expect(appliers).toHaveLength(1);
    expect(appliers[0]!.applied).toEqual(PG_MIGRATIONS.map((m) => m.version));
    const rows = await withClient(async (c) => (await c.query('SELECT version, name FROM race_a.schema_migrations ORDER BY version')).rows);
    expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const v = await withClient(async (c) => (await c.query(`SELECT value FROM race_a.schema_info WHERE key = 'version'`)).rows);
    expect(v).toEqual([{ value: String(PG_SCHEMA_VERSION) }]);
  }, 60_000);

  test('an existing version-2 schema races up to the latest with its runs kept, and the station statement still writes', async () => {
    await withClient(async (c) => {
      await c.query(schemaV2Ddl('race_b'));
      await c.query(insertSql('race_b'), [JSON.stringify([plainRun('SN-OLD-1')])]);
    });
    const results = await race('race_b', 3);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => (r.applied ?? []).length > 0).map((r) => r.applied)).toEqual([[3, 4]]);
    await withClient(async (c) => {
      expect((await c.query('SELECT version, applied_by FROM race_b.schema_migrations WHERE version <= 2 ORDER BY 1')).rows).toEqual([
        { version: 1, applied_by: 'found at version 2' },
        { version: 2, applied_by: 'found at version 2' },
      ]);
      await c.query(insertSql('race_b'), [JSON.stringify([plainRun('SN-NEW-1')])]);
      expect((await c.query('SELECT serial_number FROM race_b.runs ORDER BY 1')).rows).toEqual([{ serial_number: 'SN-NEW-1' }, { serial_number: 'SN-OLD-1' }]);
      const indexes = (await c.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'race_b' AND tablename = 'runs' ORDER BY 1`)).rows;
      expect(indexes.map((r: { indexname: string }) => r.indexname)).toEqual([
        'runs_pkey',
        'runs_procedure',
        'runs_serial',
        'runs_serial_prefix',
        'runs_started',
        'runs_station',
      ]);
    });
  }, 60_000);

  test('a newer schema is refused without a change; a bad schema name is refused before any SQL', async () => {
    await withClient(async (c) => {
      await migrateSchema(c, 'race_c', 'test');
      await c.query(`UPDATE race_c.schema_info SET value = '99' WHERE key = 'version'`);
      await expect(migrateSchema(c, 'race_c', 'test')).rejects.toThrow(/schema race_c is at version 99, written by a newer Passline/);
      await expect(migrateSchema(c, 'Bad-Name; DROP', 'test')).rejects.toThrow(/expected a lower-case SQL identifier/);
    });
  });

  test('a batch of runs is one NOTIFY on passline_plant:<schema>, naming its stations and serials', async () => {
    await withClient(async (c) => {
      await migrateSchema(c, 'race_d', 'test');
      const listener = new pg.Client(server.url);
      await listener.connect();
      try {
        const got: string[] = [];
        listener.on('notification', (n) => got.push(n.payload ?? ''));
        await listener.query('LISTEN "passline_plant:race_d"');
        const a = { ...plainRun('SN-N-1'), stationId: 'ST-A' };
        const b = { ...plainRun('SN-N-2'), stationId: 'ST-B' };
        await c.query(insertSql('race_d'), [JSON.stringify([a, b])]);
        await expect.poll(() => got.length).toBe(1);
        expect(JSON.parse(got[0]!)).toEqual({ t: 'runs', stations: ['ST-A', 'ST-B'], serials: ['SN-N-1', 'SN-N-2'] });
      } finally {
        await listener.end();
      }
    });
  });
});
