import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { RunRecord } from '#contract/records.ts';
import type { PostgresTarget } from './targets.ts';
import { PG_SCHEMA_VERSION, migrateSchema, schemaV2Ddl } from './pg-migrate.ts';
import { delivered, messageOf, park, retryRun, retryTarget, type Delivery, type Sink } from './sink.ts';

/**
 * PostgreSQL, the fleet's shared database. The schema (docs/formats.md) is brought up to
 * date on first use by numbered migrations under an advisory lock (pg-migrate.ts), so
 * stations starting together do not race. A run
 * is written by one statement keyed by its id (`ON CONFLICT (id) DO NOTHING`): the
 * run, its phases and its measurements arrive together or not at all, and a run
 * written twice (after a crash) is still there once. Many stations write to one
 * server; the run id (UUIDv7) is unique across them.
 */

/** The schema version this Passline writes (pg-migrate.ts); re-exported for the sink's callers. */
export { PG_SCHEMA_VERSION };

/** The schema as it was at version 2 (runs, phases, measurements, audit): tests start old schemas from it. */
export const schemaDdl = schemaV2Ddl;

/**
 * One statement for a batch of runs ($1: a JSON array of records): each run's row, phases
 * and measurements from its JSON, all or nothing, each run once per id (a run already
 * there is left as it is, and so are its phases and measurements).
 */
export function insertSql(s: string): string {
  return `
WITH recs AS (SELECT r FROM jsonb_array_elements($1::jsonb) AS r),
run AS (
  INSERT INTO ${s}.runs (id, station_id, socket, operator_id, app_version, procedure_id, procedure_name, procedure_version, procedure_hash,
    serial_number, part_number, revision, batch, started_at, ended_at, duration_ms, outcome, outcome_reason, record)
  SELECT r->>'id', r->>'stationId', (r->>'socket')::integer, r->>'operatorId', r->>'appVersion',
    r->'procedure'->>'id', r->'procedure'->>'name', r->'procedure'->>'version', r->'procedure'->>'hash',
    r->'unit'->>'serialNumber', r->'unit'->>'partNumber', r->'unit'->>'revision', r->'unit'->>'batch',
    (r->>'startedAt')::timestamptz, (r->>'endedAt')::timestamptz, (r->>'durationMs')::double precision, r->>'outcome', r->>'outcomeReason', r
  FROM recs
  ON CONFLICT (id) DO NOTHING
  RETURNING id
),
rec AS (SELECT recs.r, run.id FROM recs JOIN run ON run.id = recs.r->>'id'),
ph AS (
  INSERT INTO ${s}.phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, failure_code, error, params, logs)
  SELECT rec.id, (p->>'index')::integer, (p->>'attempt')::integer, p->>'name', p->>'group', p->>'outcome',
    (p->>'startedAt')::timestamptz, (p->>'endedAt')::timestamptz, (p->>'durationMs')::double precision,
    p->>'failureCode', p->'error', p->'params', p->'logs'
  FROM rec, jsonb_array_elements(rec.r->'phases') AS p
),
ms AS (
  INSERT INTO ${s}.measurements (run_id, phase_idx, attempt, pos, phase, name, outcome, value_num, value_text, value_bool, value_json,
    units, lower_limit, upper_limit, marginal, reason, failure_code, validator)
  SELECT rec.id, (p->>'index')::integer, (p->>'attempt')::integer, (m.ord - 1)::integer, p->>'name', m.v->>'name', m.v->>'outcome',
    CASE jsonb_typeof(m.v->'value') WHEN 'number' THEN (m.v->>'value')::double precision END,
    CASE jsonb_typeof(m.v->'value') WHEN 'string' THEN m.v->>'value' END,
    CASE jsonb_typeof(m.v->'value') WHEN 'boolean' THEN (m.v->>'value')::boolean END,
    CASE jsonb_typeof(m.v->'value') WHEN 'array' THEN m.v->'value' END,
    m.v->>'units',
    CASE WHEN m.v->'validator'->>'kind' = 'range' THEN (m.v->'validator'->>'lower')::double precision END,
    CASE WHEN m.v->'validator'->>'kind' = 'range' THEN (m.v->'validator'->>'upper')::double precision END,
    (m.v->>'marginal')::boolean, m.v->>'reason', m.v->>'failureCode', m.v->'validator'
  FROM rec, jsonb_array_elements(rec.r->'phases') AS p, jsonb_array_elements(p->'measurements') WITH ORDINALITY AS m(v, ord)
)
SELECT count(*)::integer AS inserted FROM run`;
}

/**
 * One statement for a batch of audit entries ($1 the station, $2 a JSON array of entries
 * with their stored details text): each (station, seq) once, an entry already there left
 * as it is. `details_text` is the text the entry's hash covers; `details` is it as jsonb.
 */
