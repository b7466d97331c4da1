import { DatabaseSync } from 'node:sqlite';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import * as m0100 from './migrations/0100-procedure-files.ts';
import * as m0110 from './migrations/0110-people-tokens.ts';
import * as m0120 from './migrations/0120-audit-chain.ts';
import * as m0130 from './migrations/0130-procedure-versions.ts';
import * as m0140 from './migrations/0140-procedure-drafts.ts';
import * as m0150 from './migrations/0150-stat-values.ts';
import * as m0151 from './migrations/0151-stat-index-mark.ts';
import * as m0160 from './migrations/0160-people-language.ts';
import { isCorruptionError, salvageDatabase, type SalvageReport } from './salvage.ts';

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
  { version: 100, name: '0100-procedure-files', up: m0100.up },
  { version: 110, name: '0110-people-tokens', up: m0110.up },
  { version: 120, name: '0120-audit-chain', up: m0120.up },
  { version: 130, name: '0130-procedure-versions', up: m0130.up },
  { version: 140, name: '0140-procedure-drafts', up: m0140.up },
  { version: 150, name: '0150-stat-values', up: m0150.up },
  { version: 151, name: '0151-stat-index-mark', up: m0151.up },
  { version: 160, name: '0160-people-language', up: m0160.up },
];
export const SCHEMA_VERSION = migrations.at(-1)!.version;

export const DB_FILE = 'passline.db';

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

/** Written beside the database when damage is found while it is open: the next start salvages it. */
export const damageMarker = (path: string): string => `${path}.damaged`;

/** Up to this size (file and WAL) the start checks the file before opening it; a bigger one is checked in the background. */
export const CHECK_AT_START_BYTES = 32 * 1024 * 1024;

/** `PRAGMA quick_check`: null when the file is sound, else the first thing it found. */
export function quickCheck(db: DatabaseSync): string | null {
  try {
    const rows = db.prepare('PRAGMA quick_check(20)').all() as { quick_check: string }[];
    if (rows.length === 1 && rows[0]!.quick_check === 'ok') return null;
    return firstProblem(rows.map((r) => r.quick_check).join('\n'));
  } catch (e) {
    if (isCorruptionError(e)) return firstProblem((e as Error).message);
    throw e;
  }
}

const firstProblem = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('***'))
    ?.slice(0, 200) ?? 'damaged';

function sizeOf(path: string): number {
  let n = 0;
  for (const p of [path, `${path}-wal`]) if (existsSync(p)) n += statSync(p).size;
  return n;
}

/** The store's own open of a file: WAL, pragmas, migrations. */
function openFile(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
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
    db.close();
    throw e;
  }
}

export interface OpenedStore {
  db: DatabaseSync;
  /** Set when the file was damaged: what was salvaged into the new one. */
  salvage: SalvageReport | null;
  /** True when the file was too big to check before opening: check it in the background (checkInBackground). */
  checkDeferred: boolean;
}

/**
 * Opens (and migrates) the station database in WAL mode. The file is checked first
 * (quick_check, read-only, so a damaged file is not written by the check); a damaged
 * one is salvaged into a new database and moved aside untouched (salvage.ts).
 */
export function openStore(dataDir: string, opts: { targets?: readonly string[]; checkAtStartBytes?: number } = {}): OpenedStore {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DB_FILE);
  const marker = damageMarker(path);
  let reason: string | null = existsSync(marker) ? readFileSync(marker, 'utf8').trim() || 'damage found while it was open' : null;
  let checkDeferred = false;
  if (reason === null && existsSync(path)) {
    const small = sizeOf(path) <= (opts.checkAtStartBytes ?? CHECK_AT_START_BYTES);
    let probe: DatabaseSync | undefined;
    try {
      // Read-only: closing it never checkpoints a write-ahead log (maybe another database's) into the file.
      probe = new DatabaseSync(path, { readOnly: true });
      knownVersion(probe);
      if (small) reason = quickCheck(probe);
      else checkDeferred = true;
    } catch (e) {
      if (e instanceof StationFault || !isCorruptionError(e)) throw e;
      reason = firstProblem((e as Error).message);
    } finally {
      probe?.close();
    }
  }
  if (reason === null) {
    try {
      return { db: openFile(path), salvage: null, checkDeferred };
    } catch (e) {
      if (e instanceof StationFault || !isCorruptionError(e)) throw e;
      reason = firstProblem((e as Error).message);
    }
  }
  const { db, report } = salvageDatabase(path, { reason, targets: opts.targets ?? [], create: openFile });
  rmSync(marker, { force: true });
  return { db, salvage: report, checkDeferred: false };
}

/** Marks the open database damaged: the next start salvages it, whatever the check then says. */
export function markDamaged(dataDir: string, reason: string): void {
  try {
    writeFileSync(damageMarker(join(dataDir, DB_FILE)), reason + '\n');
  } catch {
    /* a disk that cannot take 100 bytes: the start's own check finds it */
  }
}

/** Opens the station database (openStore), salvaging a damaged one. */
export function openDatabase(dataDir: string): DatabaseSync {
  return openStore(dataDir).db;
}

const CHECK_CHILD = fileURLToPath(new URL('./check-child.ts', import.meta.url));

/**
 * quick_check of a database too big to check before the start, in a child process: resolves
 * with the first problem, null when sound, or 'timeout' (the check is stopped) after `timeoutMs`.
 */
export function checkInBackground(path: string, timeoutMs: number): { result: Promise<string | null | 'timeout'>; stop(): void } {
  const child = fork(CHECK_CHILD, [path], {
    serialization: 'json',
    execArgv: ['--disable-warning=ExperimentalWarning'],
    // Under Electron's utility process execPath is Electron itself: run it as Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let timer: NodeJS.Timeout | undefined;
  const result = new Promise<string | null | 'timeout'>((resolve) => {
    child.once('message', (m) => resolve((m as { problem: string | null }).problem));
    child.once('exit', () => resolve(null));
    child.once('error', () => resolve(null));
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    timer.unref();
  }).finally(() => clearTimeout(timer));
  return { result, stop: () => child.kill('SIGKILL') };
}
