import type { StationSnapshot } from '#contract/commands.ts';
import type { StationError } from '#contract/errors.ts';
import type { StationEvent, StorageState } from '#contract/events.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { LiveSocket } from '#contract/live.ts';
import { applySocketEvent, emptySocket } from '#contract/live-reducer.ts';
import type { UploadStatus } from '#contract/upload.ts';
import type { Scan } from '#contract/scans.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** Everything the live screens show: a snapshot plus every event after it. */
export interface StationView {
  connection: Connection;
  station: StationSnapshot['station'] | null;
  procedure: ProcedureSummary | null;
  procedureError: StationError | null;
  /** An edited procedure that did not load while the last good version runs on. */
  procedureWarning: StationError | null;
  sockets: LiveSocket[];
  /** The last event applied; events at or below it are duplicates. */
  seq: number;
  /** Counts runs that ended while we watched, so lists can refresh. */
  runsEnded: number;
  /** Why the snapshot could not be loaded, if it could not. */
  syncError: string | null;
  /** The upload queue: online/offline, runs waiting, each target. */
  upload: UploadStatus | null;
  /** The database itself: ok, salvaged at start, damaged, newer, unavailable. */
  database: StationSnapshot['database'];
  /** Runs this start of the station found cut off by its stop. */
  recoveredRuns: StationSnapshot['recoveredRuns'];
  /** The last scan from a serial (USB-CDC) scanner the station refused, until one is accepted: shown, never lost. */
  scannerRefusal: Scan | null;
  /** Whether new runs can be stored (a full disk shows a banner), from the snapshot and storage.changed. */
  storage: StorageState;
  /** Mistakes in the settings file found at start; each says what was used instead (the last good value). */
  settingsProblems: string[];
  /** The current shift's first pass yield and units, from the snapshot (the header reads stats.shift again as runs end). */
  shiftYield: StationSnapshot['shiftYield'];
}

export const initialView: StationView = {
  connection: 'connecting',
  station: null,
  procedure: null,
  procedureError: null,
  procedureWarning: null,
  sockets: [],
  seq: 0,
  runsEnded: 0,
  syncError: null,
  upload: null,
  database: { state: 'ok' },
  recoveredRuns: [],
  scannerRefusal: null,
  storage: { state: 'ok' },
  settingsProblems: [],
  shiftYield: null,
};

export function viewFromSnapshot(prev: StationView, snap: StationSnapshot): StationView {
  return {
    ...prev,
    station: snap.station,
    procedure: snap.procedure,
    procedureError: snap.procedureError,
    procedureWarning: snap.procedureWarning ?? null,
    sockets: snap.sockets,
    seq: snap.seq,
    syncError: null,
    upload: snap.upload,
    database: snap.database,
    recoveredRuns: snap.recoveredRuns,
    storage: snap.storage,
    settingsProblems: snap.settingsProblems ?? [],
    shiftYield: snap.shiftYield ?? null,
  };
}

/** The procedure part of a fresh snapshot, which tells a failed edit (warning) from no procedure (error). */
export function withProcedureOf(view: StationView, snap: StationSnapshot): StationView {
  return { ...view, procedure: snap.procedure, procedureError: snap.procedureError, procedureWarning: snap.procedureWarning ?? null };
}

/** Applies one event; an event already seen (seq at or below the view's) changes nothing. */
export function applyStationEvent(view: StationView, e: StationEvent): StationView {
  if (e.seq <= view.seq) return view;
  const next: StationView = { ...view, seq: e.seq };
  switch (e.kind) {
    case 'procedure.loaded':
      next.procedure = e.data.procedure;
      next.procedureError = null;
      next.procedureWarning = null;
      break;
    case 'procedure.failed':
      // The event does not say whether the last good version runs on; with one loaded, the station
      // keeps it (a bad edit never stops the line). The snapshot that follows settles it.
      if (view.procedure) next.procedureWarning = e.data.error;
      else next.procedureError = e.data.error;
      break;
    case 'run.ended':
      next.runsEnded = view.runsEnded + 1;
      break;
    case 'upload.queueChanged':
      next.upload = e.data;
      break;
    case 'scan.received':
      // Keyboard scans show their outcome where they were made; a serial scanner's only here.
      if (e.data.source !== 'keyboard') next.scannerRefusal = e.data.accepted ? null : e.data;
      break;
    case 'storage.changed':
      next.storage = e.data;
      break;
    default:
      break;
  }
  if (e.socket !== null) {
    const at = view.sockets.findIndex((s) => s.socket === e.socket);
    if (at >= 0) {
      const sockets = view.sockets.slice();
      sockets[at] = applySocketEvent(view.sockets[at]!, e);
      next.sockets = sockets;
    } else {
      next.sockets = [...view.sockets, applySocketEvent(emptySocket(e.socket), e)].sort((a, b) => a.socket - b.socket);
    }
  }
  return next;
}
