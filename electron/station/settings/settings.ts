import Conf from 'conf';
import { SettingsSchema, defaultSettings, type Settings } from '#contract/settings.ts';
import { formatZodError } from '#contract/errors.ts';

export interface LoadedSettings {
  settings: Settings;
  /** What was wrong in the stored file, by field; those fields fell back to defaults. */
  problems: string[];
  path: string;
}

/**
 * Headless settings through `conf` (the desktop app uses electron-store, which wraps
 * conf with the same file format and the same schema). A bad field never stops
 * the station: it is reported and its default is used.
 */
export function loadSettings(dataDir: string): LoadedSettings {
  const conf = new Conf<Record<string, unknown>>({ projectName: 'passline', cwd: dataDir, configName: 'settings', clearInvalidConfig: false });
  return parseSettings(conf.store, conf.path);
}

/** Settings that once existed and now live elsewhere: named when found, so nobody wonders why they do nothing. */
const RETIRED: Record<string, string> = {
  supervisors:
    'supervisors is no longer used: supervisors are people with the supervisor role, added by an admin in the app (People), who approve with badge and PIN',
};

export function parseSettings(raw: Record<string, unknown>, path: string): LoadedSettings {
  const retired = Object.keys(raw)
    .filter((k) => Object.hasOwn(RETIRED, k))
    .map((k) => `${path}: ${RETIRED[k]}`);
  const parsed = SettingsSchema.safeParse(raw);
  if (parsed.success) return { settings: parsed.data, problems: retired, path };
  const problems = parsed.error.issues.map((i) => `${path}: ${formatZodError({ issues: [i] } as never)}`);
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  const kept = Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k)));
  const retry = SettingsSchema.safeParse(kept);
  return { settings: retry.success ? retry.data : defaultSettings(), problems: [...problems, ...retired], path };
}

export function saveSettings(dataDir: string, settings: Settings): void {
  const conf = new Conf<Record<string, unknown>>({ projectName: 'passline', cwd: dataDir, configName: 'settings' });
  conf.store = SettingsSchema.parse(settings);
}
