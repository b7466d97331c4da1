import type { DatabaseSync } from 'node:sqlite';

/**
 * A run keeps the files its procedure hash covers (JSON: [{ name, sha256 }], sorted by
 * name), so an auditor sees which file changed between two runs. Runs stored before have
 * none (NULL): their hash covered procedure.yaml and phases.ts only, and nobody listed them.
 */
export function up(db: DatabaseSync): void {
  db.exec(`ALTER TABLE runs ADD COLUMN procedure_files TEXT;`);
}
