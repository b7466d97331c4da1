import { randomUUID } from 'node:crypto';
import {
  accessSync,
  existsSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  statfsSync,
  watch,
  writeFileSync,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync, backup } from 'node:sqlite';
import { Commands, type CommandHandlers, type CommandName, type StationSnapshot } from '#contract/commands.ts';
import { StationFault, toStationError, type Result, type StationError } from '#contract/errors.ts';
import type { Settings } from '#contract/settings.ts';
import { EventBus } from './events/bus.ts';
import { DB_FILE, SCHEMA_VERSION, checkInBackground, markDamaged, migrate, openStore, quickCheck } from './store/db.ts';
import { isCorruptionError, salvageMessage } from './store/salvage.ts';
import { RunsRepo, classify, type RecoveredRun } from './store/runs-repo.ts';
import { AttachmentStore } from './store/attachments.ts';
import { Socket } from './sockets/socket.ts';
import { InventoryRepo } from './store/inventory-repo.ts';
import { admit, today } from './scanning/admission.ts';
import { SerialScanner, type ScanLine } from './scanning/serial-scanner.ts';
import { listSerialPorts } from './instruments/ports.ts';
import { addressOf, connectInstrument } from './instruments/connect.ts';
import { routeScan } from '#contract/scans.ts';
import { resourceOf } from '#contract/instruments.ts';
import type { Override } from '#contract/commands.ts';
import { BUILTIN_SEQUENCES, findProcedureDir } from './procedures/load.ts';
import { Uploader } from './uploader/uploader.ts';
import { queuedTargetIds } from './uploader/targets.ts';
import { exportRuns, importRuns } from './formats/transfer.ts';
import { ACCESS, allowed } from '#contract/access.ts';
import { needsPin } from '#contract/auth.ts';
import { PeopleRepo } from './auth/people.ts';
import { Sessions, type Caller } from './auth/sessions.ts';
import { notSupervisor } from './auth/refusals.ts';
import { fault as keyedFault, keyed, message, type MessageKey, type MessageParams } from '#contract/messages.ts';
import { languagesFolder, plantLanguages, type PlantLanguages } from './locales.ts';
import { authHandlers } from './auth/auth-handlers.ts';
import { AuditLog } from './store/audit.ts';
import { auditHandlers } from './audit-handlers.ts';
import { startStats } from './stats/handlers.ts';
import { ProcedureVersions, procedureVersionHandlers } from './procedures/versions.ts';
import { ProcedureDesk } from './procedures/edit-handlers.ts';
import { loadSettingsFile, saveSettings } from './settings/settings.ts';
import { recordProcedure, recordStart, recordStop } from './audit-trail.ts';
import { settingsHandlers } from './settings/apply.ts';
import { dropSpareRunner } from './runner/fork.ts';

export { BUILTIN_SEQUENCES };

export const APP_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Below settings.minFreeBytes no run starts; below this much more the operator is warned. */
export const LOW_FREE_MARGIN_BYTES = 448 * 1024 * 1024;

/** While the disk is full the station looks again this often (the banner goes, deferred writes and recovery go through). */
export const STORAGE_RETRY_MS = 2000;

/** Space is back when a file this big can be written and synced (statfs alone misses reserved blocks and quotas). */
const SPACE_PROBE_BYTES = 64 * 1024;

