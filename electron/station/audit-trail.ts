import { createHash } from 'node:crypto';
import type { Settings } from '#contract/settings.ts';
import { SECRET_HEADER } from '#contract/upload.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { AuditEntry } from '#contract/audit.ts';
import { diffValues, type AuditLog } from './store/audit.ts';

/**
 * What the station itself writes into the audit trail at start, at stop and when a procedure
 * loads: the settings in force and the procedure's content, each with a hash, and what changed
 * since the entry before (settings and procedures are still files edited by hand).
 */

/** Secrets never enter the trail: a changed token shows as changed, its value does not. */
const SECRET_KEYS = new Set(['token', 'apiKey', 'password']);

function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (SECRET_KEYS.has(k) && typeof x === 'string') out[k] = `(secret ${fingerprint(x)})`;
    else if (k === 'headers' && x !== null && typeof x === 'object' && !Array.isArray(x))
      out[k] = Object.fromEntries(
        Object.entries(x).map(([h, hv]) => [h, SECRET_HEADER.test(h) && typeof hv === 'string' ? `(secret ${fingerprint(hv)})` : hv]),
      );
    else if (k === 'connectionString' && typeof x === 'string') out[k] = x.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:(secret)@');
    else out[k] = redact(x);
  }
  return out;
}

/**
 * A secret's fingerprint: 4 bytes of its sha256, enough to see that it changed between two
 * starts, far too little to test guesses against.
 */
const fingerprint = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** JSON with object keys sorted at every depth: the same settings give the same text, whatever their order in the file. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`)
    .join(',')}}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface SettingsRecord {
  /** sha256 of the canonical JSON of the settings as recorded (secrets as their fingerprints). */
  hash: string;
  settings: unknown;
}

export function settingsRecord(settings: Settings): SettingsRecord {
  const recorded = redact(settings);
  return { hash: sha256(canonicalJson(recorded)), settings: recorded };
}

/** The parts of a procedure that change a result: its version, hash and files, phases, serial rules. */
export function procedureRecord(p: ProcedureSummary): Record<string, unknown> {
  return {
    version: p.version,
    hash: p.hash,
    files: Object.fromEntries((p.files ?? []).map((f) => [f.name, f.sha256])),
    phases: p.phases.map((ph) => ({ name: ph.name, group: ph.group, enabled: ph.enabled })),
    serialPattern: p.serialPattern,
    ...(p.partNumber !== undefined ? { partNumber: p.partNumber } : {}),
    ...(p.retest !== undefined ? { retest: p.retest } : {}),
  };
}

const detailsOf = (e: AuditEntry | null | undefined): Record<string, unknown> | undefined =>
  e && e.details !== null && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : undefined;

/** The start entry, preceded by `settings.changed` when the settings differ from the last start's. */
export function recordStart(log: AuditLog, s: { settings: Settings; appVersion: string; bootId: string }): void {
  const now = settingsRecord(s.settings);
  const before = detailsOf(log.last('station.started'));
  if (before && before.settingsHash !== now.hash) {
    log.append({
      actor: 'station',
      action: 'settings.changed',
      details: { previousHash: before.settingsHash ?? null, settingsHash: now.hash, diff: diffValues(before.settings, now.settings) },
    });
  }
  log.append({
    actor: 'station',
    action: 'station.started',
    details: { appVersion: s.appVersion, bootId: s.bootId, stationId: s.settings.stationId, settingsHash: now.hash, settings: now.settings },
  });
}

export function recordStop(log: AuditLog, s: { settings: Settings; appVersion: string; bootId: string; startedAt: number }): void {
  log.append({
    actor: 'station',
    action: 'station.stopped',
    details: {
      appVersion: s.appVersion,
      bootId: s.bootId,
      settingsHash: settingsRecord(s.settings).hash,
      upSeconds: Math.round((Date.now() - s.startedAt) / 1000),
    },
  });
}

/** A procedure loaded with content the trail has not seen last for its id: `procedure.changed` with the diff. */
export function recordProcedure(log: AuditLog, p: ProcedureSummary): boolean {
  const now = procedureRecord(p);
  const last = log.list({ action: 'procedure.changed', procedureId: p.id, limit: 1 })[0];
  const before = detailsOf(last)?.procedure as Record<string, unknown> | undefined;
  if (before?.hash === now.hash) return false;
  log.append({
    actor: 'station',
    action: 'procedure.changed',
    procedureId: p.id,
    details: { hash: p.hash, previousHash: before?.hash ?? null, dir: p.dir, diff: diffValues(before ?? {}, now), procedure: now },
  });
  return true;
}
