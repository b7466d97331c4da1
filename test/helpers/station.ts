import { rmSync } from 'node:fs';
import { createStation, type Station } from '#station/station.ts';
import { SettingsSchema } from '#contract/settings.ts';
import type { StationEventOf } from '#contract/events.ts';
import type { RunRecord } from '#contract/records.ts';
import { EventRecorder } from './events.ts';
import { FIXTURE_SEQUENCES, tempDir } from './paths.ts';

export interface TestStation {
  station: Station;
  dataDir: string;
  events: EventRecorder;
  /** Everything the station logged, as "level: message". */
  logs: string[];
  /** Starts a run and returns its id; throws with the station's message if refused. */
  start(serialNumber: string, socket?: number): Promise<string>;
  /** The run.ended event of a run. */
  ended(runId: string, timeoutMs?: number): Promise<StationEventOf<'run.ended'>>;
  /** The stored record of a run. */
  record(runId: string): Promise<RunRecord>;
  /** Closes the station; removes the data dir unless `keepData`. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestStationOptions {
  procedureId: string;
  /** Defaults to test/fixtures/sequences. */
  sequenceFolder?: string;
  sockets?: number;
  abortGraceMs?: number;
  /** Reuse a data dir (restart on the same data); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Any other settings (upload targets, instruments, scanners, supervisors…), as in settings.json. */
  settings?: Record<string, unknown>;
}

/** A real station on a temp data dir, with a real runner process per socket, ready to run. */
export async function openTestStation(opts: TestStationOptions): Promise<TestStation> {
  const tmp = opts.dataDir ? null : tempDir('passline-station-');
  const dataDir = opts.dataDir ?? tmp!.dir;
  const logs: string[] = [];
  const settings = SettingsSchema.parse({
    ...opts.settings,
    sequenceFolder: opts.sequenceFolder ?? FIXTURE_SEQUENCES,
    procedureId: opts.procedureId,
    sockets: opts.sockets ?? 1,
    ...(opts.abortGraceMs !== undefined ? { abortGraceMs: opts.abortGraceMs } : {}),
    ...opts.settings,
  });
  const station = await createStation({ dataDir, settings, log: (level, message) => logs.push(`${level}: ${message}`) });
  const events = new EventRecorder(station.bus, 0);
  await station.ready();
  return {
    station,
    dataDir,
    events,
    logs,
    async start(serialNumber, socket = 0) {
      const res = await station.invoke('run.start', { serialNumber, socket });
      if (!res.ok) throw new Error(`run.start refused: ${res.error.kind}: ${res.error.message}`);
      return (res.value as { runId: string }).runId;
    },
    ended: (runId, timeoutMs) => events.waitFor('run.ended', (e) => e.runId === runId, timeoutMs === undefined ? {} : { timeoutMs }),
    async record(runId) {
      const res = await station.invoke('runs.get', { runId });
      if (!res.ok) throw new Error(`runs.get: ${res.error.message}`);
      return res.value as RunRecord;
    },
    async close(o = {}) {
      events.close();
      await station.close();
      if (tmp && !o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
