import type { ParseKeys, TFunction } from 'i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';
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

/** Names shown for each setting in "In force now" and "waiting for a restart" (a field without one: its key). */
export const FIELD_LABELS: Record<string, ParseKeys> = {
  stationId: 'settings.field.stationId',
  stationName: 'settings.field.stationName',
  stationLine: 'settings.field.stationLine',
  heartbeatSeconds: 'settings.field.heartbeatSeconds',
  sockets: 'settings.field.sockets',
  instruments: 'settings.field.instruments',
  scanners: 'settings.field.scanners',
  scanRoutes: 'settings.field.scanRoutes',
  uploadTargets: 'settings.field.uploadTargets',
  uploadRetry: 'settings.field.uploadRetry',
  retentionDays: 'settings.field.retentionDays',
  minFreeBytes: 'settings.field.minFreeBytes',
  backupKeep: 'settings.field.backupKeep',
  requireBadgeLogin: 'settings.field.requireBadgeLogin',
  sessionIdleMinutes: 'settings.field.sessionIdleMinutes',
  listenHost: 'settings.field.listenHost',
  listenPort: 'settings.field.listenPort',
  tls: 'settings.field.tls',
  allowedHosts: 'settings.field.allowedHosts',
  sequenceFolder: 'settings.field.sequenceFolder',
  language: 'settings.field.language',
  languagesDir: 'settings.field.languagesDir',
};

/** The settings' names as the screen shows them, joined in the language's way. */
export function fieldNames(t: TFunction, keys: readonly string[], list: (items: readonly string[]) => string): string {
  return list(keys.map((k) => (FIELD_LABELS[k] ? t(FIELD_LABELS[k]) : k)));
}

/**
 * A refusal split by field: each schema issue under its whole path, joined with dots (the
 * station's own words, e.g. "url must be an http:// or https:// URL"); anything without a
 * path is the form's.
 */
export function issuesByPath(t: TFunction, error: StationError): { fields: Errors; form: string | null } {
  if (error.kind !== 'invalid-input' || !Array.isArray(error.details)) return { fields: {}, form: errorText(t, error) };
  const fields: Errors = {};
  const rest: string[] = [];
  for (const issue of error.details as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    // The schema's words about the field (the settings' own language: English).
    const text = typeof message === 'string' ? message.charAt(0).toUpperCase() + message.slice(1) : t('common.notValid');
    const key = Array.isArray(path) && path.length > 0 ? path.map(String).join('.') : null;
    // The command's own input ("changes.…"): the path inside the settings.
    const at = key?.replace(/^changes\./, '') ?? null;
    if (at && !(at in fields)) fields[at] = text;
    else if (!at) rest.push(text);
  }
  if (Object.keys(fields).length === 0 && rest.length === 0) return { fields, form: errorText(t, error) };
  return { fields, form: rest.length ? rest.join('; ') : null };
}

/** A number input's value: NaN for an empty box, which the station refuses naming the field. */
export const toNumber = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
export const fromNumber = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '' : String(n));
