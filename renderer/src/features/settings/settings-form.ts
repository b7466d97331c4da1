import type { StationError } from '#contract/errors.ts';
import type { Settings } from '#contract/settings.ts';

/** The station's refusals by field path (`uploadTargets.1.url`). */
export type Errors = Record<string, string>;

export interface SectionProps {
  draft: Settings;
  set<K extends keyof Settings>(key: K, value: Settings[K]): void;
  errors: Errors;
  /** Fields used only from the next start. */
  restart: ReadonlySet<string>;
}

/** Names shown for each setting in "In force now" and "waiting for a restart". */
export const FIELD_LABELS: Record<string, string> = {
  stationId: 'Station id',
  stationName: 'Station name',
  stationLine: 'Line',
  heartbeatSeconds: 'Heartbeat',
  sockets: 'Sockets',
  instruments: 'Instruments',
  scanners: 'Scanners',
  scanRoutes: 'Scan routes',
  uploadTargets: 'Upload targets',
  uploadRetry: 'Retry policy',
  retentionDays: 'Retention',
  minFreeBytes: 'Free-disk limit',
  backupKeep: 'Backups kept',
  requireBadgeLogin: 'Badge login',
  sessionIdleMinutes: 'Idle minutes',
  listenHost: 'Listen host',
  listenPort: 'Listen port',
  tls: 'TLS files',
  allowedHosts: 'Allowed host names',
  sequenceFolder: 'Procedure folder',
};

/**
 * A refusal split by field: each schema issue under its whole path, joined with dots (the
 * station's own words, e.g. "url must be an http:// or https:// URL"); anything without a
 * path is the form's.
 */
export function issuesByPath(error: StationError): { fields: Errors; form: string | null } {
  if (error.kind !== 'invalid-input' || !Array.isArray(error.details)) return { fields: {}, form: error.message };
  const fields: Errors = {};
  const rest: string[] = [];
  for (const issue of error.details as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message.charAt(0).toUpperCase() + message.slice(1) : 'Not valid';
    const key = Array.isArray(path) && path.length > 0 ? path.map(String).join('.') : null;
    // The command's own input ("changes.…"): the path inside the settings.
    const at = key?.replace(/^changes\./, '') ?? null;
    if (at && !(at in fields)) fields[at] = text;
    else if (!at) rest.push(text);
  }
  if (Object.keys(fields).length === 0 && rest.length === 0) return { fields, form: error.message };
  return { fields, form: rest.length ? rest.join('; ') : null };
}

/** A number input's value: NaN for an empty box, which the station refuses naming the field. */
export const toNumber = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
export const fromNumber = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '' : String(n));
