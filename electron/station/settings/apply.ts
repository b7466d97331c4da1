import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import { SettingsSchema, type Settings } from '#contract/settings.ts';
import { LIVE_SETTINGS, SECRET_MASK, StationSettingsCommands } from '#contract/station-settings.ts';
import { SECRET_HEADER, type UploadRetry, type UploadTarget } from '#contract/upload.ts';
import type { RunRecord } from '#contract/records.ts';
import type { Caller } from '#station/auth/sessions.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import { diffValues } from '#station/store/audit.ts';
import { settingsRecord } from '#station/audit-trail.ts';
import { createSink } from '#station/uploader/targets.ts';
import { parseSettings, readLastGood, saveSettings } from './settings.ts';

/**
 * The Settings screen's commands: settings.get (secrets masked), settings.update (checked with
 * the schema, saved atomically, the live fields applied through the station's hooks, audited
 * with the redacted diff) and upload.testTarget (a synthetic run to one target, nothing queued).
 */
export interface SettingsHooks {
  /** The settings the running station reads: live fields are assigned into this object. */
  inForce: Settings;
  dataDir: string;
  /** The settings file this station loaded. */
  path: string;
  /** The settings as stored when the station started (before command-line overrides). */
  stored: Settings;
  appVersion: string;
  attachments?: AttachmentReader;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
  actor(caller: Caller): string;
  audit(actor: string, action: string, details: Record<string, unknown>): void;
  /** New upload targets or retry timing: the uploader swaps its workers, runs ending from now on are queued for these. */
  applyTargets(targets: readonly UploadTarget[], retry: UploadRetry): Promise<void>;
  /** Close the serial scanners and open the ones in inForce.scanners. */
  reopenScanners(): Promise<void>;
  /** Each socket reloads its runner with inForce.instruments, now if idle, else when its run ends. */
  reloadInstruments(): void;
}

const LIVE: ReadonlySet<string> = new Set(LIVE_SETTINGS);
export const RESTART_FIELDS: readonly string[] = Object.keys(SettingsSchema.shape).filter((k) => !LIVE.has(k));