function canWrite(dir: string): boolean {
  const probe = join(dir, '.space-probe');
  try {
    const fd = openSync(probe, 'w');
    try {
      const page = Buffer.alloc(SPACE_PROBE_BYTES);
      let at = 0;
      while (at < page.length) {
        const n = writeSync(fd, page, at);
        if (n <= 0) return false;
        at += n;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * On a read-only disk the store can still be read: history stays available while new
 * runs are refused. Only a database of this version is opened so.
 */
function readOnlyDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EROFS';
  }
}

/** How often the station notes that it is alive (the end time of a run a crash cuts off is at most this early). */
const HEARTBEAT_MS = 2000;
const HEARTBEAT_FILE = 'last-alive';

function writeHeartbeat(dataDir: string): void {
  try {
    writeFileSync(join(dataDir, HEARTBEAT_FILE), new Date().toISOString());
  } catch {
    // A full or read-only disk: the storage state says so; a run cut off now ends at its last event.
  }
}

function readHeartbeat(dataDir: string): string | undefined {
  try {
    const t = readFileSync(join(dataDir, HEARTBEAT_FILE), 'utf8').trim();
    return Number.isNaN(Date.parse(t)) ? undefined : new Date(t).toISOString();
  } catch {
    return undefined;
  }
}

/**
 * A full disk at start: SQLite cannot make the -shm file a WAL database needs, so a normal
 * open fails. In exclusive locking mode it keeps that index in memory and needs no file:
 * the history reads, writes fail with "disk is full" like any write on a full disk, and go
 * through once space is freed, with no restart. The price, until the next start: no other
 * process (the CLI's export) can read the file while this station has it open.
 */
function openWithoutSharedMemory(dataDir: string): DatabaseSync | null {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(join(dataDir, DB_FILE));
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    const v = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    // An older schema would need migrating, which a full disk cannot take: read-only then.
    if (v !== SCHEMA_VERSION) throw new Error(`schema ${v}`);
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM runs').get();
    return db;
  } catch {
    db?.close();
    return null;
  }
}

function openForReading(dataDir: string, fault: StationFault): DatabaseSync | null {
  if (fault.kind !== 'disk.full') return null;
  try {
    // immutable: a WAL database on a read-only disk cannot make its -shm file; nothing writes it now anyway.
    const db = new DatabaseSync(`${pathToFileURL(join(dataDir, DB_FILE)).href}?immutable=1`, { readOnly: true });
    const v = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (v === SCHEMA_VERSION) return db;
    db.close();
  } catch {
    /* not readable either */
  }
  return null;
}

function statfsFree(dir: string): number {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export interface StationOptions {
  dataDir: string;
  settings: Settings;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** A database bigger than this (file and WAL) is checked in the background instead of before the start. */
  checkAtStartBytes?: number;
  /** Run this procedure folder, not the one found by settings.procedureId (`passline run <folder>`). */
  procedureDir?: string;
  /** Writes settings the station changes itself (procedures.assign); default: settings.json in the data dir (headless). */
  saveSettings?: (patch: Partial<Settings>) => void;
  /** What was wrong in the settings file (each bad field kept its last good value): logged, in the snapshot, audited. */
  settingsProblems?: string[];
  /** The settings file the Settings screen saves into; `settings.json` in the data folder by default. */
  settingsPath?: string;
  /** The settings as stored, when `settings` has command-line overrides; the base of a change when the file does not exist. */
  storedSettings?: Settings;
}

export interface Station {
  readonly bus: EventBus;
  readonly handlers: CommandHandlers<Caller>;
  /**
   * Checks the caller's right (contract/access.ts), parses input with the contract, runs the
   * handler, returns `{ok, value|error}`. Never throws. Without a caller: the station's own
   * window (the desktop app's renderer, an in-process test), which logs in like any screen.
   */
  invoke(name: string, input: unknown, caller?: Caller): Promise<Result<unknown>>;
  /** The caller of the station's own window; a login made there holds for every invoke without a caller. */
  readonly window: Caller;
  /** A caller for an API token's secret presented from `from`, or why it is refused. */
  tokenCaller(secret: string, from: string): Caller | { refused: string };
  /** settings.openEventsOnLoopback: `/events` may be read on 127.0.0.1 without a token. */
  readonly openEventsOnLoopback: boolean;
  snapshot(): StationSnapshot;
  /** The plant's language catalogs (settings.languagesDir), for the server's /locales/<tag>.json. */
  readonly languages: PlantLanguages;
  /** Resolves when every socket's runner has loaded its procedure or failed to. */
  ready(): Promise<void>;
  /** Resolves once the plant database (every PostgreSQL target) has the station's state and audit trail as of now (tests, tools). */
  plantDrained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A refusal of `allowed()` as the station sends it: with its message key when it has one. */
function forbidden(may: { message: string; needs: string; key?: MessageKey; params?: MessageParams }, details: unknown = { needs: may.needs }): StationFault {
  return may.key ? keyedFault('forbidden', may.key, may.params, details) : new StationFault('forbidden', may.message, details);
}

export async function createStation(opts: StationOptions): Promise<Station> {
  const { dataDir } = opts;
  // The station's own copy: the Settings screen assigns the fields that apply at once into it.
  const settings: Settings = structuredClone(opts.settings);
  const log = opts.log ?? ((level, message) => console[level === 'info' ? 'log' : level === 'warning' ? 'warn' : 'error'](message));
  const bootId = randomUUID();
  const languages = plantLanguages(() => languagesFolder(settings.languagesDir, dataDir), log);

  // A database that cannot be opened leaves the station running, refusing runs with the reason.
  let fault: StationFault | null = null;
  let db: DatabaseSync;
  type Database = StationSnapshot['database'];
  let database: Database = { state: 'ok' };
  let checkDeferred = false;
  try {
    const opened = openStore(dataDir, {
      targets: queuedTargetIds(settings.uploadTargets),
      ...(opts.checkAtStartBytes !== undefined ? { checkAtStartBytes: opts.checkAtStartBytes } : {}),
    });
    db = opened.db;
    checkDeferred = opened.checkDeferred;
    if (opened.salvage) {
      const r = opened.salvage;
      database = {
        state: 'salvaged',
        message: salvageMessage(r),
        aside: r.aside,
        runs: { salvaged: r.runs.salvaged, total: r.runs.total, unreadable: r.runs.unreadable },
      };
      log('warning', database.message!);
    }
  } catch (e) {
    const err = classify(readOnlyDir(dataDir) ? new Error('EROFS: read-only file system') : e);
    // SQLite says only "disk I/O error" when it cannot make its -shm file on a full disk: that is not damage.
    const noSpace = !(err instanceof StationFault) && statfsFree(dataDir) < Math.max(settings.minFreeBytes, SPACE_PROBE_BYTES);
    const exclusive = noSpace && !readOnlyDir(dataDir) ? openWithoutSharedMemory(dataDir) : null;
    if (exclusive)
      log(
        'warning',
        'The station disk is full at start: the database is open in exclusive mode (no other program can read it until the station restarts); runs start again once space is freed.',
      );
    fault = exclusive
      ? null
      : noSpace
        ? keyedFault('disk.full', 'diskFullStart')
        : err instanceof StationFault
          ? err
          : new StationFault('db.corrupted', `The station database cannot be opened: ${(e as Error).message}`);
    if (exclusive) db = exclusive;
    else {
      const f = fault!;
      log('error', f.message);
      db = openForReading(dataDir, f) ?? new DatabaseSync(':memory:');
      if (db.location() === null) migrate(db);
      if (f.kind !== 'disk.full') database = { state: f.kind === 'db.newer-version' ? 'newer-version' : 'unavailable', message: f.message };
    }
  }
  /**
   * Damage found while the file is open (a read or write SQLite calls malformed, the background
   * check): nothing more is written into it, new runs are refused, and the next start salvages it.
   */
  const onDamage = (e: unknown): void => {
    if (database.state === 'damaged' || !isCorruptionError(e)) return;
    const reason = (e instanceof Error ? e.message : String(e)).slice(0, 200);
    markDamaged(dataDir, reason);
    fault = keyedFault('db.corrupted', 'dbDamaged', { reason });
    database = { state: 'damaged', message: fault.message };
    log('error', fault.message);
    // Every later write is refused by SQLite itself, so nothing lands in damaged pages.
    try {
      db.exec('PRAGMA query_only = ON');
    } catch {
      /* the refusal of new runs still holds */
    }
  };
  const repo = new RunsRepo(db);
  const attachments = new AttachmentStore(dataDir);

  // A full or read-only disk refuses new runs with a clear reason; what is stored stays.
  type Storage = StationSnapshot['storage'];
  let storage: Storage = { state: 'ok' };
  let writeFault: StationFault | null = null;
  /** Interrupted runs not yet recorded as ABORTED because the disk was full at start. */
  let unrecovered = 0;
  /** Writes that failed for want of space (a run's end), retried in order when space returns. */
  const deferred: (() => void)[] = [];
  const fullAtStart = (): string => message('storageFullAtStart', { count: unrecovered, seconds: STORAGE_RETRY_MS / 1000 });
  const checkStorage = (): Storage => {
    if (fault)
      return (storage = {
        state: fault.kind !== 'disk.full' ? 'unavailable' : fault.message.includes('disk is full') ? 'full' : 'read-only',
        message: fault.message,
      });
    if (unrecovered > 0) return (storage = { state: 'full', message: fullAtStart() });
    if (writeFault) return (storage = { state: writeFault.message.includes('read-only') ? 'read-only' : 'full', message: writeFault.message });
    try {
      const free = statfsSync(dataDir).bavail * statfsSync(dataDir).bsize;
      if (free < settings.minFreeBytes) {
        storage = {
          state: 'full',
          freeBytes: free,
          message: message('storageFull', { mb: Math.round(free / 1e6) }),
        };
      } else if (free < settings.minFreeBytes + LOW_FREE_MARGIN_BYTES) {
        storage = { state: 'low', freeBytes: free, message: message('storageLow', { mb: Math.round(free / 1e6) }) };
      } else storage = { state: 'ok', freeBytes: free };
    } catch {
      storage = { state: 'ok' };
    }
    return storage;
  };
  checkStorage();
  /** Set once the bus exists: tells the screens of a change. */
  let announceStorage: ((st: Storage) => void) | null = null;
  let wakeUploads = (): void => {};
  const storageKey = (st: Storage): string => `${st.state}|${(st.message ?? '').replace(/\d+/g, '#')}`;
  let shown = storageKey(storage);
  /** Tells the screens when the storage state changes (MB figures aside). */
  const refreshStorage = (): Storage => {
    const st = checkStorage();
    const key = storageKey(st);
    const changed = key !== shown;
    // Set first: publishing can fail to log on a full disk and come back here.
    shown = key;
    if (changed) announceStorage?.(st);
    return st;
  };
  const isFullError = (e: unknown): boolean => {
    const c = classify(e);
    return c instanceof StationFault && c.kind === 'disk.full';
  };
  /** Called when a write failed: a disk-full or read-only error blocks new runs until a write works again. Returns it in a few words. */
  const onStoreError = (e: unknown): string => {
    onDamage(e);
    if (database.state === 'damaged') return 'the station database is damaged';
    const c = classify(e);
    if (c instanceof StationFault && c.kind === 'disk.full') {
      if (!writeFault) log('error', c.message);
      writeFault = c;
      refreshStorage();
      return c.message.includes('read-only') ? 'the disk is read-only' : 'disk full';
    }
    return (e as Error).message;
  };
  // Targets come from settings; a finished run is queued for each enabled one in the transaction that ends it.
  let queued = queuedTargetIds(settings.uploadTargets);
  const uploadTargets = (): readonly string[] => queued;
  /** Interrupted runs become ABORTED; on a full disk they wait (the station starts anyway) and are retried. */
  // When the station was last alive before this start (read before this boot's heartbeat).
  const lastAlive = readHeartbeat(dataDir);
  const recovered: RecoveredRun[] = [];
  const recover = (): void => {
    try {
      for (const r of repo.recoverInterrupted('station stopped during run', uploadTargets(), lastAlive)) {
        log(
          'warning',
          `run of ${r.serialNumber} on socket ${r.socket + 1} was cut off by a station stop${r.phase ? ` during ${r.phase}` : ''}: recorded ABORTED`,
        );
        recovered.push(r);
      }
      unrecovered = 0;
    } catch (e) {
      if (!isFullError(e)) throw e;
      const first = unrecovered === 0;
      unrecovered = repo.countRunning();
      if (first) log('error', fullAtStart());
    }
  };
  if (!fault) recover();
  // When the station was last alive, for the next start's recovery of a run cut off now.
  const heartbeat = setInterval(() => writeHeartbeat(dataDir), HEARTBEAT_MS);
  heartbeat.unref();
  writeHeartbeat(dataDir);
  shown = storageKey(checkStorage());

  /** After a failed write: when space is back, the deferred writes and the recovery go through, in order. */
  const retryStore = (): void => {
    if (!writeFault && unrecovered === 0 && deferred.length === 0) return;
    if (statfsFree(dataDir) < settings.minFreeBytes || !canWrite(dataDir)) return;
    try {
      if (unrecovered > 0) recover();
      if (unrecovered > 0) return;
      while (deferred.length > 0) {
        deferred[0]!();
        deferred.shift();
      }
      if (writeFault) log('info', 'the station disk has space again: runs can start');
      writeFault = null;
      wakeUploads();
    } catch (e) {
      onStoreError(e);
    }
  };
  const blocked = (): StationFault | null => {
    if (fault) return fault;
    retryStore();
    const st = refreshStorage();
    return st.state === 'full' || st.state === 'read-only' ? new StationFault('disk.full', st.message ?? 'The station disk is full.') : null;
  };
  const storageTimer = setInterval(() => {
    retryStore();
    refreshStorage();
  }, STORAGE_RETRY_MS);
  storageTimer.unref();

  const inventory = new InventoryRepo(db);
  const people = new PeopleRepo(db);
  const sessions = new Sessions({ idleMinutes: () => settings.sessionIdleMinutes, requireBadgeLogin: () => settings.requireBadgeLogin });
  const auditLog = new AuditLog(db);
  const versions = new ProcedureVersions(db, log);
  /** One entry in the audit trail; a failure to write it is logged, never a reason to fail the act already done. */
  const tryAudit = (what: string, write: () => unknown): void => {
    try {
      write();
    } catch (e) {
      onStoreError(e);
      log('error', `audit: ${what} not recorded: ${(e as Error).message}`);
    }
  };
  const audit = (actor: string, action: string, details: Record<string, unknown>, procedureId?: string): void =>
    tryAudit(`${action} by ${actor}`, () => auditLog.append({ actor, action, details, procedureId: procedureId ?? null }));
  const startedAt = Date.now();
  const windowCaller = Sessions.ui('window');
  const stationCaller = Sessions.station();
  const bus = new EventBus(repo);
  announceStorage = (st) => bus.publish({ kind: 'storage.changed', data: st });
  bus.onLogError = (e) => {
    onStoreError(e);
    if (database.state !== 'damaged') log('error', `event log: ${(e as Error).message}`);
  };
  const startedEvent = bus.publish({
    kind: 'station.started',
    data: { stationId: settings.stationId, stationName: settings.stationName, bootId, sockets: settings.sockets, appVersion: APP_VERSION },
  });
  tryAudit('station.started', () => recordStart(auditLog, { settings, appVersion: APP_VERSION, bootId }));
  const settingsProblems = opts.settingsProblems ?? [];
  for (const p of settingsProblems) log('error', `settings: ${p}`);
  if (settingsProblems.length) audit('station', 'settings.problem', { problems: settingsProblems });
  // A procedure whose content the trail has not seen (edited by hand, a new folder) is recorded with what changed.
  // A hash the app wrote is already in the trail (procedure.changed, with author and reason); any other is changed outside the app.
  let desk: ProcedureDesk<Caller> | null = null;
  bus.subscribe((e) => {
    if (e.kind !== 'procedure.loaded') return;
    const p = e.data.procedure;
    // Every version that loaded is kept (content + hash) for procedures.versions / procedures.compare.
    if (!fault) versions.record(p);
    tryAudit('procedure.changed', () => (desk && !fault ? desk.onLoaded(p, () => recordProcedure(auditLog, p)) : recordProcedure(auditLog, p)));
  }, bus.lastSeq);

  const uploader = new Uploader({
    db,
    repo,
    bus,
    targets: fault ? [] : settings.uploadTargets,
    retry: settings.uploadRetry,
    appVersion: APP_VERSION,
    log,
    attachments,
    // The trail goes to targets that keep it (PostgreSQL), in order, once.
    ...(fault ? {} : { audit: { stationId: settings.stationId, source: auditLog } }),
    // Heartbeat and state changes (sockets, runs, phases) go to the plant database, in order, once.
    ...(fault
      ? {}
      : {
          plant: {
            station: {
              id: settings.stationId,
              name: settings.stationName,
              line: settings.stationLine,
              appVersion: APP_VERSION,
              sockets: settings.sockets,
              bootId,
              heartbeatSeconds: settings.heartbeatSeconds,
              bootSeq: startedEvent.seq,
            },
            source: bus,
          },
        }),
  });
  uploader.start();
  wakeUploads = () => uploader.wake();

  let procedureDir = '';
  let procedureError: StationError | null = null;
  const sequenceRoot = settings.sequenceFolder || BUILTIN_SEQUENCES;
  try {
    procedureDir = opts.procedureDir ?? (await findProcedureDir(sequenceRoot, settings.procedureId));
  } catch (e) {
    procedureError = toStationError(e);
    log('error', procedureError.message);
    bus.publish({ kind: 'procedure.failed', data: { error: procedureError } });
  }
  // Per socket: the procedure settings.socketProcedures assigns it (procedures.assign), else procedureId's.
  const socketDirs: string[] = [];
  for (let index = 0; index < settings.sockets && procedureDir; index++) {
    const id = settings.socketProcedures[index];
    let dir = procedureDir;
    if (!opts.procedureDir && id !== undefined && id !== settings.procedureId) {
      try {
        dir = await findProcedureDir(sequenceRoot, id);
      } catch (e) {
        log('error', `socket ${index + 1}: ${toStationError(e).message}; it runs ${settings.procedureId} instead`);
      }
    }
    socketDirs.push(dir);
  }

  const sockets: Socket[] = [];
  desk = new ProcedureDesk<Caller>({
    db,
    dataDir,
    settings,
    root: sequenceRoot,
    sockets,
    auditLog,
    // Every act of the desk is in the trail; the Procedures screen hears of it by this event instead of polling.
    audit: (actor, action, details, procedureId) => {
      audit(actor, action, details, procedureId);
      bus.publish({ kind: 'procedures.changed', data: { procedureId: procedureId ?? null, action } });
    },
    actor: (caller) => sessions.actor(caller),
    people,
    versions,
    findDir: (id) => findProcedureDir(sequenceRoot, id),
    // Into the settings file as stored now (the Settings screen may have changed it since the start).
    saveSettings:
      opts.saveSettings ??
      ((patch) => {
        const path = opts.settingsPath ?? join(dataDir, 'settings.json');
        const stored = existsSync(path) ? loadSettingsFile(dataDir, path).settings : (opts.storedSettings ?? settings);
        saveSettings(dataDir, { ...stored, ...patch }, path);
      }),
    watch: (dir) => watchProcedure(dir),
    log,
  });
  // With approval on, a folder changed while the station was down waits as a draft: the sockets start on the approved copy.
  const pins = fault ? new Map<string, string>() : await desk.baseline(socketDirs);
  if (procedureDir) {
    for (let index = 0; index < settings.sockets; index++) {
      const s = new Socket({
        index,
        stationId: settings.stationId,
        appVersion: APP_VERSION,
        procedureDir: socketDirs[index]!,
        // Read at each load: a change on the Settings screen reaches the runner when it reloads.
        get instruments() {
          return settings.instruments;
        },
        abortGraceMs: settings.abortGraceMs,
        bus,
        repo,
        uploadTargets,
        blocked,
        onStoreError,
        deferWrite: (write) => deferred.push(write),
        attachments: { dir: attachments.root, maxBytes: settings.attachmentMaxBytes, runMaxBytes: settings.attachmentRunMaxBytes },
        loadTimeoutMs: settings.procedureLoadTimeoutMs,
        lastGoodDir: join(dataDir, 'last-good-procedure', `socket-${index}`),
        log,
      });
      sockets.push(s);
      const pin = pins.get(socketDirs[index]!);
      if (pin) s.setSource(socketDirs[index]!, pin);
      s.start();
    }
  }
  // The launcher's early runner (runner/fork.ts), if no socket took it.
  dropSpareRunner();

  // Retention: acknowledged runs older than retentionDays go, a batch at a time, hourly.
  const pruneOnce = (): number => {
    if (settings.retentionDays === 0 || fault) return 0;
    const cutoff = new Date(Date.now() - settings.retentionDays * 86_400_000).toISOString();
    let total = 0;
    try {
      for (;;) {
        const { runs, orphanedAttachments } = repo.prune(cutoff);
        for (const sha of orphanedAttachments) attachments.remove(sha);
        total += runs;
        if (runs < 1000) break;
      }
      if (total) log('info', `retention: deleted ${total} acknowledged run(s) that ended before ${cutoff}`);
    } catch (e) {
      onStoreError(e);
      log('error', `retention: ${(e as Error).message}`);
    }
    return total;
  };
  pruneOnce();
  const pruneTimer = setInterval(pruneOnce, 3_600_000);
  pruneTimer.unref();

  // Edited procedure files are picked up without a restart, never in the middle of a run (one watcher per folder a socket runs).
  const watchers = new Map<string, FSWatcher>();
  const watchProcedure = (dir: string): void => {
    if (watchers.has(dir)) return;
    let debounce: NodeJS.Timeout | null = null;
    try {
      // Recursive: a helper in a subfolder is part of the procedure too (see procedures/files.ts).
      const watcher = watch(dir, { recursive: true }, (_event, file) => {
        if (file && (!/\.(ya?ml|[cm]?[jt]s|json|png|jpe?g|gif|svg|webp)$/.test(file) || /(^|[\\/])node_modules[\\/]/.test(file))) return;
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(() => {
          log('info', `procedure files changed in ${dir}: reloading`);
          void desk!.diskChanged(dir).catch((e: unknown) => log('error', `procedure ${dir}: ${(e as Error).message}`));
        }, 250);
      });
      watcher.on('error', (e) => log('warning', `watching ${dir} stopped: ${e.message}`));
      watchers.set(dir, watcher);
    } catch (e) {
      log('warning', `cannot watch ${dir} for changes: ${(e as Error).message}`);
    }
  };
  for (const dir of new Set(socketDirs)) watchProcedure(dir);

  const socketAt = (i: number): Socket => {
    const s = sockets[i];
    if (!s) {
      if (procedureError) throw new StationFault(procedureError.kind, procedureError.message, procedureError.details);
      throw keyedFault('invalid-input', 'socketNone', { socket: i, count: sockets.length }, { field: 'socket' }, 'socket');
    }
    return s;
  };

  const snapshot = (): StationSnapshot => {
    const withProc = sockets.find((s) => s.procedure);
    const err = sockets.find((s) => s.procedureError)?.procedureError;
    const warning = sockets.find((s) => s.procedureWarning)?.procedureWarning;
    return {
      station: {
        id: settings.stationId,
        name: settings.stationName,
        appVersion: APP_VERSION,
        bootId,
        dataDir,
        language: settings.language,
        languages: languages.list(),
      },
      seq: bus.lastSeq,
      procedure: withProc?.procedure ?? null,
      // A database problem has its own place (database); a read-only disk shows as before.
      procedureError: procedureError ?? (err ? err.toJSON() : fault?.kind === 'disk.full' ? fault.toJSON() : null),
      procedureWarning: warning ? warning.toJSON() : null,
      storage,
      database,
      recoveredRuns: recovered,
      sockets: sockets.map((s) => s.snapshot),
      upload: uploader.status(),
      operatorId,
      scanRoutes: settings.scanRoutes,
      settingsProblems,
      shiftYield: stats.shift(),
    };
  };

  // Operator login by badge scan; station-wide, recorded on every run it starts.
  let operatorId: string | null = null;
  const setOperator = (id: string | null, source?: string): void => {
    if (id === operatorId) return;
    const before = operatorId;
    operatorId = id;
    audit(id ?? before ?? 'station', id ? 'operator.login' : 'operator.logout', { source: source ?? null });
    bus.publish({ kind: 'operator.changed', data: { operatorId: id, ...(source !== undefined ? { source } : {}) } });
  };

  /**
   * A supervisor's approval at the operator's screen: their badge and PIN, checked like a login.
   * Returns the approver's badge; a wrong one is refused and audited.
   */
  const checkApprover = async (override: Override, caller: Caller): Promise<string> => {
    const r = await people.check(override.supervisorId, override.pin);
    const problem = !r.ok ? r : r.person.role !== 'supervisor' && r.person.role !== 'admin' ? notSupervisor(r.person) : null;
    if (problem !== null) {
      audit(override.supervisorId, 'override.refused', { from: caller.from, reason: problem.reason });
      throw keyedFault(
        'supervisor.invalid',
        'notApproved',
        { ...problem.params, reason: problem.key },
        { field: problem.reason.includes('PIN') ? 'override.pin' : 'override.supervisorId' },
      );
    }
    return override.supervisorId;
  };

  /** Who a run is recorded as run by: the person logged in on the caller, else the operator who scanned their badge. */
  const runOperator = (caller: Caller): string | undefined => {
    const session = sessions.session(caller);
    if (session.kind === 'person' || session.kind === 'os') return sessions.actor(caller);
    if (operatorId !== null) return operatorId;
    if (settings.requireBadgeLogin) throw keyedFault('forbidden', 'runNeedsOperator', {}, { needs: 'operator' });
    return session.kind === 'token' ? sessions.actor(caller) : undefined;
  };

  /** Starts a run after the admission checks (check digit, retest rules, calibration). */
  const startRun = async (
    index: number,
    serialNumber: string,
    caller: Caller,
    o: {
      params?: Record<string, string | number | boolean> | undefined;
      confirmRetest?: boolean | undefined;
      override?: Override | undefined;
    },
  ): Promise<string> => {
    const s = socketAt(index);
    const who = runOperator(caller);
    if (o.override) await checkApprover(o.override, caller);
    const { unit, annotations } = admit(
      {
        serialNumber,
        procedure: s.procedure,
        instruments: s.snapshot.instruments ?? [],
        fixtureId: s.snapshot.fixtureId ?? null,
        operatorId: who,
        confirmRetest: o.confirmRetest,
        override: o.override,
      },
      inventory,
    );
    return s.startRun(serialNumber, who, o.params, {
      unit,
      withRun: (runId) => {
        inventory.annotate(runId, annotations);
        for (const ov of annotations.overrides ?? [])
          audit(ov.by, `override.${ov.kind}`, { runId, serialNumber, message: ov.message, reason: ov.reason ?? null, from: caller.from }, s.procedure?.id);
      },
    });
  };

  /** A scan from the keyboard wedge or a serial scanner: routed by pattern, announced as scan.received. */
  const submitScan = async (
    scan: { text: string; socket: number; source: string; confirmRetest?: boolean | undefined; override?: Override | undefined },
    caller: Caller,
  ) => {
    const text = scan.text.trim();
    const { route, id } = routeScan(text, settings.scanRoutes);
    const at = new Date().toISOString();
    const announce = (accepted: boolean, said?: { message: string; key?: string | undefined; params?: MessageParams | undefined }, runId?: string) =>
      bus.publish({
        kind: 'scan.received',
        socket: scan.socket,
        data: {
          text,
          source: scan.source,
          at,
          socket: scan.socket,
          route,
          accepted,
          ...(said !== undefined ? { message: said.message } : {}),
          ...(said?.key !== undefined ? { key: said.key, params: said.params ?? {} } : {}),
          ...(runId !== undefined ? { runId } : {}),
        },
      });
    try {
      if (route === 'badge') {
        // A badge scan logs in an operator. A supervisor's badge alone opens nothing more: their
        // rights need the PIN (session.login); scanned, they are the operator at the station.
        const person = people.get(id);
        const refuse = (key: MessageKey, params: MessageParams): never => {
          audit(id, 'session.loginFailed', { from: caller.from, source: scan.source, reason: message(key, params) });
          throw keyedFault('login.failed', 'notLoggedIn', { ...params, reason: key }, { field: 'text' });
        };
        if (person?.disabled) refuse('badgeDisabled', { badge: id, name: person.name });
        // With badge login required, only people an admin added may log in.
        if (!person && settings.requireBadgeLogin) refuse('badgeUnknownAddInPeople', { badge: id });
        if (caller.kind === 'ui') {
          if (caller.login && caller.login.person.badge !== id) sessions.logout(caller);
          if (person && !needsPin(person.role) && !person.hasPin) sessions.login(caller, person);
        }
        setOperator(id, scan.source);
        announce(true, keyed('scanOperator', { id }));
        return { route, id };
      }
      // A unit or a fixture is operating the station: the caller needs the operator's right.
      const may = allowed(sessions.session(caller), 'run.start');
      if (!may.ok) throw forbidden(may);
      if (route === 'fixture') {
        socketAt(scan.socket).setFixture(id);
        announce(true, keyed('scanFixture', { id, socket: scan.socket + 1 }));
        return { route, id };
      }
      const runId = await startRun(scan.socket, text, caller, { confirmRetest: scan.confirmRetest, override: scan.override });
      announce(true, undefined, runId);
      return { route, id, runId };
    } catch (e) {
      announce(
        false,
        e instanceof StationFault ? { message: e.message, key: e.key, params: e.params } : { message: e instanceof Error ? e.message : String(e) },
      );
      throw e;
    }
  };

  const openScanners = (): SerialScanner[] =>
    settings.scanners.map(
      (cfg) =>
        new SerialScanner(cfg, {
          scan: (line: ScanLine) => {
            // Refused: scan.received says why.
            submitScan({ text: line.text, socket: cfg.socket, source: line.source }, stationCaller).catch(() => undefined);
          },
          state: (connected, message) =>
            log(connected ? 'info' : 'warning', `scanner ${cfg.name} (${cfg.port}): ${connected ? 'connected' : `not connected: ${message ?? ''}`}`),
        }),
    );
  let scanners = openScanners();

  /** "Test connection": through the runner that holds the address open, else on a fresh connection. */
  const testInstrument = async (address: string, timeoutMs: number) => {
    const a = addressOf('test', address);
    for (const s of sockets) {
      const held = (s.snapshot.instruments ?? []).find((i) => i.state !== 'closed' && resourceOf(addressOf(i.name, i.address)) === resourceOf(a));
      if (!held) continue;
      const r = await s.testInstrument(held.name, timeoutMs);
      if (!r.identity) throw new StationFault(/disconnected/.test(r.error ?? '') ? 'instrument.disconnected' : 'instrument.timeout', r.error ?? 'no identity');
      return { identity: r.identity, roundTripMs: r.roundTripMs ?? 0, via: 'runner' as const };
    }
    const o = connectInstrument('test', address, { reconnectMs: 200 });
    const t0 = performance.now();
    try {
      await o.connection.ready(timeoutMs, undefined, true);
      const identity = await o.instrument.identify(AbortSignal.timeout(timeoutMs));
      return { identity, roundTripMs: Math.round((performance.now() - t0) * 100) / 100, via: 'station' as const };
    } catch (e) {
      const msg = (e as Error).message;
      throw new StationFault(
        /disconnected|does not exist|refused|closed/.test(msg) ? 'instrument.disconnected' : 'instrument.timeout',
        `${address}: ${msg.replace(/^instrument test(: )?/, '')}`,
      );
    } finally {
      await o.instrument.close().catch(() => undefined);
    }
  };

  /**
   * A supervisor's backup: refused if it would take the disk under the free-space floor,
   * checked after it is written (never an answer of ok with an empty copy), and only the
   * newest settings.backupKeep copies are kept.
   */
  let backupSeq = 0;
  const takeBackup = async (by: string): Promise<{ path: string; bytes: number }> => {
    if (db.location() === null)
      throw new StationFault('disk.full', `The station database is not open (${storage.message ?? 'see the station log'}): there is nothing to back up.`);
    const pragma = (name: string): number => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0]);
    const need = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
    const free = statfsFree(dataDir);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    if (free - need < settings.minFreeBytes) {
      throw new StationFault(
        'disk.full',
        `No backup was written: a copy needs about ${mb(need)} and the disk has ${mb(free)} free, which would leave less than the ${mb(settings.minFreeBytes)} the station keeps free for results. Free space (or move old backups off the station) and try again.`,
      );
    }
    const dir = join(dataDir, 'backups');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `passline-${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++backupSeq).padStart(4, '0')}.db`);
    try {
      // SQLite's online backup copies page by page between turns of the event loop: runs go on meanwhile.
      await backup(db, path, { rate: 256 });
      // A standalone file (no -wal beside it), checked before the answer says ok.
      const copy = new DatabaseSync(path);
      try {
        copy.exec('PRAGMA journal_mode = DELETE');
        const check = (copy.prepare('PRAGMA quick_check(1)').get() as { quick_check: string }).quick_check;
        const version = Number((copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
        if (check !== 'ok' || version !== SCHEMA_VERSION) throw new Error(`the copy is not sound (${check}, schema ${version})`);
      } finally {
        copy.close();
      }
    } catch (e) {
      for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
      const c = classify(e);
      if (c instanceof StationFault) throw new StationFault(c.kind, `No backup was written: ${c.message}`);
      throw new StationFault('internal', `No backup was written: ${(e as Error).message}`);
    }
    const bytes = statSync(path).size;
    // Names sort by time: the oldest beyond backupKeep go.
    const copies = readdirSync(dir)
      .filter((f) => /^passline-.*\.db$/.test(f))
      .sort();
    for (const old of copies.slice(0, Math.max(0, copies.length - settings.backupKeep))) rmSync(join(dir, old), { force: true });
    audit(by, 'store.backup', { path, bytes });
    return { path, bytes };
  };

  // Yield, Pareto, SPC and drift alerts over the store (stats/handlers.ts); alerts go out as stats.alert.
  const stats = startStats({
    db,
    settings: () => settings,
    audit: auditLog,
    bus,
    canWrite: () => !fault,
    busy: () => sockets.some((s) => s.snapshot.state === 'running' || s.snapshot.state === 'cleanup'),
    log,
  });

  const handlers: CommandHandlers<Caller> = {
    ...authHandlers({
      people,
      sessions,
      requireBadgeLogin: () => settings.requireBadgeLogin,
      audit,
      operatorChanged: (badge, source) => setOperator(badge, source),
    }),
    'station.snapshot': () => snapshot(),
    'locales.get': (i) => ({ language: i.language, catalog: languages.get(i.language) }),
    'run.start': async (i, caller) => ({ runId: await startRun(i.socket, i.serialNumber, caller, i) }),
    'scan.submit': (i, caller) => submitScan(i, caller),
    'operator.logout': (_i, caller) => {
      // The operator leaves: their login on this screen ends with them.
      if (caller.login?.person.badge === operatorId) sessions.logout(caller);
      setOperator(null);
      return {};
    },
    'instruments.list': () => ({
      instruments: sockets.flatMap((s) =>
        (s.snapshot.instruments ?? []).map((i) => {
          const cal = i.identity ? inventory.findCalibration(i.identity) : null;
          return { ...i, socket: s.index, ...(cal ? { calibrationDue: cal.dueDate, calibrationOverdue: cal.dueDate < today() } : {}) };
        }),
      ),
    }),
    'ports.list': () => listSerialPorts(),
    'instrument.test': (i) => testInstrument(i.address, i.timeoutMs),
    'calibration.list': () => ({ entries: inventory.listCalibration() }),
    'calibration.set': (i, caller) => {
      inventory.setCalibration(i, sessions.actor(caller));
      return {};
    },
    'run.abort': (i) => ({ aborted: socketAt(i.socket).abort(i.reason) }),
    'prompt.answer': (i) => {
      socketAt(i.socket).answerPrompt(i.promptId, i.answer);
      return {};
    },
    'runs.list': (i) => ({ runs: repo.listRuns(i) }),
    'runs.get': (i) => repo.getRun(i.runId),
    'units.history': (i) => ({ serialNumber: i.serialNumber, runs: repo.unitHistory(i.serialNumber) }),
    'attachments.get': (i) => {
      if (!attachments.has(i.sha256)) throw new StationFault('not-found', `no attachment ${i.sha256} on this station`);
      const bytes = attachments.readChecked(i.sha256);
      return { sha256: i.sha256, size: bytes.byteLength, base64: bytes.toString('base64') };
    },
    'store.backup': (_i, caller) => {
      assertBackupable();
      return takeBackup(sessions.actor(caller));
    },
    'events.since': (i) => bus.since(i.afterSeq, i.limit),
    'upload.status': () => uploader.status(),
    'upload.listParked': (i) => ({ runs: uploader.listParked(i.target, i.limit) }),
    'upload.forRun': (i) => ({ runId: i.runId, uploads: uploader.forRun(i.runId) }),
    'upload.retry': (i, caller) => ({ count: uploader.retryParked(sessions.actor(caller), i.target, i.runIds) }),
    'upload.drop': (i, caller) => ({ count: uploader.drop(sessions.actor(caller), i.target, i.runIds, i.reason) }),
    'runs.export': (i) => exportRuns(repo, i, attachments),
    'runs.import': (i) => importRuns(repo, i.format, i.content, attachments),
    ...auditHandlers(auditLog, settings.stationId),
    ...stats.handlers,
    ...procedureVersionHandlers(versions),
    ...desk.handlers(),
    ...settingsHandlers({
      inForce: settings,
      dataDir,
      path: opts.settingsPath ?? join(dataDir, 'settings.json'),
      stored: opts.storedSettings ?? opts.settings,
      appVersion: APP_VERSION,
      attachments,
      log,
      actor: (caller) => sessions.actor(caller),
      audit,
      applyTargets: async (targets, retry) => {
        queued = fault ? [] : queuedTargetIds(targets);
        if (!fault) await uploader.setTargets(targets, retry);
      },
      reopenScanners: async () => {
        const old = scanners;
        scanners = [];
        await Promise.all(old.map((sc) => sc.close().catch(() => undefined)));
        if (!closing) scanners = openScanners();
      },
      reloadInstruments: () => {
        for (const s of sockets) s.reload();
      },
    }),
  };

  /** A backup is a copy of a sound database: never of the stand-in an unusable one leaves, never of a damaged one. */
  const assertBackupable = (): void => {
    if (database.state !== 'ok' && database.state !== 'salvaged')
      throw new StationFault(fault?.kind ?? 'db.corrupted', `No backup made: ${database.message ?? 'the station database cannot be used'}`);
    if (!checkDeferred) {
      const problem = quickCheck(db);
      if (problem !== null) {
        onDamage(new Error(`database disk image is malformed: ${problem}`));
        throw new StationFault('db.corrupted', `No backup made: ${database.message}`);
      }
    }
  };
  // A file too big to check before the start is checked beside it; damage found stops writes like any other.
  const background = checkDeferred ? checkInBackground(join(dataDir, DB_FILE), 10 * 60_000) : null;
  void background?.result.then((problem) => {
    if (problem === 'timeout') log('warning', 'database check: not finished in 10 minutes, stopped');
    else if (problem !== null) onDamage(new Error(`database disk image is malformed: ${problem}`));
    else checkDeferred = false;
  });

  const invoke = async (name: string, input: unknown, caller: Caller = windowCaller): Promise<Result<unknown>> => {
    try {
      if (!Object.hasOwn(Commands, name)) throw new StationFault('invalid-input', `unknown command "${name}"`);
      const cmd = name as CommandName;
      // The right first, from the caller's session: never from anything in the input.
      const expired = sessions.expire(caller);
      if (expired) audit(expired.person.badge, 'session.expired', { from: caller.from, idleMinutes: settings.sessionIdleMinutes });
      if (caller.kind === 'token' && !people.tokenActive(caller.token!.id))
        throw new StationFault('forbidden', `token ${caller.token!.id} (${caller.token!.name}) was revoked: ask an admin for a new one`, {
          needs: ACCESS[cmd].scope,
        });
      const may = allowed(sessions.session(caller), cmd);
      if (!may.ok && expired && may.key)
        throw keyedFault('forbidden', 'loginEnded', { ...may.params, count: settings.sessionIdleMinutes, reason: may.key }, { needs: may.needs });
      if (!may.ok)
        throw forbidden(may, {
          needs: may.needs,
        });
      if (input !== null && typeof input === 'object' && Object.hasOwn(input, 'by'))
        throw new StationFault('invalid-input', 'by: who acts is taken from your login; leave by out', { field: 'by' });
      const args = Commands[cmd].input.parse(input ?? {});
      if (cmd !== 'session.get') sessions.touch(caller);
      const value = await (handlers[cmd] as (a: unknown, c: Caller) => unknown)(args, caller);
      return { ok: true, value };
    } catch (e) {
      onDamage(e);
      return { ok: false, error: toStationError(classify(e)) };
    }
  };

  let closing: Promise<void> | undefined;
  return {
    bus,
    handlers,
    invoke,
    window: windowCaller,
    tokenCaller: (secret, from) => {
      const r = people.useToken(secret, from);
      return r.ok ? Sessions.token(r.token, from) : { refused: r.reason };
    },
    openEventsOnLoopback: settings.openEventsOnLoopback,
    snapshot,
    languages,
    ready: async () => {
      await Promise.all(sockets.map((s) => s.whenSettled()));
    },
    plantDrained: async (timeoutMs) => {
      await Promise.all([uploader.drainState(timeoutMs), uploader.drainAudit(timeoutMs)]);
    },
    // Closing twice (a shell's quit after a signal's) closes once.
    close: () => (closing ??= closeOnce()),
  };
  async function closeOnce(): Promise<void> {
    clearInterval(pruneTimer);
    clearInterval(heartbeat);
    background?.stop();
    clearInterval(storageTimer);
    for (const w of watchers.values()) w.close();
    await Promise.all(scanners.map((sc) => sc.close().catch(() => undefined)));
    await Promise.all(sockets.map((s) => s.close()));
    if (!fault) tryAudit('station.stopped', () => recordStop(auditLog, { settings, appVersion: APP_VERSION, bootId, startedAt }));
    await uploader.close();
    bus.flush();
    await versions.idle();
    stats.close();
    db.close();
  }
}
