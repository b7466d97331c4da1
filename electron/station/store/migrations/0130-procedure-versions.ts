import type { DatabaseSync } from 'node:sqlite';

/**
 * Every procedure version a socket loaded, once per content hash: its version string, when it
 * first loaded, and its files (JSON: [{ name, sha256, text? }], sorted by name; `text` for
 * text files under 1 MiB, images and other binary files by sha256 only), so a supervisor can
 * compare any two versions that ever ran. Never updated or deleted.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE procedure_versions (
      procedure_id TEXT NOT NULL,
      hash TEXT NOT NULL,
      version TEXT NOT NULL,
      first_loaded_at TEXT NOT NULL,
      files TEXT NOT NULL CHECK (json_valid(files)),
      PRIMARY KEY (procedure_id, hash)
    ) STRICT;
    CREATE INDEX procedure_versions_by_time ON procedure_versions (procedure_id, first_loaded_at);
  `);
}
