import type { DatabaseSync } from 'node:sqlite';

/**
 * Serial search anywhere in the number, any case, from an index: an FTS5 table of the
 * distinct serial numbers with the trigram tokenizer (case-insensitive), filled from the
 * runs already stored and kept by a trigger on every new run. History asks it for the
 * serials that contain the text, then reads their runs by the runs_serial index.
 */
export function up(db: DatabaseSync): void {
  db.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS serial_search USING fts5(serial, tokenize = 'trigram');
    INSERT INTO serial_search (serial) SELECT DISTINCT serial_number FROM runs;
    CREATE TRIGGER IF NOT EXISTS runs_serial_search AFTER INSERT ON runs
      WHEN NOT EXISTS (SELECT 1 FROM runs r WHERE r.serial_number = NEW.serial_number AND r.id != NEW.id)
    BEGIN
      INSERT INTO serial_search (serial) VALUES (NEW.serial_number);
    END;
  `);
}
