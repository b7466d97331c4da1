import type { TFunction } from 'i18next';
import type { AuditDiff, AuditEntry } from '#contract/audit.ts';

/** The actions the station records, as the filter offers them (a prefix ending in '.' finds a whole domain). */
export const KNOWN_ACTIONS = [
  'session.',
  'session.loggedIn',
  'session.loginFailed',
  'session.loggedOut',
  'setup.adminCreated',
  'people.',
  'people.added',
  'people.updated',
  'people.pinReset',
  'tokens.',
  'tokens.created',
  'tokens.revoked',
  'operator.login',
  'operator.logout',
  'override.',
  'upload.',
  'upload.retry',
  'upload.drop',
  'calibration.set',
  'store.backup',
  'store.salvaged',
  'settings.changed',
  'procedure.changed',
  'station.started',
  'station.stopped',
] as const;

/** Who did it, as a person reads it: a badge as it is, `token:<id>`, `os:<user>`, the station itself. */
export function actorText(t: TFunction, actor: string): { main: string; sub: string | null } {
  if (actor === 'station') return { main: t('header.station'), sub: t('audit.byItself') };
  if (actor.startsWith('token:')) return { main: actor.slice(6), sub: t('audit.apiToken') };
  if (actor.startsWith('os:')) return { main: actor.slice(3), sub: t('audit.commandLine') };
  return { main: actor, sub: null };
}

/** An entry's diff, when it has one. */
export function diffOf(entry: AuditEntry): AuditDiff[] {
  const d = entry.details;
  if (typeof d !== 'object' || d === null || !('diff' in d) || !Array.isArray(d.diff)) return [];
  return (d.diff as unknown[]).filter((x): x is AuditDiff => typeof x === 'object' && x !== null && typeof (x as { path?: unknown }).path === 'string');
}

/** The entry's details without its diff (shown apart). */
export function detailsWithoutDiff(entry: AuditEntry): Record<string, unknown> | null {
  const d = entry.details;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return d === undefined || d === null ? null : { value: d };
  const { diff: _diff, ...rest } = d as Record<string, unknown>;
  return Object.keys(rest).length ? rest : null;
}

/** One line of what the entry says, from its plain details: "target mes · 1 run" (the details' own field names). */
export function summaryOf(t: TFunction, entry: AuditEntry): string {
  const rest = detailsWithoutDiff(entry);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(rest ?? {})) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k} ${String(v)}`);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) parts.push(`${k} ${v.join(', ')}`);
    if (parts.length === 3) break;
  }
  const changes = diffOf(entry).length;
  if (changes) parts.push(t('audit.changes', { count: changes }));
  return parts.join(' · ');
}

/** A value of a diff or of details, short and exact (JSON for anything not plain). */
export function valueText(t: TFunction, v: unknown): string {
  if (v === undefined) return t('audit.noValue');
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
