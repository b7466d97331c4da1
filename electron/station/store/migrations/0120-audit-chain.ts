import type { DatabaseSync } from 'node:sqlite';
import { APPEND_ONLY_TRIGGERS, chainUnhashed, entryHash } from '../audit.ts';

/**
 * The audit trail becomes a hash chain (store/audit.ts): each row gets the hash of the row
 * before and its own, and the procedure it concerns. The rows already there are chained in
 * id order with the same hash, and the chaining is itself an entry ('audit.chained', with any
 * seq jumps found among the old rows as `auditGaps`, so verify lists them instead of failing).
 * From here on the table refuses UPDATE and DELETE. Indexes serve the trail's filters.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE audit ADD COLUMN procedure_id TEXT;
    ALTER TABLE audit ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit ADD COLUMN hash TEXT;
    CREATE INDEX audit_ts ON audit (ts);
    CREATE INDEX audit_actor ON audit (actor, id);
    CREATE INDEX audit_action ON audit (action, id);
    CREATE INDEX audit_procedure ON audit (procedure_id, id) WHERE procedure_id IS NOT NULL;
  `);
  const { chained, gaps } = chainUnhashed(db);
  db.exec(APPEND_ONLY_TRIGGERS);
  if (chained > 0) {
    // Raw SQL, as a migration should: the entry the AuditLog would write, chained after the old rows.
    const last = db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
    const at = new Date().toISOString();
    const details = JSON.stringify({ entries: chained, auditGaps: gaps });
    db.prepare(
      `INSERT INTO audit (id, ts, actor, action, procedure_id, details, prev_hash, hash) VALUES (?, ?, 'station', 'audit.chained', NULL, ?, ?, ?)`,
    ).run(
      last.id + 1,
      at,
      details,
      last.hash,
      entryHash(last.hash, { seq: last.id + 1, at, actor: 'station', action: 'audit.chained', procedureId: null, detailsText: details }),
    );
  }
}
