import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Store from 'electron-store';
import { loadSettingsFile, type LoadedSettings } from '#station/settings/settings.ts';

/**
 * Desktop settings: `config.json` in the user-data folder (electron-store's file), parsed
 * with the same zod schema and the same last-good fallback as the headless `settings.json`.
 * Call after `app` is ready, with app.getPath('userData'), which is also the data folder.
 */
export function loadDesktopSettings(dataDir: string): LoadedSettings {
  const path = join(dataDir, 'config.json');
  // A file that is not JSON is left for a supervisor to repair, never overwritten.
  const loaded = loadSettingsFile(dataDir, path);
  // First start: write every field with its default, so a supervisor sees what can be set.
  if (!existsSync(path)) new Store<Record<string, unknown>>({ name: 'config', cwd: dataDir, clearInvalidConfig: false }).store = loaded.settings;
  return loaded;
}
