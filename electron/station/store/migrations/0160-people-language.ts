import type { DatabaseSync } from 'node:sqlite';

/**
 * A person's own language for the screens (`de`, `zh-CN`, a plant's `pt-BR`), set by an admin
 * on People and applied when they log in; NULL: the station's language.
 */
export function up(db: DatabaseSync): void {
  db.exec(`ALTER TABLE people ADD COLUMN language TEXT`);
}
