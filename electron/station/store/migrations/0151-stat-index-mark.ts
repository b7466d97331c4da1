import type { DatabaseSync } from 'node:sqlite';

/**
 * How far the statistics index got: `indexed_seq`, the last row of the stat_changes feed whose
 * run's values are in stat_values (stats/stat-writer.ts indexes finished runs after their
 * commit, not in it, and writes this in the same transaction as the values). Everything
 * stored before this migration was indexed by 0150. The feed keeps its last 50,000 rows (was
 * 5000): an import of thousands of runs is indexed from the feed, not by reading everything.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE stat_meta (
      key TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO stat_meta (key, value) SELECT 'indexed_seq', coalesce(max(seq), 0) FROM stat_changes;
    DROP TRIGGER stat_run_finished;
    DROP TRIGGER stat_run_deleted;
    CREATE TRIGGER stat_run_finished AFTER UPDATE OF outcome ON runs
      WHEN OLD.outcome = 'RUNNING' AND NEW.outcome != 'RUNNING'
    BEGIN
      INSERT INTO stat_changes (run, kind) VALUES (NEW.rowid, 1);
      DELETE FROM stat_changes WHERE seq <= (SELECT max(seq) FROM stat_changes) - 50000;
    END;
    CREATE TRIGGER stat_run_deleted AFTER DELETE ON runs
    BEGIN
      DELETE FROM stat_values WHERE run = OLD.rowid;
      INSERT INTO stat_changes (run, kind) VALUES (OLD.rowid, 2);
      DELETE FROM stat_changes WHERE seq <= (SELECT max(seq) FROM stat_changes) - 50000;
    END;
  `);
}
