import type { DatabaseSync } from 'node:sqlite';
import { rebuildStatValues } from '#station/stats/stat-writer.ts';

/**
 * Numbers for statistics (SPC, yield). The values of each finished run are read from its
 * phase rows after its commit (stats/stat-writer.ts; migration 0151 keeps how far) into a
 * journal in run order; the station packs the journal into per-measurement blocks between
 * runs, so SPC reads one measurement's 100,000 points as a few blobs.
 *
 * - `stat_measures`: one row per procedure, phase and measurement name that ever had a number.
 * - `stat_limits`: each distinct set of numeric limits (a `range` validator, or `equals` with a
 *   tolerance as its band), so a value carries a small id; a limit change is a new id.
 * - `stat_values`: the journal, keyed (run, phase index, measure): run start (epoch ms), value,
 *   limits. A retried phase's later attempt overwrites the earlier one's values (same key).
 * - `stat_blocks`: packed columns of one measurement's points (t, value, run, limits), each
 *   block the values of the runs one packing took, in run order.
 * - `stat_changes`: a short feed of finished and deleted runs (the last 5000), so a reader's
 *   cache of runs catches up with a few rows instead of reading everything again.
 *
 * `run` is the runs table's rowid (stable: nothing VACUUMs the store; salvage keeps rowids and
 * refills these tables after). A deleted run's points in blocks stay until read, and readers
 * drop points whose run is gone.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE stat_measures (
      id INTEGER PRIMARY KEY,
      procedure_id TEXT NOT NULL,
      phase TEXT NOT NULL,
      name TEXT NOT NULL,
      units TEXT,
      UNIQUE (procedure_id, phase, name)
    ) STRICT;
    CREATE TABLE stat_limits (
      id INTEGER PRIMARY KEY,
      k TEXT NOT NULL UNIQUE,
      lower REAL,
      upper REAL,
      lower_inc INTEGER NOT NULL,
      upper_inc INTEGER NOT NULL,
      marginal_lower REAL,
      marginal_upper REAL
    ) STRICT;
    CREATE TABLE stat_values (
      run INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      measure INTEGER NOT NULL,
      t INTEGER NOT NULL,
      value REAL NOT NULL,
      lim INTEGER NOT NULL,
      PRIMARY KEY (run, idx, measure)
    ) STRICT, WITHOUT ROWID;
    -- AUTOINCREMENT: an id is never given twice, so a reader's "blocks after id N" stays true.
    CREATE TABLE stat_blocks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      measure INTEGER NOT NULL,
      n INTEGER NOT NULL,
      data BLOB NOT NULL
    ) STRICT;
    CREATE INDEX stat_blocks_measure ON stat_blocks (measure, id);
    CREATE TABLE stat_changes (
      seq INTEGER PRIMARY KEY,
      run INTEGER NOT NULL,
      -- 1: finished, 2: deleted
      kind INTEGER NOT NULL
    ) STRICT;
    -- Yield and the Pareto read one procedure's runs by time.
    CREATE INDEX IF NOT EXISTS runs_procedure_started ON runs (procedure_id, started_at);
    CREATE TRIGGER stat_run_finished AFTER UPDATE OF outcome ON runs
      WHEN OLD.outcome = 'RUNNING' AND NEW.outcome != 'RUNNING'
    BEGIN
      INSERT INTO stat_changes (run, kind) VALUES (NEW.rowid, 1);
      DELETE FROM stat_changes WHERE seq <= (SELECT max(seq) FROM stat_changes) - 5000;
    END;
    CREATE TRIGGER stat_run_deleted AFTER DELETE ON runs
    BEGIN
      DELETE FROM stat_values WHERE run = OLD.rowid;
      INSERT INTO stat_changes (run, kind) VALUES (OLD.rowid, 2);
      DELETE FROM stat_changes WHERE seq <= (SELECT max(seq) FROM stat_changes) - 5000;
    END;
    INSERT INTO stat_changes (run, kind) VALUES (0, 0);
  `);
  // The runs already stored.
  rebuildStatValues(db);
}
