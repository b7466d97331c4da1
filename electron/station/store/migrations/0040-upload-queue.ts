import type { DatabaseSync } from 'node:sqlite';

/**
 * The upload queue on the outbox: when each row may be tried next (epoch ms, 0 = now),
 * the last error or the target's reason for parking it, the target's own id for the
 * run (TofuPilot's run id, so a retry never creates it twice), and when it last changed.
 * States: pending → delivered | parked; parked → pending (retry) | dropped.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN last_error TEXT;
    ALTER TABLE outbox ADD COLUMN remote_ref TEXT;
    ALTER TABLE outbox ADD COLUMN updated_at TEXT;
    CREATE INDEX outbox_due ON outbox (target, state, next_attempt_at, id);
    CREATE INDEX outbox_state_run ON outbox (state, run_id);
    CREATE INDEX outbox_state_target ON outbox (state, target);
  `);
}
