import type { PgMigration } from './types.ts';

/**
 * What the plant's screens ask for: today's runs across every station (the line's yield), and a
 * serial looked up by its beginning whatever the database's collation (text_pattern_ops); a
 * serial's whole life is runs_serial (serial_number, started_at) from version 1.
 * On a large existing table these builds hold writes back while they run (writers wait, then go on).
 */
export const m0004: PgMigration = {
  version: 4,
  name: 'plant-indexes',
  sql: (s) => `
CREATE INDEX IF NOT EXISTS runs_started ON ${s}.runs (started_at);
CREATE INDEX IF NOT EXISTS runs_serial_prefix ON ${s}.runs (serial_number text_pattern_ops);
`,
};