const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? sortKeys(x) : x));
const sortKeys = (o: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as Record<string, unknown>;

const PG_PASSWORD = /^(postgres(?:ql)?:\/\/[^:/@]+):([^@]*)@/;

/** The settings with every secret replaced by SECRET_MASK, and which secrets are set. */
export function maskSettings(s: Settings): { settings: Settings; secrets: { path: string; set: boolean }[] } {
  const secrets: { path: string; set: boolean }[] = [];
  const uploadTargets = s.uploadTargets.map((t, i) => maskTarget(t, `uploadTargets.${i}`, secrets));
  return { settings: { ...s, uploadTargets }, secrets };
}

function maskTarget<T extends UploadTarget>(t: T, at: string, secrets: { path: string; set: boolean }[] = []): T {
  switch (t.kind) {
    case 'http': {
      secrets.push({ path: `${at}.token`, set: t.token !== undefined });
      // A header that carries a credential (Authorization, X-Api-Key, a cookie) is a secret too.
      const headers = Object.fromEntries(
        Object.entries(t.headers).map(([k, v]) => {
          if (!SECRET_HEADER.test(k)) return [k, v];
          secrets.push({ path: `${at}.headers.${k}`, set: v !== '' });
          return [k, SECRET_MASK];
        }),
      );
      return { ...t, headers, ...(t.token === undefined ? {} : { token: SECRET_MASK }) };
    }
    case 'tofupilot':
      secrets.push({ path: `${at}.apiKey`, set: t.apiKey !== '' });
      return { ...t, apiKey: SECRET_MASK };
    case 'postgres': {
      const m = PG_PASSWORD.exec(t.connectionString);
      secrets.push({ path: `${at}.connectionString`, set: m !== null && m[2] !== '' });
      return m ? { ...t, connectionString: t.connectionString.replace(PG_PASSWORD, `$1:${SECRET_MASK}@`) } : t;
    }
    default:
      return t;
  }
}

/**
 * A target as sent back by the screen, with each masked secret replaced by the stored one (the
 * target of the same id and kind, else the one at the same place). A mask with nothing stored
 * behind it becomes empty, so the schema names the field as missing rather than saving the mask.
 */
function unmaskTarget(t: unknown, index: number, stored: readonly UploadTarget[]): unknown {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return t;
  const out = { ...(t as Record<string, unknown>) };
  const same = (s: UploadTarget | undefined) => (s && s.kind === out.kind ? s : undefined);
  const old = same(stored.find((s) => s.id === out.id)) ?? same(stored[index]);
  if (out.token === SECRET_MASK) {
    const token = old?.kind === 'http' ? old.token : undefined;
    if (token === undefined) delete out.token;
    else out.token = token;
  }
  if (out.apiKey === SECRET_MASK) out.apiKey = old?.kind === 'tofupilot' ? old.apiKey : '';
  if (out.headers !== null && typeof out.headers === 'object' && !Array.isArray(out.headers)) {
    const stored = old?.kind === 'http' ? old.headers : {};
    out.headers = Object.fromEntries(Object.entries(out.headers as Record<string, unknown>).map(([k, v]) => [k, v === SECRET_MASK ? (stored[k] ?? '') : v]));
  }
  if (typeof out.connectionString === 'string' && out.connectionString.includes(`:${SECRET_MASK}@`)) {
    const pw = old?.kind === 'postgres' ? (PG_PASSWORD.exec(old.connectionString)?.[2] ?? '') : '';
    out.connectionString = out.connectionString.replace(`:${SECRET_MASK}@`, `:${pw}@`);
  }
  return out;
}

/** A small run that says what it is: never stored, never queued; its id starts with `passline-test-`. */
export function syntheticRun(stationId: string, appVersion: string, now = new Date()): RunRecord {
  const at = now.toISOString();
  return {
    id: `passline-test-${randomUUID()}`,
    stationId,
    socket: 0,
    appVersion,
    procedure: { id: 'passline-test-run', name: 'Passline test run (Settings: Send a test run)', version: '0', hash: '0'.repeat(64) },
    unit: { serialNumber: 'PASSLINE-TEST-RUN' },
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    outcome: 'PASS',
    outcomeReason: 'a test run sent from the Settings screen: not a unit tested',
    phases: [],
  };
}

type Handlers = {
  'settings.get': (i: CommandArgs<'settings.get'>, c: Caller) => CommandOutput<'settings.get'>;
  'settings.update': (i: CommandArgs<'settings.update'>, c: Caller) => Promise<CommandOutput<'settings.update'>>;
  'upload.testTarget': (i: CommandArgs<'upload.testTarget'>, c: Caller) => Promise<CommandOutput<'upload.testTarget'>>;
};

export function settingsHandlers(h: SettingsHooks): Handlers {
  /** Fields saved during this boot that wait for a restart. */
  const pending = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();

  /** The stored settings: the file as the station would load it now (a bad field: its last good value). */
  const readStored = (): Settings => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(h.path, 'utf8').replace(/^\uFEFF/, ''));
    } catch {
      return h.stored;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return h.stored;
    return parseSettings(raw as Record<string, unknown>, h.path, readLastGood(h.dataDir).lastGood).settings;
  };

  const update = async (i: CommandArgs<'settings.update'>, caller: Caller): Promise<CommandOutput<'settings.update'>> => {
    const before = readStored();
    const changes: Record<string, unknown> = { ...i.changes };
    if (Array.isArray(changes.uploadTargets)) changes.uploadTargets = changes.uploadTargets.map((t, n) => unmaskTarget(t, n, before.uploadTargets));
    // Every field is checked together (maxDelayMs ≥ firstDelayMs, ids used once): a refusal names each path and saves nothing.
    const next = SettingsSchema.parse({ ...before, ...changes });
    const changed = Object.keys(changes).filter((k) => canonical(before[k as keyof Settings]) !== canonical(next[k as keyof Settings]));
    const applied = changed.filter((k) => LIVE.has(k));
    const needsRestart = changed.filter((k) => !LIVE.has(k));
    if (changed.length === 0) return { applied, needsRestart };
    saveSettings(h.dataDir, next, h.path);
    const inForce = h.inForce as Record<string, unknown>;
    for (const k of applied) inForce[k] = next[k as keyof Settings];
    for (const k of needsRestart) pending.add(k);
    for (const k of applied) pending.delete(k);
    const was = settingsRecord(before);
    const now = settingsRecord(next);
    const actor = h.actor(caller);
    h.audit(actor, 'settings.changed', {
      from: caller.from,
      reason: i.reason ?? null,
      previousHash: was.hash,
      settingsHash: now.hash,
      applied,
      needsRestart,
      diff: diffValues(pick(was.settings, changed), pick(now.settings, changed)),
    });
    h.log('info', `settings: ${actor} changed ${changed.join(', ')}${needsRestart.length ? ` (${needsRestart.join(', ')} from the next start)` : ''}`);
    const failures: string[] = [];
    const attempt = async (what: string, f: () => unknown): Promise<void> => {
      try {
        await f();
      } catch (e) {
        failures.push(`${what}: ${(e as Error).message}`);
      }
    };
    if (applied.includes('uploadTargets') || applied.includes('uploadRetry'))
      await attempt('upload targets', () => h.applyTargets(next.uploadTargets, next.uploadRetry));
    if (applied.includes('scanners')) await attempt('scanners', () => h.reopenScanners());
    if (applied.includes('instruments')) await attempt('instruments', () => h.reloadInstruments());
    for (const f of failures) h.log('error', `settings: saved, but ${f}`);
    return { applied, needsRestart };
  };

  return {
    'settings.get': () => {
      const { settings, secrets } = maskSettings(readStored());
      return { settings, secrets, path: h.path, restartFields: [...RESTART_FIELDS], pendingRestart: [...pending] };
    },
    // One change at a time: each reads what the one before saved.
    'settings.update': (i, caller) => {
      const run = chain.then(() => update(i, caller));
      chain = run.catch(() => undefined);
      return run;
    },
    'upload.testTarget': async (i, caller) => {
      const { target } = StationSettingsCommands['upload.testTarget'].input.parse({ target: unmaskTarget(i.target, -1, readStored().uploadTargets) });
      const rec = syntheticRun(h.inForce.stationId, h.appVersion);
      const sink = createSink(target, { appVersion: h.appVersion, log: (m) => h.log('warning', m), attachments: h.attachments });
      const t0 = performance.now();
      let error: string | undefined;
      try {
        const d = await sink.deliver(rec, { signal: AbortSignal.timeout(target.timeoutMs + 1000), remoteRef: null, setRemoteRef: () => {} });
        if (!d.ok) error = d.park ? d.reason : d.error;
      } catch (e) {
        error = (e as Error).message;
      } finally {
        await sink.close().catch(() => undefined);
      }
      const ms = Math.round(performance.now() - t0);
      h.audit(h.actor(caller), 'upload.tested', {
        target: target.id,
        kind: target.kind,
        label: sink.label,
        runId: rec.id,
        ok: error === undefined,
        error: error ?? null,
      });
      return { ok: error === undefined, label: sink.label, runId: rec.id, ms, ...(error !== undefined ? { error } : {}) };
    },
  };
}

const pick = (o: unknown, keys: readonly string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
