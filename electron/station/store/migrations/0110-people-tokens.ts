import type { DatabaseSync } from 'node:sqlite';

/**
 * People who log in at the station (badge, role, PIN as a salted scrypt hash, lockout after
 * wrong PINs) and the API tokens an admin hands out (only a hash of each secret is kept).
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE people (
      badge TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('operator', 'technician', 'supervisor', 'admin')),
      pin_hash TEXT,
      disabled INTEGER NOT NULL DEFAULT 0,
      failed_pins INTEGER NOT NULL DEFAULT 0,
      locked_until TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      scope TEXT NOT NULL CHECK (scope IN ('events:read', 'runs:read', 'operate', 'supervise')),
      secret_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      revoked_at TEXT,
      last_used_at TEXT,
      last_used_from TEXT
    ) STRICT;
  `);
}
