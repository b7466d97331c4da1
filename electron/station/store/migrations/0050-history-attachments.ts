import type { DatabaseSync } from 'node:sqlite';

/**
 * History search by part number, procedure and operator (each with the start time, so
 * a filter reads newest first from the index); attachments a phase stored, by hash.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE INDEX runs_part ON runs (part_number, started_at);
    CREATE INDEX runs_procedure ON runs (procedure_id, started_at);
    CREATE INDEX runs_operator ON runs (operator_id, started_at);
    ALTER TABLE phases ADD COLUMN attachments TEXT;
    CREATE TABLE attachments (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      phase_idx INTEGER NOT NULL,
      name TEXT NOT NULL,
      media_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL
    ) STRICT;
    CREATE INDEX attachments_run ON attachments (run_id);
    CREATE INDEX attachments_sha ON attachments (sha256);
  `);
}
