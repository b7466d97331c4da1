/**
 * The station database on real SQLite files: migrations, refusal of a newer
 * schema, a damaged file moved aside, the run journal and the transactional outbox.
 */
import { salvageMessage } from '#station/store/salvage.ts';
import type { StationEvent } from '#contract/events.ts';
import { afterEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StationFault } from '#contract/errors.ts';
import { DB_FILE, SCHEMA_VERSION, migrate, migrations, openDatabase, openStore } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { InventoryRepo } from '#station/store/inventory-repo.ts';
import { indexBehind, indexFinishedRuns, readMeasure } from '#station/stats/stat-writer.ts';
import { phase, runStart } from '../helpers/records.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function freshDir(): string {
  const t = tempDir('passline-store-');
  cleanups.push(t.remove);
  return t.dir;
}

function open(dir: string): { db: DatabaseSync; repo: RunsRepo } {
  const db = openDatabase(dir);
  cleanups.push(() => db.isOpen && db.close());
  return { db, repo: new RunsRepo(db) };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const userVersion = (db: DatabaseSync) => Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
const tables = (db: DatabaseSync) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const columns = (db: DatabaseSync, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

/**
 * One entry per migration: what to seed at the version before it, and what must hold
 * after it. A migration added without an entry here fails the coverage test below.
 */
const MIGRATION_TESTS: Record<number, { seed(db: DatabaseSync): void; check(db: DatabaseSync): void }> = {
  10: {
    seed: () => {
      /* the first migration starts from an empty file */
    },
    check: (db) => {
      // Later migrations' seeds call this check too, with their own tables beside these.
      expect(tables(db)).toEqual(expect.arrayContaining(['audit', 'events', 'failures', 'outbox', 'phases', 'runs']));
      expect(columns(db, 'runs')).toEqual(
        expect.arrayContaining(['id', 'serial_number', 'procedure_hash', 'started_at', 'ended_at', 'outcome', 'outcome_reason']),
      );
      expect(columns(db, 'outbox')).toEqual(expect.arrayContaining(['run_id', 'target', 'state', 'attempts']));
      // The new tables take a run and its phase (raw SQL: later migrations change what the repo writes).
      db.exec(`INSERT INTO runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome)
        VALUES ('r1', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SEED-1', '2026-01-01T00:00:00.000Z', 'RUNNING')`);
      db.exec(`INSERT INTO phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs)
        VALUES ('r1', 0, 1, 'p0', 'main', 'PASS', 't', 't', 1, '[]', '[]')`);
      expect(db.prepare('SELECT count(*) AS n FROM phases').get()).toEqual({ n: 1 });
    },
  },
  20: {
    seed: (db) => {
      // A run journaled by the version before: no params, no failure codes.
      MIGRATION_TESTS[10]!.check(db);
      db.exec(`INSERT INTO failures (run_id, phase, measurement, outcome, reason) VALUES ('r1', 'p0', 'v', 'FAIL', 'too low')`);
    },
    check: (db) => {
      // Raw SQL only: the repo follows the latest schema, a migration's test must not.
      expect(columns(db, 'phases')).toEqual(expect.arrayContaining(['params', 'failure_code']));
      expect(columns(db, 'failures')).toContain('failure_code');
      // Rows written before keep their values, with nothing invented for the new columns.
      expect(db.prepare("SELECT name, params, failure_code FROM phases WHERE run_id = 'r1'").get()).toEqual({ name: 'p0', params: null, failure_code: null });
      expect(db.prepare("SELECT reason, failure_code FROM failures WHERE run_id = 'r1'").get()).toEqual({ reason: 'too low', failure_code: null });
      db.exec(`INSERT INTO phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs, params, failure_code)
        VALUES ('r1', 1, 1, 'rail[rail=3V3]', 'main', 'FAIL', 't', 't', 1, '[]', '[]', '{"rail":"3V3"}', 'RAIL')`);
      expect(db.prepare('SELECT params, failure_code FROM phases WHERE idx = 1').get()).toEqual({ params: '{"rail":"3V3"}', failure_code: 'RAIL' });
    },
  },
  50: {
    seed: (db) => {
      MIGRATION_TESTS[20]!.seed(db);
      MIGRATION_TESTS[20]!.check(db);
    },
    check: (db) => {
      expect(columns(db, 'phases')).toContain('attachments');
      expect(tables(db)).toContain('attachments');
      const indexes = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'runs'").all() as { name: string }[]).map((r) => r.name);
      expect(indexes).toEqual(expect.arrayContaining(['runs_part', 'runs_procedure', 'runs_operator']));
      expect(db.prepare("SELECT count(*) AS n FROM phases WHERE run_id = 'r1'").get()).toEqual({ n: 2 });
      // A search by part number reads the new index.
      const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM runs WHERE part_number = 'X' ORDER BY started_at DESC").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toContain('runs_part');
    },
  },
  40: {
    seed: (db) => {
      // A run queued by the version before: an outbox row with only state and attempts.
      MIGRATION_TESTS[10]!.check(db);
      db.exec(`INSERT INTO outbox (run_id, target, created_at) VALUES ('r1', 'mes', '2026-01-01T00:00:01.000Z')`);
    },
    check: (db) => {
      expect(columns(db, 'outbox')).toEqual(expect.arrayContaining(['next_attempt_at', 'last_error', 'remote_ref', 'updated_at']));
      // The old row is due at once, with nothing invented.
      expect(db.prepare('SELECT state, attempts, next_attempt_at, last_error, remote_ref FROM outbox').get()).toEqual({
        state: 'pending',
        attempts: 0,
        next_attempt_at: 0,
        last_error: null,
        remote_ref: null,
      });
      const plan = (
        db
          .prepare(`EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE target = 'mes' AND state = 'pending' AND next_attempt_at <= 5 ORDER BY next_attempt_at, id`)
          .all() as { detail: string }[]
      )
        .map((r) => r.detail)
        .join('; ');
      expect(plan).toContain('outbox_due');
      const indexes = (
        db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL ORDER BY name`).all() as { name: string }[]
      ).map((r) => r.name);
      expect(indexes).toEqual(['outbox_due', 'outbox_state_run', 'outbox_state_target']);
    },
  },
  60: {
    seed: (db) => {
      MIGRATION_TESTS[10]!.check(db);
    },
    check: (db) => {
      expect(tables(db)).toContain('calibration');
      const inv = new InventoryRepo(db);
      // The inventory starts empty; an entry is keyed by maker, model and serial (raw SQL: the repo's
      // setCalibration writes the chained audit trail of 0120; audit.test.ts checks that it is audited).
      expect(inv.listCalibration()).toEqual([]);
      const upsert = db.prepare(`INSERT INTO calibration (maker, model, serial, due_date, note, updated_at, updated_by) VALUES (?,?,?,?,?,?,?)
        ON CONFLICT (maker, model, serial) DO UPDATE SET due_date = excluded.due_date, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
      upsert.run('Passline Sim', 'PSU-3303S', 'SIM0002', '2020-01-31', null, '2026-01-01T00:00:00.000Z', 'SUP-1');
      upsert.run('Passline Sim', 'PSU-3303S', 'SIM0002', '2030-01-31', 'recalibrated', '2026-01-02T00:00:00.000Z', 'SUP-2');
      expect(inv.listCalibration()).toEqual([expect.objectContaining({ serial: 'SIM0002', dueDate: '2030-01-31', note: 'recalibrated', updatedBy: 'SUP-2' })]);
      expect(() => upsert.run('Passline Sim', 'PSU-3303S', null, '2030-01-31', null, 't', 'SUP-3')).toThrow(/NOT NULL/);
      // The run seeded before is untouched.
      expect(db.prepare("SELECT serial_number FROM runs WHERE id = 'r1'").get()).toEqual({ serial_number: 'SEED-1' });
    },
  },
  61: {
    seed: (db) => {
      db.exec(`INSERT INTO runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome)
        VALUES ('r1', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SEED-1', '2026-01-01T00:00:00.000Z', 'RUNNING')`);
      db.exec(`INSERT INTO runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome)
        VALUES ('r2', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SEED-1', '2026-01-01T01:00:00.000Z', 'FAIL'),
               ('r3', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SEED-1', '2026-01-01T02:00:00.000Z', 'PASS'),
               ('r4', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SEED-1', '2026-01-01T03:00:00.000Z', 'FAIL')`);
    },
    check: (db) => {
      expect(tables(db)).toContain('run_annotations');
      const inv = new InventoryRepo(db);
      // Runs journaled before count towards the retest rules.
      expect(inv.attempts('SEED-1', 'p')).toEqual({ total: 3, failedSinceLastPass: 1, lastPassAt: '2026-01-01T02:00:00.000Z' });
      expect(inv.attempts('SEED-1', 'other')).toEqual({ total: 0, failedSinceLastPass: 0, lastPassAt: null });
      expect(inv.annotations('r1')).toEqual({});
      const override = { kind: 'calibration.overdue' as const, by: 'SUP-1', at: '2026-01-02T00:00:00.000Z', message: 'psu was due 2025-12-31' };
      inv.annotate('r4', { overrides: [override], fixtureId: 'FX-7' });
      expect(inv.annotations('r4')).toEqual({ overrides: [override], fixtureId: 'FX-7' });
    },
  },
  70: {
    seed: (db) => {
      MIGRATION_TESTS[20]!.seed(db);
      MIGRATION_TESTS[20]!.check(db);
      db.exec(`UPDATE phases SET attachments = '[{"name":"scope.png"}]', error = '{"kind":"exception","message":"x"}' WHERE idx = 1`);
    },
    check: (db) => {
      // An ordinary table now (big rows stay in their page), keyed as before.
      const sql = String((db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'phases'").get() as { sql: string }).sql);
      expect(sql).not.toMatch(/WITHOUT ROWID/i);
      expect(columns(db, 'phases')).toEqual([
        'run_id',
        'idx',
        'attempt',
        'name',
        'grp',
        'outcome',
        'started_at',
        'ended_at',
        'duration_ms',
        'measurements',
        'logs',
        'error',
        'params',
        'failure_code',
        'attachments',
      ]);
      // Every phase written before is there, every column kept.
      expect(db.prepare("SELECT idx, name, params, failure_code, error, attachments FROM phases WHERE run_id = 'r1' ORDER BY idx").all()).toEqual([
        { idx: 0, name: 'p0', params: null, failure_code: null, error: null, attachments: null },
        {
          idx: 1,
          name: 'rail[rail=3V3]',
          params: '{"rail":"3V3"}',
          failure_code: 'RAIL',
          error: '{"kind":"exception","message":"x"}',
          attachments: '[{"name":"scope.png"}]',
        },
      ]);
      // Still one row per (run, phase, attempt), and still deleted with its run.
      expect(() =>
        db.exec(
          `INSERT INTO phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs) VALUES ('r1', 0, 1, 'again', 'main', 'PASS', 't', 't', 1, '[]', '[]')`,
        ),
      ).toThrow(/UNIQUE/);
      db.exec('PRAGMA foreign_keys = ON');
      db.exec("DELETE FROM runs WHERE id = 'r1'");
      expect(db.prepare('SELECT count(*) AS n FROM phases').get()).toEqual({ n: 0 });
    },
  },
  90: {
    seed: (db) => {
      MIGRATION_TESTS[70]!.seed(db);
      migrate(db, 70);
      db.exec(`INSERT INTO runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome)
        VALUES ('r2', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'demo-10001', '2026-01-01T01:00:00.000Z', 'PASS'),
               ('r3', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SEED-1', '2026-01-01T02:00:00.000Z', 'PASS')`);
    },
    check: (db) => {
      // The serials stored before are searchable, once each, in any case.
      const found = (text: string) =>
        (db.prepare('SELECT serial FROM serial_search WHERE serial_search MATCH ? ORDER BY serial').all(`"${text}"`) as { serial: string }[]).map(
          (r) => r.serial,
        );
      expect(found('seed')).toEqual(['SEED-1']);
      expect(found('0001')).toEqual(['demo-10001']);
      // A new run adds its serial; a second run of the same serial adds nothing.
      db.exec(`INSERT INTO runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome)
        VALUES ('r4', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'DEMO-0001', '2026-01-01T03:00:00.000Z', 'PASS'),
               ('r5', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'DEMO-0001', '2026-01-01T04:00:00.000Z', 'FAIL')`);
      expect(found('0001')).toEqual(['DEMO-0001', 'demo-10001']);
      expect(db.prepare('SELECT count(*) AS n FROM serial_search').get()).toEqual({ n: 3 });
    },
  },
  100: {
    seed: (db) => {
      // A run stored before: its hash covered procedure.yaml and phases.ts, and nobody listed them.
      MIGRATION_TESTS[10]!.check(db);
    },
    check: (db) => {
      expect(columns(db, 'runs')).toContain('procedure_files');
      expect(db.prepare("SELECT procedure_hash, procedure_files FROM runs WHERE id = 'r1'").get()).toEqual({ procedure_hash: 'h', procedure_files: null });
      // Read through the repo, the old run has no file list (not an empty one).
      expect(new RunsRepo(db).getRun('r1').procedure).toEqual({ id: 'p', name: 'P', version: '1', hash: 'h' });
    },
  },
  110: {
    seed: (db) => {
      MIGRATION_TESTS[10]!.check(db);
    },
    check: (db) => {
      expect(tables(db)).toEqual(expect.arrayContaining(['people', 'api_tokens']));
      db.exec(`INSERT INTO people (badge, name, role, created_at, updated_at) VALUES ('B-1', 'Ana', 'supervisor', 't', 't')`);
      // A role outside the fixed set, or a second token with the same secret, never lands.
      expect(() => db.exec(`INSERT INTO people (badge, name, role, created_at, updated_at) VALUES ('B-2', 'X', 'root', 't', 't')`)).toThrow(/CHECK/);
      db.exec(`INSERT INTO api_tokens (id, name, scope, secret_hash, created_at, created_by) VALUES ('t1', 'mes', 'runs:read', 'h1', 't', 'B-1')`);
      expect(() =>
        db.exec(`INSERT INTO api_tokens (id, name, scope, secret_hash, created_at, created_by) VALUES ('t2', 'x', 'operate', 'h1', 't', 'B-1')`),
      ).toThrow(/UNIQUE/);
      expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    },
  },
  120: {
    seed: (db) => {
      // The trail as the versions before wrote it: no hashes, one row with no details at all.
      db.exec(`INSERT INTO audit (ts, actor, action, details) VALUES
        ('2026-01-01T00:00:00.000Z', 'SUP-1', 'calibration.set', '{"serial":"SIM0002","dueDate":"2030-01-31"}'),
        ('2026-01-01T00:01:00.000Z', 'sup-anna', 'upload.retry', '{"target":"mes","rows":[]}'),
        ('2026-01-01T00:02:00.000Z', 'station', 'operator.logout', NULL)`);
    },
    check: (db) => {
      expect(columns(db, 'audit')).toEqual(['id', 'ts', 'actor', 'action', 'details', 'procedure_id', 'prev_hash', 'hash']);
      const rows = db.prepare('SELECT id, ts, actor, action, procedure_id, details, prev_hash, hash FROM audit ORDER BY id').all() as {
        id: number;
        ts: string;
        actor: string;
        action: string;
        procedure_id: string | null;
        details: string | null;
        prev_hash: string;
        hash: string;
      }[];
      // The old rows kept their content; the chaining is the fourth entry, saying how many it chained.
      expect(rows.map((r) => [r.id, r.actor, r.action, r.details])).toEqual([
        [1, 'SUP-1', 'calibration.set', '{"serial":"SIM0002","dueDate":"2030-01-31"}'],
        [2, 'sup-anna', 'upload.retry', '{"target":"mes","rows":[]}'],
        [3, 'station', 'operator.logout', null],
        [4, 'station', 'audit.chained', '{"entries":3,"auditGaps":[]}'],
      ]);
      // Each row is chained as docs/formats.md says, recomputed here by hand: sha256(prevHash \n sorted-key JSON).
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const content = JSON.stringify({ action: r.action, actor: r.actor, at: r.ts, details: r.details, procedureId: r.procedure_id, seq: r.id });
        expect(r.prev_hash).toBe(prev);
        expect(r.hash).toBe(createHash('sha256').update(`${prev}\n${content}`).digest('hex'));
        prev = r.hash;
      }
      // Append-only from here.
      expect(() => db.exec(`UPDATE audit SET actor = 'someone-else' WHERE id = 1`)).toThrow(/append-only/);
      expect(() => db.exec(`DELETE FROM audit WHERE id = 3`)).toThrow(/append-only/);
      expect(db.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 4 });
      // The filters read indexes.
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' ');
      expect(plan(`SELECT id FROM audit WHERE actor = 'SUP-1' ORDER BY id DESC`)).toContain('audit_actor');
      expect(plan(`SELECT id FROM audit WHERE action >= 'upload.' AND action < 'upload/' ORDER BY id DESC`)).toContain('audit_action');
      expect(plan(`SELECT id FROM audit WHERE ts >= '2026-01-01' AND ts < '2026-01-02'`)).toContain('audit_ts');
    },
  },
  130: {
    seed: (db) => {
      MIGRATION_TESTS[10]!.check(db);
    },
    check: (db) => {
      expect(columns(db, 'procedure_versions')).toEqual(['procedure_id', 'hash', 'version', 'first_loaded_at', 'files']);
      const insert = (id: string, hash: string, files: string) =>
        db
          .prepare(`INSERT INTO procedure_versions (procedure_id, hash, version, first_loaded_at, files) VALUES (?, ?, '1.0', '2026-01-01T00:00:00.000Z', ?)`)
          .run(id, hash, files);
      insert('quick', 'h1', '[{"name":"phases.ts","sha256":"a","text":"x"}]');
      // The same hash under another procedure is another row; the same pair twice never lands, nor files that are not JSON.
      insert('other', 'h1', '[]');
      expect(() => insert('quick', 'h1', '[]')).toThrow(/UNIQUE|PRIMARY KEY/);
      expect(() => insert('quick', 'h2', 'not json')).toThrow(/CHECK/);
      expect(db.prepare('SELECT count(*) AS n FROM procedure_versions').get()).toEqual({ n: 2 });
      expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    },
  },
  140: {
    seed: (db) => {
      MIGRATION_TESTS[10]!.check(db);
    },
    check: (db) => {
      const insert = (id: string, kind: string, diff: string) =>
        db
          .prepare(
            `INSERT INTO procedure_drafts (id, procedure_id, kind, author, reason, base_hash, base_version, version, text, diff, created_at)
             VALUES (?, 'quick', ?, 'S1', 'tighter', 'h0', '1.0.0', '1.0.1', 'id: quick', ?, '2026-01-01T00:00:00.000Z')`,
          )
          .run(id, kind, diff);
      insert('d1', 'edit', '[]');
      expect(db.prepare('SELECT state, hash, decided_by FROM procedure_drafts').get()).toEqual({ state: 'pending', hash: null, decided_by: null });
      expect(() => insert('d2', 'guess', '[]')).toThrow(/CHECK/);
      expect(() => insert('d3', 'edit', 'not json')).toThrow(/CHECK/);
      expect(() => insert('d1', 'edit', '[]')).toThrow(/UNIQUE|PRIMARY KEY/);
      expect(() => db.exec(`UPDATE procedure_drafts SET state = 'maybe'`)).toThrow(/CHECK/);
      expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    },
  },
  150: {
    seed: (db) => {
      MIGRATION_TESTS[10]!.check(db);
      // Finished runs with numbers: a retried phase (the later attempt counts), a string, a skipped one, an equals with a tolerance.
      const m = (name: string, value: unknown, extra: Record<string, unknown> = {}) => ({ name, value, outcome: 'PASS', ...extra });
      const run = (id: string, at: string, outcome: string) =>
        db.exec(`INSERT INTO runs (id, station_id, socket, app_version, procedure_id, procedure_name, procedure_version, procedure_hash, serial_number, started_at, outcome)
          VALUES ('${id}', 's', 0, '0.1.0', 'p', 'P', '1', 'h', 'SN-${id}', '${at}', '${outcome}')`);
      const phase = (id: string, idx: number, attempt: number, ms: unknown[]) =>
        db
          .prepare(
            `INSERT INTO phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs) VALUES (?, ?, ?, 'rail', 'main', 'PASS', 't', 't', 1, ?, '[]')`,
          )
          .run(id, idx, attempt, JSON.stringify(ms));
      run('r2', '2026-01-01T00:01:00.000Z', 'PASS');
      phase('r2', 5, 1, [m('v', 3.0, { validator: { kind: 'range', lower: 3.2, upper: 3.4 } })]);
      phase('r2', 5, 2, [m('v', 3.31, { validator: { kind: 'range', lower: 3.2, upper: 3.4 } }), m('label', 'ok'), m('skipped', 1, { outcome: 'SKIP' })]);
      run('r3', '2026-01-01T00:02:00.000Z', 'FAIL');
      phase('r3', 5, 1, [m('v', 3.5, { validator: { kind: 'range', lower: 3.2, upper: 3.4, upperInclusive: false } })]);
      phase('r3', 6, 1, [m('f', 10.1, { validator: { kind: 'equals', value: 10, tolerance: { percent: 5 } } })]);
    },
    check: (db) => {
      expect(tables(db)).toEqual(expect.arrayContaining(['stat_blocks', 'stat_changes', 'stat_limits', 'stat_measures', 'stat_values']));
      const measures = db.prepare('SELECT id, procedure_id, phase, name FROM stat_measures ORDER BY id').all() as { id: number; name: string }[];
      expect(measures.map((x) => x.name).sort()).toEqual(['f', 'v']);
      // Finished runs are packed into blocks; the journal keeps nothing of them.
      expect(db.prepare('SELECT count(*) AS n FROM stat_values').get()).toEqual({ n: 0 });
      const v = measures.find((x) => x.name === 'v')!.id;
      const f = measures.find((x) => x.name === 'f')!.id;
      const pv = readMeasure(db, v);
      expect([...pv.value]).toEqual([3.31, 3.5]);
      expect([...pv.t]).toEqual([Date.parse('2026-01-01T00:01:00.000Z'), Date.parse('2026-01-01T00:02:00.000Z')]);
      const lim = (id: number) => db.prepare('SELECT lower, upper, lower_inc, upper_inc FROM stat_limits WHERE id = ?').get(id);
      expect(lim(pv.lim[0]!)).toEqual({ lower: 3.2, upper: 3.4, lower_inc: 1, upper_inc: 1 });
      expect(lim(pv.lim[1]!)).toEqual({ lower: 3.2, upper: 3.4, lower_inc: 1, upper_inc: 0 });
      const pf = readMeasure(db, f);
      expect(lim(pf.lim[0]!)).toEqual({ lower: 9.5, upper: 10.5, lower_inc: 1, upper_inc: 1 });
      // The seed's RUNNING run ends: the feed says so; a deleted run leaves the feed a row and the journal nothing.
      const feed = () => db.prepare('SELECT run, kind FROM stat_changes WHERE kind > 0 ORDER BY seq').all();
      db.exec(`UPDATE runs SET outcome = 'ABORTED' WHERE id = 'r1'`);
      expect(feed()).toEqual([{ run: 1, kind: 1 }]);
      db.exec(`INSERT INTO stat_values (run, idx, measure, t, value, lim) VALUES (1, 0, ${v}, 0, 1, 1)`);
      db.exec(`DELETE FROM runs WHERE id = 'r1'`);
      expect(feed()).toEqual([{ run: 1, kind: 1 }, { run: 1, kind: 2 }]);
      expect(db.prepare('SELECT count(*) AS n FROM stat_values').get()).toEqual({ n: 0 });
      // Yield reads a procedure's runs by time from an index.
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM runs WHERE procedure_id = 'p' ORDER BY started_at`).all() as { detail: string }[])
        .map((x) => x.detail)
        .join(' ');
      expect(plan).toContain('runs_procedure_started');
    },
  },
  151: {
    seed: (db) => {
      MIGRATION_TESTS[150]!.seed(db);
    },
    check: (db) => {
      // Everything before the migration counts as indexed; a run that finishes after it is not, until indexed.
      const mark = () => (db.prepare(`SELECT value FROM stat_meta WHERE key = 'indexed_seq'`).get() as { value: number }).value;
      const top = () => (db.prepare('SELECT max(seq) AS s FROM stat_changes').get() as { s: number }).s;
      expect(mark()).toBe(top());
      expect(indexBehind(db)).toBe(false);
      db.prepare(
        `INSERT INTO phases (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs) VALUES ('r1', 3, 1, 'rail', 'main', 'PASS', 't', 't', 1, ?, '[]')`,
      ).run(JSON.stringify([{ name: 'v', value: 3.3, outcome: 'PASS', validator: { kind: 'range', lower: 3.2, upper: 3.4 } }]));
      db.exec(`UPDATE runs SET outcome = 'ABORTED' WHERE id = 'r1'`);
      expect(indexBehind(db)).toBe(true);
      expect(indexFinishedRuns(db)).toBe(1);
      expect([mark(), indexBehind(db)]).toEqual([top(), false]);
      expect(db.prepare('SELECT count(*) AS n FROM stat_values').get()).toEqual({ n: 1 });
    },
  },
  160: {
    seed: (db) => {
      db.exec(`INSERT INTO people (badge, name, role, created_at, updated_at) VALUES ('B-1', 'Ana', 'operator', 't', 't')`);
    },
    check: (db) => {
      // Someone added before has no language of their own: the station's applies.
      expect(db.prepare('SELECT name, language FROM people').get()).toEqual({ name: 'Ana', language: null });
      db.exec(`UPDATE people SET language = 'cs' WHERE badge = 'B-1'`);
      expect(db.prepare('SELECT language FROM people').get()).toEqual({ language: 'cs' });
    },
  },
};

describe('migrations', () => {
  test('every migration has a test (migrate to N-1, seed, migrate to N, assert)', () => {
    expect(migrations.map((m) => m.version).filter((v) => !MIGRATION_TESTS[v])).toEqual([]);
  });

  test.each(migrations.map((m, i) => [m.name, m.version, migrations[i - 1]?.version ?? 0] as const))('%s', (_name, version, previous) => {
    const db = new DatabaseSync(join(freshDir(), DB_FILE));
    cleanups.push(() => db.close());
    migrate(db, previous);
    expect(userVersion(db)).toBe(previous);
    if (previous === 0) expect(tables(db)).toEqual([]);
    MIGRATION_TESTS[version]!.seed(db);
    migrate(db, version);
    expect(userVersion(db)).toBe(version);
    MIGRATION_TESTS[version]!.check(db);
  });

  test('migrating an up-to-date database changes nothing', () => {
    const dir = freshDir();
    const { db, repo } = open(dir);
    const run = runStart('SN-1');
    repo.insertRun(run);
    migrate(db);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(repo.countRuns()).toBe(1);
  });

  test('a database written by a newer Passline is refused and left untouched', () => {
    const dir = freshDir();
    const path = join(dir, DB_FILE);
    // As a newer version would leave it: its own tables, a higher user_version.
    const newer = new DatabaseSync(path);
    newer.exec("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('keep me');");
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 10}`);
    newer.close();
    const before = sha256(path);
    const filesBefore = readdirSync(dir).sort();

    let err: unknown;
    try {
      openDatabase(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StationFault);
    expect((err as StationFault).kind).toBe('db.newer-version');
    expect((err as StationFault).message).toBe(
      `The station database was written by a newer Passline (schema ${SCHEMA_VERSION + 10}, this version knows ${SCHEMA_VERSION}). Update Passline; the file is left untouched.`,
    );
    expect(sha256(path)).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(filesBefore);
  });
});

describe('a damaged database file', () => {
  test('is moved aside untouched and a new database begun in its place, with a report of what was saved', () => {
    const dir = freshDir();
    const path = join(dir, DB_FILE);
    const garbage = Buffer.from('this is not an SQLite database; a disk sector went bad. '.repeat(200));
    writeFileSync(path, garbage);

    const { db, salvage } = openStore(dir);
    cleanups.push(() => db.close());
    expect(salvage).not.toBeNull();
    const aside = salvage!.aside;
    expect(aside).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}\\.corrupt-`));
    expect(salvage!.runs).toEqual({ salvaged: 0, total: 0, unreadable: 0, incomplete: 0 });
    expect(salvageMessage(salvage!)).toBe(
      `The station database was damaged (file is not a database). Nothing could be read from it. Testing goes on in a new database; the damaged file was kept as ${aside}.`,
    );
    expect(readFileSync(aside)).toEqual(garbage);
    expect(new RunsRepo(db).countRuns()).toBe(0);
  });
});

describe('the run journal', () => {
  test('a run row is RUNNING from its start and each phase is durable when it ends', () => {
    const dir = freshDir();
    const { repo } = open(dir);
    // A second connection sees only what was committed.
    const reader = new DatabaseSync(join(dir, DB_FILE), { readOnly: true });
    cleanups.push(() => reader.close());
    const outcomeOf = (id: string) => (reader.prepare('SELECT outcome FROM runs WHERE id = ?').get(id) as { outcome: string } | undefined)?.outcome;
    const phasesOf = (id: string) =>
      (reader.prepare('SELECT name, outcome FROM phases WHERE run_id = ? ORDER BY idx').all(id) as { name: string; outcome: string }[]).map((p) => ({ ...p }));

    const run = runStart('SN-100');
    repo.insertRun(run);
    expect(outcomeOf(run.id)).toBe('RUNNING');
    expect(phasesOf(run.id)).toEqual([]);

    repo.insertPhases(run.id, [phase(0, 'power_on')]);
    expect(phasesOf(run.id)).toEqual([{ name: 'power_on', outcome: 'PASS' }]);
    repo.insertPhases(run.id, [phase(1, 'rail_3v3', 'FAIL')]);
    expect(phasesOf(run.id)).toEqual([
      { name: 'power_on', outcome: 'PASS' },
      { name: 'rail_3v3', outcome: 'FAIL' },
    ]);
    expect(outcomeOf(run.id)).toBe('RUNNING');

    repo.finishRun(run.id, { outcome: 'FAIL', endedAt: new Date().toISOString(), durationMs: 12 }, [phase(2, 'power_off')], []);
    expect(outcomeOf(run.id)).toBe('FAIL');
    const rec = repo.getRun(run.id);
    expect(rec.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['power_on', 'PASS'],
      ['rail_3v3', 'FAIL'],
      ['power_off', 'PASS'],
    ]);
    expect(rec.phases[1]!.measurements).toEqual([{ name: 'rail_3v3_v', value: 1.5, units: 'V', outcome: 'FAIL' }]);
  });

  test('the files the procedure hash covers are stored with the run; a run without them reads back without them', () => {
    const { db, repo } = open(freshDir());
    const files = [
      { name: 'helpers.ts', sha256: 'a'.repeat(64) },
      { name: 'phases.ts', sha256: 'b'.repeat(64) },
      { name: 'procedure.yaml', sha256: 'c'.repeat(64) },
    ];
    const run = runStart('SN-101');
    repo.insertRun({ ...run, procedure: { ...run.procedure, files } });
    expect(repo.getRun(run.id).procedure).toEqual({ ...run.procedure, files });
    const older = runStart('SN-102');
    repo.insertRun(older);
    expect(repo.getRun(older.id).procedure).toEqual(older.procedure);
    expect('files' in repo.getRun(older.id).procedure).toBe(false);
    // Damaged bytes make that one run unreadable, saying what is damaged.
    db.prepare("UPDATE runs SET procedure_files = '[{' WHERE id = ?").run(run.id);
    expect(() => repo.getRun(run.id)).toThrow(/Run .* \(serial SN-101\) cannot be read: the list of its procedure's files is damaged/);
    expect(repo.getRun(older.id).unit.serialNumber).toBe('SN-102');
  });

  test('recoverInterrupted turns RUNNING into ABORTED "station stopped during run", keeping finished phases', () => {
    const dir = freshDir();
    const { repo, db } = open(dir);
    const t0 = '2026-01-01T10:00:00.000Z';
    const run = runStart('SN-200', t0);
    repo.insertRun(run);
    repo.insertPhases(run.id, [phase(0, 'a', 'PASS', '2026-01-01T10:00:01.000Z'), phase(1, 'b', 'PASS', '2026-01-01T10:00:02.500Z')]);
    const done = runStart('SN-199', '2026-01-01T09:00:00.000Z');
    repo.insertRun(done);
    repo.finishRun(done.id, { outcome: 'PASS', endedAt: '2026-01-01T09:00:05.000Z', durationMs: 5000 }, [phase(0, 'a')], []);
    db.close();

    // The next start of the station, on the same file.
    const again = open(dir).repo;
    expect(again.recoverInterrupted('station stopped during run', ['mes'])).toEqual([
      { runId: run.id, socket: 0, serialNumber: 'SN-200', endedAt: '2026-01-01T10:00:02.500Z' },
    ]);
    const rec = again.getRun(run.id);
    expect(rec.outcome).toBe('ABORTED');
    expect(rec.outcomeReason).toBe('station stopped during run');
    expect(rec.phases.map((p) => p.name)).toEqual(['a', 'b']);
    // It ended when its last journaled phase ended.
    expect(rec.endedAt).toBe('2026-01-01T10:00:02.500Z');
    expect(rec.durationMs).toBe(2500);
    // The finished run is untouched, and nothing is RUNNING any more.
    expect(again.getRun(done.id)).toMatchObject({ outcome: 'PASS', durationMs: 5000 });
    expect(again.listRuns({ limit: 10, outcome: 'RUNNING' })).toEqual([]);
    // Recovered runs are queued like any finished run.
    expect(again.db.prepare('SELECT run_id, target, state FROM outbox').all()).toEqual([{ run_id: run.id, target: 'mes', state: 'pending' }]);
    // A second recovery finds nothing to do.
    expect(again.recoverInterrupted('station stopped during run', ['mes'])).toEqual([]);
  });

  test('the phase running at the stop is kept ABORTED, and the run ends when the station was last alive', () => {
    const dir = freshDir();
    const { repo } = open(dir);
    const t0 = '2026-01-01T10:00:00.000Z';
    const run = runStart('SN-400', t0);
    repo.insertRun(run);
    const a = phase(0, 'a', 'PASS', '2026-01-01T10:00:01.000Z');
    repo.insertPhases(run.id, [a]);
    // The event log as the socket journals it: the run's start, phase a begun and ended, phase b begun.
    const ev = (seq: number, kind: string, data: unknown, ts: string) =>
      ({ seq, parentSeq: null, ts, runId: run.id, socket: 0, kind, data }) as unknown as StationEvent;
    const events = [
      ev(
        1,
        'run.started',
        {
          procedure: run.procedure,
          unit: run.unit,
          startedAt: t0,
          plannedPhases: [
            { name: 'a', group: 'main' },
            { name: 'b', group: 'teardown' },
          ],
        },
        t0,
      ),
      ev(2, 'run.phaseStarted', { index: 0, name: 'a', attempt: 1, timeoutMs: 1000, startedAt: t0 }, t0),
      ev(3, 'run.phaseEnded', { phase: a }, a.endedAt),
      ev(4, 'run.phaseStarted', { index: 1, name: 'b', attempt: 1, timeoutMs: 1000, startedAt: '2026-01-01T10:00:01.100Z' }, '2026-01-01T10:00:01.100Z'),
    ];
    repo.appendEvents(events.slice(0, 3), (i) => JSON.stringify(events[i]));
    repo.appendEvents(events.slice(3), () => JSON.stringify(events[3]));

    const lastAlive = '2026-01-01T10:00:04.000Z';
    expect(repo.recoverInterrupted('station stopped during run', [], lastAlive)).toEqual([
      { runId: run.id, socket: 0, serialNumber: 'SN-400', endedAt: lastAlive, phase: 'b' },
    ]);
    const rec = repo.getRun(run.id);
    expect(rec).toMatchObject({ outcome: 'ABORTED', endedAt: lastAlive, durationMs: 4000 });
    expect(rec.phases.map((p) => [p.name, p.group, p.outcome])).toEqual([
      ['a', 'main', 'PASS'],
      ['b', 'teardown', 'ABORTED'],
    ]);
    expect(rec.phases[1]).toMatchObject({
      startedAt: '2026-01-01T10:00:01.100Z',
      endedAt: lastAlive,
      error: { kind: 'aborted', message: 'the station stopped during this phase' },
    });
  });

  test('a heartbeat older than the run (the station died before it wrote one) is not the end; the last event is', () => {
    const dir = freshDir();
    const { repo } = open(dir);
    const run = runStart('SN-500', '2026-01-01T10:00:00.000Z');
    repo.insertRun(run);
    repo.recoverInterrupted('station stopped during run', [], '2026-01-01T09:59:00.000Z');
    expect(repo.getRun(run.id)).toMatchObject({ outcome: 'ABORTED', endedAt: '2026-01-01T10:00:00.000Z', durationMs: 0 });
  });

  test('a run interrupted before any phase ended is ABORTED with zero duration', () => {
    const dir = freshDir();
    const { repo } = open(dir);
    const run = runStart('SN-300', '2026-01-01T10:00:00.000Z');
    repo.insertRun(run);
    repo.recoverInterrupted('station stopped during run', []);
    expect(repo.getRun(run.id)).toMatchObject({ outcome: 'ABORTED', endedAt: '2026-01-01T10:00:00.000Z', durationMs: 0, phases: [] });
  });
});

describe('the transactional outbox', () => {
  test('finishRun writes the end, the last phases and one outbox row per target together', () => {
    const { repo, db } = open(freshDir());
    const run = runStart('SN-400');
    repo.insertRun(run);
    repo.finishRun(run.id, { outcome: 'PASS', endedAt: new Date().toISOString(), durationMs: 3 }, [phase(0, 'a')], ['mes', 'folder']);
    expect(repo.getRun(run.id).outcome).toBe('PASS');
    expect(db.prepare('SELECT target, state, attempts FROM outbox WHERE run_id = ? ORDER BY target').all(run.id)).toEqual([
      { target: 'folder', state: 'pending', attempts: 0 },
      { target: 'mes', state: 'pending', attempts: 0 },
    ]);
  });

  test('if queueing fails, the run is not finished either (never finished-but-not-queued)', () => {
    const { repo, db } = open(freshDir());
    const run = runStart('SN-500');
    repo.insertRun(run);
    // A real SQLite failure inside the transaction, at the outbox insert.
    db.exec("CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox WHEN NEW.target = 'broken' BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");
    expect(() => repo.finishRun(run.id, { outcome: 'PASS', endedAt: new Date().toISOString(), durationMs: 3 }, [phase(0, 'a')], ['mes', 'broken'])).toThrow(
      /outbox refused/,
    );
    const rec = repo.getRun(run.id);
    expect(rec.outcome).toBe('RUNNING');
    expect(rec.phases).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    expect(db.isTransaction).toBe(false);

    // Once the cause is gone, the same end commits, once.
    db.exec('DROP TRIGGER outbox_refuses');
    repo.finishRun(run.id, { outcome: 'PASS', endedAt: new Date().toISOString(), durationMs: 3 }, [phase(0, 'a')], ['mes', 'broken']);
    expect(repo.getRun(run.id)).toMatchObject({ outcome: 'PASS', phases: [{ name: 'a' }] });
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 2 });
  });

  test('a run cannot be finished twice', () => {
    const { repo } = open(freshDir());
    const run = runStart('SN-600');
    repo.insertRun(run);
    repo.finishRun(run.id, { outcome: 'FAIL', endedAt: '2026-01-01T10:00:01.000Z', durationMs: 1000 }, [], []);
    repo.finishRun(run.id, { outcome: 'PASS', endedAt: '2026-01-01T10:00:02.000Z', durationMs: 2000 }, [], []);
    expect(repo.getRun(run.id)).toMatchObject({ outcome: 'FAIL', durationMs: 1000 });
  });
});
