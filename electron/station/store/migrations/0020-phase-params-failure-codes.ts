import type { DatabaseSync } from 'node:sqlite';

/** Phases keep the parameters they ran with; failures carry their failure code for the Pareto. */
export function up(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE phases ADD COLUMN params TEXT;
    ALTER TABLE phases ADD COLUMN failure_code TEXT;
    ALTER TABLE failures ADD COLUMN failure_code TEXT;
    CREATE INDEX failures_code ON failures (failure_code);
  `);
}
