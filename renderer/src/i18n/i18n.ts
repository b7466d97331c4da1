import i18next, { type Resource, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '#contract/locales/en.json' with { type: 'json' };
import { createFormatter, type Formatter } from '../components/format.ts';

/**
 * The station UI's translations: i18next with react-i18next, one JSON catalog per language in
 * electron/contract/locales/ (shared with the station, which sends its messages as keys of the
 * `station` part). English is in the main chunk and is every other language's fallback, key by
 * key; the other built-in languages load on demand, and a plant's own catalogs (the folder named
 * by the `languagesDir` setting) come from the station (`locales.get`) without a rebuild.
 */

/** The languages built into the app, in the order the language menu lists them. */
export const BUILT_IN = ['en', 'de', 'es', 'zh-CN', 'cs'] as const;
export type BuiltInLanguage = (typeof BUILT_IN)[number];

const LOADERS: Record<Exclude<BuiltInLanguage, 'en'>, () => Promise<{ default: ResourceKey }>> = {
  de: () => import('#contract/locales/de.json'),
  es: () => import('#contract/locales/es.json'),
  'zh-CN': () => import('#contract/locales/zh-CN.json'),
  cs: () => import('#contract/locales/cs.json'),
};

export const isBuiltIn = (lng: string): lng is BuiltInLanguage => (BUILT_IN as readonly string[]).includes(lng);

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } } satisfies Resource,
  lng: 'en',
  fallbackLng: 'en',
  // Synchronous: the catalogs are in memory when init returns, so the first render has them.
  initAsync: false,
  // React escapes; i18next must not escape twice.
  interpolation: { escapeValue: false },
  returnNull: false,
  // A catalog that is not there yet is not an error: English shows meanwhile.
  partialBundledLanguages: true,
  react: { useSuspense: false },
});

/** The language's formatter, for the formats station messages use: `{{at, date}}`, `{{until, time}}`. */
export function formatterFor(lng: string): Formatter {
  const t = i18n.getFixedT(lng);
  return createFormatter(lng, t, t('meta.dates') === 'iso' ? 'iso' : 'locale');
}
i18n.services.formatter?.add('date', (value: unknown, lng: string | undefined) => formatterFor(lng ?? 'en').date(String(value)));
i18n.services.formatter?.add('time', (value: unknown, lng: string | undefined) => formatterFor(lng ?? 'en').time(String(value)));

// The page's language follows, for screen readers, hyphenation and the font's glyph choice (CJK).
i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});

/** What the page needs to fetch a plant's catalog from the station. */
export type FetchCatalog = (language: string) => Promise<ResourceKey | null>;

const builtIn = new Map<string, Promise<void>>();
const plant = new Map<string, Promise<void>>();

/** A promise kept while it may still succeed: a failed load (a station restarting) is tried again next time. */
function once(cache: Map<string, Promise<void>>, key: string, load: () => Promise<void>): Promise<void> {
  let p = cache.get(key);
  if (!p) {
    p = load().catch(() => void cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/**
 * Loads what `lng` needs: the built-in catalogs of it and of its fallbacks (`de-AT` falls back to
 * `de`, then English), then the plant's catalog of `lng` on top, key by key (a plant may fix a
 * built-in wording too). A key no catalog has shows in English.
 */
export async function loadLanguage(lng: string, fetchPlant: FetchCatalog | null): Promise<void> {
  const chain = (i18n.services.languageUtils.toResolveHierarchy(lng) as string[]).filter(isBuiltIn);
  await Promise.all(
    chain.map((code) =>
      code === 'en'
        ? undefined
        : once(builtIn, code, async () => {
            const m = await LOADERS[code]();
            i18n.addResourceBundle(code, 'translation', m.default, true, false);
          }),
    ),
  );
  if (fetchPlant)
    await once(plant, lng, async () => {
      const catalog = await fetchPlant(lng);
      if (catalog) i18n.addResourceBundle(lng, 'translation', catalog, true, true);
    });
}

/** Switches the UI to `lng` once its catalogs are in, so a screen never shows half and half. */
export async function setLanguage(lng: string, fetchPlant: FetchCatalog | null): Promise<void> {
  await loadLanguage(lng, fetchPlant);
  if (i18n.language !== lng) await i18n.changeLanguage(lng);
  rememberLanguage(lng);
}

const REMEMBERED = 'passline.language';

/** The language this browser last showed: the first frame uses it while the station is asked. */
export function rememberedLanguage(): string {
  try {
    return localStorage.getItem(REMEMBERED) ?? 'en';
  } catch {
    return 'en';
  }
}

function rememberLanguage(lng: string): void {
  try {
    localStorage.setItem(REMEMBERED, lng);
  } catch {
    // Storage refused: the next start shows English first, then the station's language.
  }
}
