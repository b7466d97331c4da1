import type { UploadTarget } from '#contract/upload.ts';
import { HttpSink } from './http-sink.ts';
import { FolderSink } from './folder-sink.ts';
import { PostgresSink } from './postgres-sink.ts';
import { TofuPilotSink } from './tofupilot-sink.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import { messageOf, retryTarget, type Sink } from './sink.ts';

export type HttpTarget = Extract<UploadTarget, { kind: 'http' }>;
export type TofuPilotTarget = Extract<UploadTarget, { kind: 'tofupilot' }>;
export type FolderTarget = Extract<UploadTarget, { kind: 'folder' }>;
export type PostgresTarget = Extract<UploadTarget, { kind: 'postgres' }>;

/** The targets a finished run is queued for (in the same transaction as the run's end). */
export function queuedTargetIds(targets: readonly UploadTarget[]): string[] {
  return targets.filter((t) => t.enabled).map((t) => t.id);
}

export interface SinkDeps {
  appVersion: string;
  /** The station, as PostgreSQL's schema_migrations names who applied a migration. */
  stationId?: string | undefined;
  log: (message: string) => void;
  /** The station's attachment files, for the targets that send them (TofuPilot, folder, HTTP). */
  attachments?: AttachmentReader | undefined;
}

/**
 * The sink for a target. A target that cannot be set up (an unreadable CA file)
 * still gets a sink: one that fails every delivery with the reason, so the run
 * stays queued and the supervisor sees why.
 */
export function createSink(t: UploadTarget, deps: SinkDeps): Sink {
  try {
    switch (t.kind) {
      case 'http':
        return new HttpSink(t, deps.appVersion, deps.attachments);
      case 'tofupilot':
        return new TofuPilotSink(t, deps.appVersion, deps.attachments);
      case 'folder':
        return new FolderSink(t, deps.attachments);
      case 'postgres':
        return new PostgresSink(t, deps.log, { stationId: deps.stationId, appVersion: deps.appVersion });
    }
  } catch (e) {
    const reason = `cannot set up target ${t.id}: ${messageOf(e)}`;
    return { label: t.id, deliver: () => Promise.resolve(retryTarget(reason)), close: () => Promise.resolve() };
  }
}
