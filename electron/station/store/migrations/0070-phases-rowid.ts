import type { DatabaseSync } from 'node:sqlite';

/**
 * Phases become an ordinary (rowid) table. As WITHOUT ROWID its rows were capped at about
 * 1000 bytes in the page before spilling to an overflow page: a phase with ten measurements
 * took a 4 KiB page of its own, so the journal wrote (and the file kept) four times the bytes.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE phases_rowid (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      name TEXT NOT NULL,
      grp TEXT NOT NULL,
      outcome TEXT NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT NOT NULL,
      duration_ms REAL NOT NULL,
      measurements TEXT NOT NULL,
      logs TEXT NOT NULL,
      error TEXT,
      params TEXT,
      failure_code TEXT,
      attachments TEXT,
      PRIMARY KEY (run_id, idx, attempt)
    ) STRICT;
    INSERT INTO phases_rowid (run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs, error, params, failure_code, attachments)
      SELECT run_id, idx, attempt, name, grp, outcome, started_at, ended_at, duration_ms, measurements, logs, error, params, failure_code, attachments FROM phases;
    DROP TABLE phases;
    ALTER TABLE phases_rowid RENAME TO phases;
  `);
}
