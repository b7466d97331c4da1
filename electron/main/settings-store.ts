import Store from 'electron-store';
import { defaultSettings } from '#contract/settings.ts';
import { parseSettings, type LoadedSettings } from '#station/settings/settings.ts';

/**
 * Desktop settings: `config.json` in the user-data folder through electron-store, parsed
 * with the same zod schema (and the same per-field fallback) as the headless `conf` file.
 * Call after `app` is ready: electron-store asks Electron for the user-data path.
 */
export function loadDesktopSettings(): LoadedSettings {
  let store: Store<Record<string, unknown>>;
  try {
    store = new Store<Record<string, unknown>>({ name: 'config', clearInvalidConfig: false });
  } catch (e) {
    // A file that is not JSON is left for a supervisor to repair, never overwritten.
    return { settings: defaultSettings(), problems: [`config.json: ${e instanceof Error ? e.message : String(e)}`], path: 'config.json' };
  }
  const loaded = parseSettings(store.store, store.path);
  // First start: write every field with its default, so a supervisor sees what can be set.
  if (store.size === 0) store.store = loaded.settings;
  return loaded;
}
