import type { DatabaseSync } from 'node:sqlite';
import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import type { ShiftYield } from '#contract/stats.ts';
import type { EventBus } from '#station/events/bus.ts';
import type { AuditLog } from '#station/store/audit.ts';
import { AlertMonitor } from './alerts.ts';
import { StatsService, type StatsSettings } from './service.ts';
import { PACK_ROWS, journalRows, packStatValues } from './stat-writer.ts';

export type StatsCommand =
  | 'stats.yield'
  | 'stats.pareto'
  | 'stats.failureRuns'
  | 'stats.measurements'
  | 'stats.spc'
  | 'stats.series'
  | 'stats.alerts'
  | 'stats.shift';

export interface StatsStation {
  handlers: { [K in StatsCommand]: (input: CommandArgs<K>) => CommandOutput<K> };
  /** For the snapshot: null when it cannot be read (a database that is not there). */
  shift(): ShiftYield | null;
  close(): void;
}

/**
 * The statistics part of the station: the `stats.*` commands (contract/stats.ts) over the
 * store, and after runs end (never in their commit) the indexing of their measurement values,
 * the drift alert check and, once the value journal holds PACK_ROWS rows, its packing into
 * blocks. That work waits while a socket is testing, so it never competes with a live run,
 * for at most MAX_WAIT_MS after the first run that ended (a busy multi-socket line).
 */
const MAX_WAIT_MS = 2000;

export function startStats(o: {
  db: DatabaseSync;
  settings: () => StatsSettings;
  audit: AuditLog;
  bus: EventBus;
  /** False while the store takes no writes (a full disk, damage): nothing is packed. */
  canWrite: () => boolean;
  /** Whether a socket is testing now. */
  busy: () => boolean;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}): StatsStation {
  const service = new StatsService(o.db, o.settings, { audit: o.audit, write: o.canWrite });
  const monitor = new AlertMonitor(o.db, service.runs, o.settings, (data, runId, socket) => o.bus.publish({ kind: 'stats.alert', data, runId, socket }), service.points);
  let ended = 0;
  let timer: NodeJS.Timeout | null = null;
  /** When the oldest run not yet looked at ended. */
  let waitingSince: number | null = null;
  let closed = false;
  /** One packing (tens of ms); with `rest`, the next one in a later turn until the journal is packed. */
  const pack = (rest: boolean): void => {
    if (closed || !o.canWrite()) return;
    try {
      if (packStatValues(o.db, PACK_ROWS) > 0 && rest) setImmediate(() => pack(true));
    } catch (e) {
      o.log('warning', `statistics: packing measurement values failed (they stay in the journal): ${(e as Error).message}`);
    }
  };
  const tick = (): void => {
    timer = null;
    if (closed || waitingSince === null) return;
    if (o.busy() && Date.now() - waitingSince < MAX_WAIT_MS) {
      timer = setTimeout(tick, 100);
      return;
    }
    waitingSince = null;
    afterRuns();
  };
  const afterRuns = (): void => {
    try {
      service.refresh();
      monitor.check();
    } catch (e) {
      o.log('warning', `statistics: the drift alert check failed: ${(e as Error).message}`);
    }
    // Looked at every 32 runs: the count reads the journal.
    if (ended >= 32) {
      ended = 0;
      try {
        if (journalRows(o.db) >= PACK_ROWS) pack(false);
      } catch {
        /* the next look */
      }
    }
  };
  const unsubscribe = o.bus.subscribe((e) => {
    if (e.kind !== 'run.ended') return;
    ended++;
    waitingSince ??= Date.now();
    timer ??= setTimeout(tick, 20);
  }, o.bus.lastSeq);
  // Runs that finished but were not indexed before the last stop (a kill between a commit and its indexing).
  service.refresh();
  // Values journaled and not packed before this start.
  const startup = setTimeout(() => pack(true), 1000);
  startup.unref();
  return {
    handlers: {
      'stats.yield': (i) => service.yield(i),
      'stats.pareto': (i) => service.pareto(i),
      'stats.failureRuns': (i) => service.failureRuns(i),
      'stats.measurements': (i) => service.measurements(i),
      'stats.spc': (i) => service.spc(i),
      'stats.series': (i) => service.series(i),
      'stats.alerts': () => ({ alerts: monitor.current() }),
      'stats.shift': () => service.shift(),
    },
    shift: () => {
      try {
        return service.shift();
      } catch {
        return null;
      }
    },
    close: () => {
      // The last runs' values, before the store closes (a `passline run` ends right after its run).
      if (!closed) service.refresh();
      closed = true;
      unsubscribe();
      clearTimeout(startup);
      if (timer) clearTimeout(timer);
    },
  };
}
