import type pg from 'pg';
import { PG_MIGRATIONS } from './pg-migrations/index.ts';

/**
 * The plant database's schema, grown by numbered migrations (pg-migrations/NNNN-name.ts).
 * Whichever process connects first (a station's PostgreSQL target, the plant process) brings
 * the schema up to date; several at once wait on one advisory lock, and the one that gets it
 * applies every pending step in one transaction, so the others find the work done. Each step is
 * recorded in `schema_migrations` once; `schema_info.version` is the last applied.
 */

export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS.at(-1)!.version;

export interface MigrateResult {
  /** The version found (0: a new schema). */
  from: number;
  to: number;
  /** The versions this call applied (empty: another process had, or nothing was pending). */
  applied: number[];
}

/** The advisory lock every migration of `schema` takes (pg_advisory_xact_lock(hashtext(key))). */
export const migrationLockKey = (schema: string): string => `passline.schema.${schema}`;

/** Schema names are checked by the target's settings schema; a plant process's `--schema` the same way. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function migrateSchema(client: pg.ClientBase, schema: string, appliedBy: string): Promise<MigrateResult> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema ${JSON.stringify(schema)}: expected a lower-case SQL identifier (letters, digits, _)`);
  const s = schema;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [migrationLockKey(s)]);
    const present = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${s}.schema_info`]);
    let from = 0;
    if (present.rows[0]?.ok) {
      const found = await client.query<{ value: string }>(`SELECT value FROM ${s}.schema_info WHERE key = 'version'`);
      from = Number(found.rows[0]?.value ?? 0);
    }
    if (from > PG_SCHEMA_VERSION) throw new Error(`schema ${s} is at version ${from}, written by a newer Passline (this one writes ${PG_SCHEMA_VERSION})`);
    if (from === PG_SCHEMA_VERSION) {
      await client.query('COMMIT');
      return { from, to: from, applied: [] };
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_info (key text PRIMARY KEY, value text NOT NULL)`);
    const logged = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${s}.schema_migrations`]);
    if (!logged.rows[0]?.ok) {
      await client.query(
        `CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)`,
      );
      // Versions applied before migrations were logged (a schema from Passline ≤ 0.1 says only "version 2").
      for (const m of PG_MIGRATIONS.filter((x) => x.version <= from))
        await client.query(`INSERT INTO ${s}.schema_migrations (version, name, applied_by) VALUES ($1, $2, $3)`, [
          m.version,
          m.name,
          `found at version ${from}`,
        ]);
    }
    const applied: number[] = [];
    for (const m of PG_MIGRATIONS) {
      if (m.version <= from) continue;
      await client.query(m.sql(s));
      // A plain INSERT: a second application of one version is an error, never a silent repeat.
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name, applied_by) VALUES ($1, $2, $3)`, [m.version, m.name, appliedBy]);
      applied.push(m.version);
    }
    await client.query(`INSERT INTO ${s}.schema_info (key, value) VALUES ('version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      String(PG_SCHEMA_VERSION),
    ]);
    await client.query('COMMIT');
    return { from, to: PG_SCHEMA_VERSION, applied };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** The schema as Passline 0.1 created it in one go (versions 1 and 2), for tests that start from an old schema. */
export function schemaV2Ddl(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.schema_info (key text PRIMARY KEY, value text NOT NULL);
${PG_MIGRATIONS.filter((m) => m.version <= 2)
  .map((m) => m.sql(s))
  .join('\n')}
INSERT INTO ${s}.schema_info (key, value) VALUES ('version', '2') ON CONFLICT (key) DO NOTHING;
`;
}
