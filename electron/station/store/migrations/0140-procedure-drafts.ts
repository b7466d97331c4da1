import type { DatabaseSync } from 'node:sqlite';

/**
 * Procedure changes waiting for a second supervisor (settings.procedureChangesNeedApproval):
 * the new procedure.yaml text, who proposed it and why, the diff in words, and how it ended
 * (approved, rejected, superseded by a later change). Rows are updated only to decide them.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE procedure_drafts (
      id TEXT PRIMARY KEY,
      procedure_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('edit', 'rollback', 'outside')),
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'superseded')),
      author TEXT NOT NULL,
      reason TEXT NOT NULL,
      base_hash TEXT NOT NULL,
      base_version TEXT NOT NULL,
      version TEXT NOT NULL,
      hash TEXT,
      text TEXT NOT NULL,
      diff TEXT NOT NULL CHECK (json_valid(diff)),
      created_at TEXT NOT NULL,
      decided_by TEXT,
      decided_at TEXT,
      decision_reason TEXT
    ) STRICT;
    CREATE INDEX procedure_drafts_by_procedure ON procedure_drafts (procedure_id, created_at);
  `);
}
