import { DatabaseSync } from 'node:sqlite';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { StationFault } from '#contract/errors.ts';
import * as m0010 from './migrations/0010-create-runs.ts';
import * as m0020 from './migrations/0020-phase-params-failure-codes.ts';
import * as m0040 from './migrations/0040-upload-queue.ts';
import * as m0050 from './migrations/0050-history-attachments.ts';
import * as m0060 from './migrations/0060-instrument-calibration.ts';
import * as m0061 from './migrations/0061-run-annotations.ts';
import * as m0070 from './migrations/0070-phases-rowid.ts';
import * as m0090 from './migrations/0090-serial-search.ts';

export interface Migration {
  version: number;
  name: string;
  up: (db: DatabaseSync) => void;
}

/** Numbered, additive migrations; user_version holds the last one applied. */
export const migrations: readonly Migration[] = [
  { version: 10, name: '0010-create-runs', up: m0010.up },
  { version: 20, name: '0020-phase-params-failure-codes', up: m0020.up },
  { version: 40, name: '0040-upload-queue', up: m0040.up },
  { version: 50, name: '0050-history-attachments', up: m0050.up },
  // Written as 0030/0031 on a branch, numbered after 0050 when merged: user_version only grows.
  { version: 60, name: '0060-instrument-calibration', up: m0060.up },
  { version: 61, name: '0061-run-annotations', up: m0061.up },
  { version: 70, name: '0070-phases-rowid', up: m0070.up },
  { version: 90, name: '0090-serial-search', up: m0090.up },
];
export const SCHEMA_VERSION = migrations.at(-1)!.version;

export const DB_FILE = 'passline.db';

function isCorrupt(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /file is not a database|database disk image is malformed|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(msg);
}

/** The schema version in the file; throws db.newer-version if this Passline does not know it. */
function knownVersion(db: DatabaseSync): number {
  const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (current > SCHEMA_VERSION) {
    throw new StationFault(
      'db.newer-version',
      `The station database was written by a newer Passline (schema ${current}, this version knows ${SCHEMA_VERSION}). Update Passline; the file is left untouched.`,
      { current, known: SCHEMA_VERSION },
    );
  }
  return current;
}

export function migrate(db: DatabaseSync, target = SCHEMA_VERSION): void {
  const current = knownVersion(db);
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      m.up(db);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }
}

/**
 * Opens (and migrates) the station database in WAL mode. A corrupt file is moved
 * aside, never overwritten, and reported.
 */
export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DB_FILE);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    // Before anything writes (switching to WAL rewrites the header): a newer file stays as it is.
    knownVersion(db);
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL survives a killed process; finished runs switch to FULL for power loss.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (e) {
    db?.close();
    if (e instanceof StationFault) throw e;
    if (isCorrupt(e) && existsSync(path)) {
      const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(path, aside);
      for (const ext of ['-wal', '-shm']) if (existsSync(path + ext)) renameSync(path + ext, aside + ext);
      throw new StationFault('db.corrupted', `The station database ${path} is damaged. It was moved to ${aside} for recovery; restart to begin a new one.`, { path, aside });
    }
    throw e;
  }
}
