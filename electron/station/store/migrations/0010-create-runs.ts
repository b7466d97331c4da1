import type { DatabaseSync } from 'node:sqlite';

/** Runs, phases (journaled as they end), failures for the Pareto, outbox, event log, audit. */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      station_id TEXT NOT NULL,
      socket INTEGER NOT NULL,
      operator_id TEXT,
      app_version TEXT NOT NULL,
      procedure_id TEXT NOT NULL,
      procedure_name TEXT NOT NULL,
      procedure_version TEXT NOT NULL,
      procedure_hash TEXT NOT NULL,
      serial_number TEXT NOT NULL,
      part_number TEXT,
      revision TEXT,
      batch TEXT,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      duration_ms REAL,
      outcome TEXT NOT NULL,
      outcome_reason TEXT
    ) STRICT;
    CREATE INDEX runs_serial ON runs (serial_number, started_at);
    CREATE INDEX runs_started ON runs (started_at);
    CREATE INDEX runs_outcome ON runs (outcome, started_at);

    CREATE TABLE phases (
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
      PRIMARY KEY (run_id, idx, attempt)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE failures (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      phase TEXT NOT NULL,
      measurement TEXT NOT NULL,
      outcome TEXT NOT NULL,
      reason TEXT
    ) STRICT;
    CREATE INDEX failures_run ON failures (run_id);

    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES runs (id),
      target TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      UNIQUE (run_id, target)
    ) STRICT;

    CREATE TABLE events (
      first_seq INTEGER PRIMARY KEY,
      last_seq INTEGER NOT NULL,
      body TEXT NOT NULL
    ) STRICT;

    CREATE TABLE audit (
      id INTEGER PRIMARY KEY,
      ts TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      details TEXT
    ) STRICT;
  `);
}
