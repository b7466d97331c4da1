import { randomUUID } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { Commands, type CommandHandlers, type CommandName, type StationSnapshot } from '#contract/commands.ts';
import { StationFault, toStationError, type Result, type StationError } from '#contract/errors.ts';
import type { Settings } from '#contract/settings.ts';
import { EventBus } from './events/bus.ts';
import { openDatabase, migrate } from './store/db.ts';
import { RunsRepo, classify } from './store/runs-repo.ts';
import { Socket } from './sockets/socket.ts';
import { BUILTIN_SEQUENCES, findProcedureDir } from './procedures/load.ts';
import { Uploader } from './uploader/uploader.ts';
import { queuedTargetIds } from './uploader/targets.ts';
import { exportRuns, importRuns } from './formats/transfer.ts';

export { BUILTIN_SEQUENCES };

export const APP_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface StationOptions {
  dataDir: string;
  settings: Settings;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
}

export interface Station {
  readonly bus: EventBus;
  readonly handlers: CommandHandlers;
  /** Parses input with the contract, runs the handler, returns `{ok, value|error}`. Never throws. */
  invoke(name: string, input: unknown): Promise<Result<unknown>>;
  snapshot(): StationSnapshot;
  /** Resolves when every socket's runner has loaded its procedure or failed to. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function createStation(opts: StationOptions): Promise<Station> {
  const { settings, dataDir } = opts;
  const log = opts.log ?? ((level, message) => console[level === 'info' ? 'log' : level === 'warning' ? 'warn' : 'error'](message));
  const bootId = randomUUID();

  // A database that cannot be opened leaves the station running, refusing runs with the reason.
  let fault: StationFault | null = null;
  let db: DatabaseSync;
  try {
    db = openDatabase(dataDir);
  } catch (e) {
    const err = classify(e);
    fault = err instanceof StationFault ? err : new StationFault('db.corrupted', `The station database cannot be opened: ${(e as Error).message}`);
    log('error', fault.message);
    db = new DatabaseSync(':memory:');
    migrate(db);
  }
  const repo = new RunsRepo(db);
  // Targets come from settings; a finished run is queued for each enabled one in the transaction that ends it.
  const queued = queuedTargetIds(settings.uploadTargets);
  const uploadTargets = (): readonly string[] => queued;
  const recovered = fault ? [] : repo.recoverInterrupted('station stopped during run', uploadTargets());
  if (recovered.length) log('warning', `recovered ${recovered.length} run(s) interrupted by a station stop: marked ABORTED`);

  const bus = new EventBus(repo);
  bus.onLogError = (e) => log('error', `event log: ${(e as Error).message}`);
  bus.publish({ kind: 'station.started', data: { stationId: settings.stationId, stationName: settings.stationName, bootId, sockets: settings.sockets, appVersion: APP_VERSION } });

  const uploader = new Uploader({ db, repo, bus, targets: fault ? [] : settings.uploadTargets, retry: settings.uploadRetry, appVersion: APP_VERSION, log });
  uploader.start();

  let procedureDir = '';
  let procedureError: StationError | null = null;
  try {
    procedureDir = await findProcedureDir(settings.sequenceFolder || BUILTIN_SEQUENCES, settings.procedureId);
  } catch (e) {
    procedureError = toStationError(e);
    log('error', procedureError.message);
    bus.publish({ kind: 'procedure.failed', data: { error: procedureError } });
  }

  const sockets: Socket[] = [];
  if (procedureDir) {
    for (let index = 0; index < settings.sockets; index++) {
      const s = new Socket({
        index,
        stationId: settings.stationId,
        appVersion: APP_VERSION,
        procedureDir,
        instruments: settings.instruments,
        abortGraceMs: settings.abortGraceMs,
        bus,
        repo,
        uploadTargets,
        blocked: () => fault,
        log,
      });
      sockets.push(s);
      s.start();
    }
  }

  // Edited procedure files are picked up without a restart, never in the middle of a run.
  let watcher: FSWatcher | null = null;
  if (procedureDir) {
    let debounce: NodeJS.Timeout | null = null;
    try {
      watcher = watch(procedureDir, (_event, file) => {
        if (file && !/\.(ya?ml|ts|json)$/.test(file)) return;
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(() => {
          log('info', `procedure files changed in ${procedureDir}: reloading`);
          for (const s of sockets) s.reload();
        }, 250);
      });
      watcher.on('error', (e) => log('warning', `watching ${procedureDir} stopped: ${e.message}`));
    } catch (e) {
      log('warning', `cannot watch ${procedureDir} for changes: ${(e as Error).message}`);
    }
  }

  const socketAt = (i: number): Socket => {
    const s = sockets[i];
    if (!s) {
      if (procedureError) throw new StationFault(procedureError.kind, procedureError.message, procedureError.details);
      throw new StationFault('invalid-input', `socket: there is no socket ${i} (this station has ${sockets.length})`, { field: 'socket' });
    }
    return s;
  };

  const snapshot = (): StationSnapshot => {
    const withProc = sockets.find((s) => s.procedure);
    const err = sockets.find((s) => s.procedureError)?.procedureError;
    const warning = sockets.find((s) => s.procedureWarning)?.procedureWarning;
    return {
      station: { id: settings.stationId, name: settings.stationName, appVersion: APP_VERSION, bootId, dataDir },
      seq: bus.lastSeq,
      procedure: withProc?.procedure ?? null,
      procedureError: procedureError ?? (err ? err.toJSON() : fault ? fault.toJSON() : null),
      procedureWarning: warning ? warning.toJSON() : null,
      sockets: sockets.map((s) => s.snapshot),
      upload: uploader.status(),
    };
  };

  const handlers: CommandHandlers = {
    'station.snapshot': () => snapshot(),
    'run.start': (i) => ({ runId: socketAt(i.socket).startRun(i.serialNumber, i.operatorId, i.params) }),
    'run.abort': (i) => ({ aborted: socketAt(i.socket).abort() }),
    'prompt.answer': (i) => {
      socketAt(i.socket).answerPrompt(i.promptId, i.answer);
      return {};
    },
    'runs.list': (i) => ({ runs: repo.listRuns(i) }),
    'runs.get': (i) => repo.getRun(i.runId),
    'events.since': (i) => bus.since(i.afterSeq, i.limit),
    'upload.status': () => uploader.status(),
    'upload.listParked': (i) => ({ runs: uploader.listParked(i.target, i.limit) }),
    'upload.retry': (i) => ({ count: uploader.retryParked(i.by, i.target, i.runIds) }),
    'upload.drop': (i) => ({ count: uploader.drop(i.by, i.target, i.runIds, i.reason) }),
    'runs.export': (i) => exportRuns(repo, i),
    'runs.import': (i) => importRuns(repo, i.format, i.content),
  };

  const invoke = async (name: string, input: unknown): Promise<Result<unknown>> => {
    try {
      if (!Object.hasOwn(Commands, name)) throw new StationFault('invalid-input', `unknown command "${name}"`);
      const cmd = name as CommandName;
      const args = Commands[cmd].input.parse(input ?? {});
      const value = await (handlers[cmd] as (a: unknown) => unknown)(args);
      return { ok: true, value };
    } catch (e) {
      return { ok: false, error: toStationError(classify(e)) };
    }
  };

  return {
    bus,
    handlers,
    invoke,
    snapshot,
    ready: async () => {
      await Promise.all(sockets.map((s) => s.whenSettled()));
    },
    close: async () => {
      watcher?.close();
      await Promise.all(sockets.map((s) => s.close()));
      await uploader.close();
      bus.flush();
      db.close();
    },
  };
}
