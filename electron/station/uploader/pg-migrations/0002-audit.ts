import type { PgMigration } from './types.ts';

/** The stations' audit trails, shipped in order, each (station, seq) once (uploader/audit-shipper.ts). */
export const m0002: PgMigration = {
  version: 2,
  name: 'audit',
  sql: (s) => `
CREATE TABLE IF NOT EXISTS ${s}.audit (
  station_id text NOT NULL,
  seq bigint NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  procedure_id text,
  details jsonb,
  details_text text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (station_id, seq)
);
CREATE INDEX IF NOT EXISTS audit_at ON ${s}.audit (at);
CREATE INDEX IF NOT EXISTS audit_actor ON ${s}.audit (actor, at);
`,
};
