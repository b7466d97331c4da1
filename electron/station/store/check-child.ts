/**
 * `PRAGMA quick_check` of a big station database in a process of its own, so the station
 * starts without waiting and a check that takes too long can be stopped (node:sqlite has
 * no interrupt). Read-only: it never writes the file. Sends the first problem, or null.
 */
import { DatabaseSync } from 'node:sqlite';
import { quickCheck } from './db.ts';

const path = process.argv[2]!;
let problem: string | null;
try {
  const db = new DatabaseSync(path, { readOnly: true });
  problem = quickCheck(db);
  db.close();
} catch (e) {
  problem = (e as Error).message;
}
process.send?.({ problem }, () => process.exit(0));
