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
 * store, and after each run (off its commit: the next turn of the event loop) the drift
 * alert check and, once the value journal holds PACK_ROWS rows, its packing into blocks.
 */
export function startStats(o: {
  db: DatabaseSync;
  settings: () => StatsSettings;
  audit: AuditLog;
  bus: EventBus;
  /** False while the store takes no writes (a full disk, damage): nothing is packed. */
  canWrite: () => boolean;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}): StatsStation {
  const service = new StatsService(o.db, o.settings, { audit: o.audit });
  const monitor = new AlertMonitor(o.db, service.runs, o.settings, (data, runId, socket) => o.bus.publish({ kind: 'stats.alert', data, runId, socket }));
  let ended = 0;
  let timer: NodeJS.Immediate | null = null;
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
  const afterRuns = (): void => {
    timer = null;
    try {
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
    timer ??= setImmediate(afterRuns);
  }, o.bus.lastSeq);
  // Values journaled before this start (a backlog after an upgrade, or runs the last start did not pack).
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
      closed = true;
      unsubscribe();
      clearTimeout(startup);
      if (timer) clearImmediate(timer);
    },
  };
}
