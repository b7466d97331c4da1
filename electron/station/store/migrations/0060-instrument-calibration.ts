import type { DatabaseSync } from 'node:sqlite';

/**
 * The calibration inventory: instruments keyed by the identity they report (*IDN?).
 * IF NOT EXISTS: safe to apply again to a database that skipped it (numbered below a later one).
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS calibration (
      maker TEXT NOT NULL,
      model TEXT NOT NULL,
      serial TEXT NOT NULL,
      due_date TEXT NOT NULL,
      note TEXT,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      PRIMARY KEY (maker, model, serial)
    ) STRICT, WITHOUT ROWID;
  `);
}
