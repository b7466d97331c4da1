import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.ts';
import { SettingsSchema, defaultSettings, type Settings } from '#contract/settings.ts';

export interface LoadedSettings {
  settings: Settings;
  /**
   * What was wrong in the stored file, one line per field, each naming the file, the field,
   * the fault and what was used instead (the last good value, or the default when there is none).
   */
  problems: string[];
  path: string;
  /** No field was bad: these are the settings as written (a retired key is only a note). */
  clean: boolean;
}

/** The settings as they last loaded without a bad field, kept beside the settings file. */
export interface LastGood {
  /** When this copy was written (ISO). */
  savedAt: string;
  settings: Settings;
}

export const LAST_GOOD_FILE = 'settings.last-good.json';

/**
 * Headless settings: `settings.json` in the data folder (the format conf writes; the desktop
 * app's electron-store `config.json` is the same). A bad field never stops the station and
 * never silently becomes its default: it keeps its last good value and says so.
 */
export function loadSettings(dataDir: string): LoadedSettings {
  return loadSettingsFile(dataDir, join(dataDir, 'settings.json'));
}

/**
 * Reads `path`, fills each bad field from the last good copy in `dataDir` (the default only
 * when there is none) and, when the file had no bad field, keeps it as the new last good copy.
 * A missing file is a first start: the defaults, and the last good copy is left as it is.
 */