export function auditInsertSql(s: string): string {
  return `
INSERT INTO ${s}.audit (station_id, seq, at, actor, action, procedure_id, details, details_text, prev_hash, hash)
SELECT $1, e.seq, e.at::timestamptz, e.actor, e.action, e."procedureId", e."detailsText"::jsonb, e."detailsText", e."prevHash", e.hash
FROM jsonb_to_recordset($2::jsonb) AS e(seq bigint, at text, actor text, action text, "procedureId" text, "detailsText" text, "prevHash" text, hash text)
ON CONFLICT (station_id, seq) DO NOTHING`;
}

/** An audit entry as shipped: the stored details text, not the parsed details. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  procedureId: string | null;
  detailsText: string | null;
  prevHash: string;
  hash: string;
}

/** SQLSTATE classes that describe this record's data: the same record fails the same way again. */
const DATA_CLASSES = new Set(['22', '23']);

/** pg (some 40 modules) when a PostgreSQL target is set up, not at every start. */
const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export class PostgresSink implements Sink {
  readonly label: string;
  readonly batchSize: number;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly insert: string;
  private ready: Promise<void> | null = null;

  /** Who applies migrations, as `schema_migrations.applied_by` names it. */
  stationId: string | undefined;
  appVersion: string | undefined;

  constructor(target: PostgresTarget, log: (message: string) => void, who?: { stationId?: string | undefined; appVersion?: string | undefined }) {
    this.stationId = who?.stationId;
    this.appVersion = who?.appVersion;
    this.schema = target.schema;
    this.batchSize = target.batchSize;
    this.insert = insertSql(target.schema);
    let where = 'postgres';
    try {
      const u = new URL(target.connectionString);
      where = `${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      /* keep the generic label: never show the string, it may hold a password */
    }
    this.label = `PostgreSQL ${where} (schema ${target.schema})`;
    const ssl = target.caFile ? { ca: readFileSync(target.caFile, 'utf8'), rejectUnauthorized: true } : undefined;
    this.pool = new (loadPg().Pool)({
      connectionString: target.connectionString,
      max: target.concurrency,
      connectionTimeoutMillis: target.timeoutMs,
      query_timeout: target.timeoutMs,
      statement_timeout: target.timeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'passline',
      ...(ssl ? { ssl } : {}),
    });
    // An idle connection the server drops (restart, failover) must not take the station down.
    this.pool.on('error', (e) => log(`${this.label}: idle connection lost: ${e.message}`));
  }

  /** Brings the schema up to date once per station start (pg-migrate.ts: numbered migrations under one advisory lock). */
  private ensureSchema(): Promise<void> {
    this.ready ??= (async () => {
      const client = await this.pool.connect();
      const lost = (): void => {};
      client.on('error', lost);
      try {
        await migrateSchema(client, this.schema, `station ${this.stationId ?? '?'} (Passline ${this.appVersion ?? '?'})`);
      } finally {
        client.off('error', lost);
        client.release();
      }
    })().catch((e: unknown) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  /** The connection pool, shared with the station's state shipper (state-shipper.ts). */
  get db(): pg.Pool {
    return this.pool;
  }

  get schemaName(): string {
    return this.schema;
  }

  /** Resolves once the schema is current (for the shippers that write beside the runs). */
  schemaReady(): Promise<void> {
    return this.ensureSchema();
  }

  async deliver(rec: RunRecord): Promise<Delivery> {
    return (await this.deliverMany([rec]))[0]!;
  }

  /** Runs in one statement (one transaction, one commit). A run the database refuses is found by writing the batch one by one. */
  async deliverMany(recs: readonly RunRecord[]): Promise<Delivery[]> {
    const d = await this.write(recs);
    if (d.ok || !d.park || recs.length === 1) return recs.map(() => d);
    const out: Delivery[] = [];
    for (const r of recs) out.push(await this.write([r]));
    return out;
  }

  private async write(recs: readonly RunRecord[]): Promise<Delivery> {
    try {
      await this.ensureSchema();
      await this.pool.query(this.insert, [JSON.stringify(recs)]);
      return delivered;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const code = typeof err.code === 'string' ? err.code : '';
      const text = `${this.label}: ${messageOf(e)}${code ? ` (${code})` : ''}`;
      if (/^[0-9A-Z]{5}$/.test(code)) {
        if (DATA_CLASSES.has(code.slice(0, 2))) return park(text);
        // Deadlock, serialization failure: this statement only.
        if (code.startsWith('40')) return retryRun(text);
      }
      return retryTarget(text);
    }
  }

  /** The highest audit seq the server holds for a station (0: none yet). */
  async auditMaxSeq(stationId: string): Promise<number> {
    await this.ensureSchema();
    const r = await this.pool.query<{ s: string | null }>(`SELECT max(seq)::text AS s FROM ${this.schema}.audit WHERE station_id = $1`, [stationId]);
    return Number(r.rows[0]?.s ?? 0);
  }

  /** Writes audit entries in one statement; returns how many were new. */
  async writeAudit(stationId: string, rows: readonly AuditRow[]): Promise<number> {
    await this.ensureSchema();
    const r = await this.pool.query(auditInsertSql(this.schema), [stationId, JSON.stringify(rows)]);
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
