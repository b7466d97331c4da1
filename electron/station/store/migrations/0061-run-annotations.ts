import type { DatabaseSync } from 'node:sqlite';

/**
 * What a run started with besides its unit: overrides (who approved what), the
 * fixture, the instruments used with their calibration, unit fields from the
 * serial's named groups. One JSON body per kind, written with the run's start.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS run_annotations (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      body TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (run_id, kind)
    ) STRICT, WITHOUT ROWID;
    -- Retest rules count a serial's runs of one procedure.
    CREATE INDEX IF NOT EXISTS runs_serial_procedure ON runs (serial_number, procedure_id, started_at);
  `);
}