export function loadSettingsFile(dataDir: string, path: string, now: () => Date = () => new Date()): LoadedSettings {
  const last = readLastGood(dataDir);
  let raw: Record<string, unknown>;
  let exists = true;
  try {
    raw = readSettingsObject(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      raw = {};
      exists = false;
    } else {
      const why = (e as Error).message;
      const used = last.lastGood ? `kept the last good settings from ${last.lastGood.savedAt}` : 'used the defaults: there is no last good copy yet';
      return {
        settings: last.lastGood?.settings ?? defaultSettings(),
        problems: [`${path}: ${why} — ${used}`, ...(last.problem ? [last.problem] : [])],
        path,
        clean: false,
      };
    }
  }
  const loaded = parseSettings(raw, path, last.lastGood);
  if (!loaded.clean) return last.problem ? { ...loaded, problems: [...loaded.problems, last.problem] } : loaded;
  if (exists) {
    try {
      writeLastGood(dataDir, loaded.settings, last.lastGood, now());
    } catch (e) {
      loaded.problems.push(`${join(dataDir, LAST_GOOD_FILE)}: the last good copy could not be written: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** The file's JSON, which must be an object; throws with the reason otherwise (ENOENT as is). */
function readSettingsObject(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a settings object (the file must hold one JSON object)');
  return value as Record<string, unknown>;
}

/** The last good copy, or null; an unreadable copy is named in `problem` and not used. */
export function readLastGood(dataDir: string): { lastGood: LastGood | null; problem: string | null } {
  const file = join(dataDir, LAST_GOOD_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { lastGood: null, problem: null };
    return { lastGood: null, problem: `${file}: the last good copy cannot be read: ${(e as Error).message}` };
  }
  try {
    const doc = JSON.parse(text) as { savedAt?: unknown; settings?: unknown };
    const settings = SettingsSchema.parse(doc.settings);
    if (typeof doc.savedAt !== 'string') throw new Error('savedAt is missing');
    return { lastGood: { savedAt: doc.savedAt, settings }, problem: null };
  } catch (e) {
    return { lastGood: null, problem: `${file}: the last good copy is damaged and was not used: ${(e as Error).message}` };
  }
}

/**
 * Writes the last good copy atomically (temp file, fsync, rename, then the folder synced), so
 * a power cut leaves the old copy or the new one, never half of one. Settings the copy already
 * holds are not written again: its time says since when they were good.
 */
export function writeLastGood(dataDir: string, settings: Settings, previous: LastGood | null, at: Date = new Date()): void {
  if (previous && JSON.stringify(previous.settings) === JSON.stringify(settings)) return;
  const doc: LastGood = { savedAt: at.toISOString(), settings };
  writeFileAtomic(join(dataDir, LAST_GOOD_FILE), `${JSON.stringify(doc, null, 2)}\n`, 0o600);
}

/** Settings that once existed and now live elsewhere: named when found, so nobody wonders why they do nothing. */
const RETIRED: Record<string, string> = {
  supervisors:
    'supervisors is no longer used: supervisors are people with the supervisor role, added by an admin in the app (People), who approve with badge and PIN',
};

/**
 * The settings in `raw`: each top-level field with a bad value takes the last good copy's
 * value (the default when there is no copy), and one problem per field says what was wrong
 * and what was used instead.
 */
export function parseSettings(raw: Record<string, unknown>, path: string, lastGood: LastGood | null = null): LoadedSettings {
  const retired = Object.keys(raw)
    .filter((k) => Object.hasOwn(RETIRED, k))
    .map((k) => `${path}: ${RETIRED[k]}`);
  const parsed = SettingsSchema.safeParse(raw);
  if (parsed.success) return { settings: parsed.data, problems: retired, path, clean: true };

  const byField = new Map<string, string[]>();
  for (const i of parsed.error.issues) {
    const field = String(i.path[0] ?? '');
    const line = i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message;
    byField.set(field, [...(byField.get(field) ?? []), line]);
  }
  const patched: Record<string, unknown> = { ...raw };
  const defaults = defaultSettings() as Record<string, unknown>;
  const good = lastGood?.settings as Record<string, unknown> | undefined;
  const problems: string[] = [];
  for (const [field, lines] of byField) {
    if (good && good[field] !== undefined) patched[field] = good[field];
    else delete patched[field];
    const used = good
      ? `kept the last good ${field} (${describe(field, good[field])}) from ${lastGood!.savedAt}`
      : `used the default ${field} (${describe(field, defaults[field])}): there is no last good copy yet`;
    problems.push(`${path}: ${lines.join('; ')} — ${used}`);
  }
  const retry = SettingsSchema.safeParse(patched);
  if (retry.success) return { settings: retry.data, problems: [...problems, ...retired], path, clean: false };
  // Good values that do not fit together with the rest of this file: the whole good copy instead.
  const whole = lastGood ? `kept the whole last good settings from ${lastGood.savedAt}` : 'used the defaults for every field';
  return {
    settings: lastGood?.settings ?? defaultSettings(),
    problems: [...problems, `${path}: the fields above do not fit with the rest of the file — ${whole}`, ...retired],
    path,
    clean: false,
  };
}

const NOUNS: Record<string, [string, string]> = {
  uploadTargets: ['target', 'targets'],
  scanners: ['scanner', 'scanners'],
  allowedHosts: ['host', 'hosts'],
  instruments: ['instrument', 'instruments'],
};

/** A short, secret-free description of a value: "2 targets: mes, lake", "4780", "none". */
function describe(field: string, v: unknown): string {
  if (v === undefined || v === null) return 'none';
  const [one, many] = NOUNS[field] ?? ['entry', 'entries'];
  if (Array.isArray(v)) {
    if (v.length === 0) return `no ${many}`;
    const names = v
      .map((x: unknown) =>
        typeof x === 'string' ? x : x && typeof x === 'object' ? ((x as { id?: unknown; name?: unknown }).id ?? (x as { name?: unknown }).name) : undefined,
      )
      .filter((x): x is string => typeof x === 'string');
    const count = `${v.length} ${v.length === 1 ? one : many}`;
    return names.length === v.length ? `${count}: ${names.slice(0, 5).join(', ')}${v.length > 5 ? ', …' : ''}` : count;
  }
  if (typeof v === 'object') {
    const n = Object.keys(v).length;
    if (field in NOUNS) return n === 0 ? `no ${many}` : `${n} ${n === 1 ? one : many}`;
    const json = JSON.stringify(v);
    return json.length <= 80 ? json : `${n} fields`;
  }
  return JSON.stringify(v);
}

/**
 * Writes the settings file atomically and keeps the
 * same settings as the last good copy. `path`: the file the station loaded (headless
 * `settings.json` by default; the desktop app's `config.json`).
 */
export function saveSettings(dataDir: string, settings: Settings, path: string = join(dataDir, 'settings.json')): void {
  const valid = SettingsSchema.parse(settings);
  writeFileAtomic(path, `${JSON.stringify(valid, null, 2)}\n`, 0o600);
  writeLastGood(dataDir, valid, readLastGood(dataDir).lastGood);
}
