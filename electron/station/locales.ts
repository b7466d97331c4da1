import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatalogSchema, LanguageTagSchema, type Catalog, type LanguageInfo } from '#contract/locales.ts';

/**
 * The plant's own catalogs: `<tag>.json` files in the languages folder (settings.languagesDir,
 * else `languages/` beside the database), read each time a screen asks, so a file dropped in
 * shows at the next reload of a screen, no rebuild, no restart. A file that is not a catalog is
 * skipped with a line in the log naming it and why; it never stops the station.
 */

/** A catalog bigger than this is not one (the English catalog is well under 100 kB). */
const MAX_BYTES = 2 * 1024 * 1024;

/** The built-in catalogs: electron/contract/locales/<tag>.json. */
const BUILT_IN_DIR = fileURLToPath(new URL('../contract/locales/', import.meta.url));

export function languagesFolder(languagesDir: string, dataDir: string): string {
  return languagesDir.trim() !== '' ? languagesDir : join(dataDir, 'languages');
}

/** A catalog file's content, checked; a reason in words when it is not one. */
function readCatalog(file: string): { ok: true; catalog: Catalog } | { ok: false; why: string } {
  let text: string;
  try {
    if (statSync(file).size > MAX_BYTES) return { ok: false, why: `larger than ${MAX_BYTES / 1024 / 1024} MB` };
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    return { ok: false, why: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, why: `not JSON (${(e as Error).message})` };
  }
  const r = CatalogSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, why: `${i.path.length ? i.path.join('.') : '(top level)'}: every value is a text or a group of texts` };
  }
  return { ok: true, catalog: r.data };
}

const nameOf = (c: Catalog, code: string): string => {
  const meta = c.meta;
  return typeof meta === 'object' && typeof meta.name === 'string' && meta.name.trim() !== '' ? meta.name : code;
};

export interface PlantLanguages {
  /** The catalogs the folder holds, by tag, each with the name it gives itself. */
  list(): LanguageInfo[];
  /** One catalog, or null when the folder has none for that tag (or the file is not a catalog). */
  get(code: string): Catalog | null;
  /** What a screen (or a person with curl) gets at /locales/<tag>.json: the built-in catalog with the plant's on top. */
  merged(code: string): Catalog | null;
}

export function plantLanguages(folder: () => string, log: (level: 'warning', message: string) => void): PlantLanguages {
  /** One line per bad file until it changes (a screen asks often). */
  const reported = new Map<string, string>();
  const report = (file: string, why: string, mtime: number): void => {
    const key = `${mtime} ${why}`;
    if (reported.get(file) === key) return;
    reported.set(file, key);
    log('warning', `language catalog ${file} is skipped: ${why}`);
  };
  const fileOf = (code: string): string => join(folder(), `${code}.json`);
  const get = (code: string): Catalog | null => {
    if (!LanguageTagSchema.safeParse(code).success) return null;
    const file = fileOf(code);
    const r = readCatalog(file);
    if (r.ok) return r.catalog;
    if (r.why !== 'not found') report(file, r.why, mtimeOf(file));
    return null;
  };
  return {
    list() {
      let names: string[];
      try {
        names = readdirSync(folder());
      } catch {
        return [];
      }
      const out: LanguageInfo[] = [];
      for (const n of names.sort()) {
        if (!n.endsWith('.json')) continue;
        const code = n.slice(0, -5);
        if (!LanguageTagSchema.safeParse(code).success) {
          report(join(folder(), n), 'its name is not a language tag (such as pt-BR.json)', mtimeOf(join(folder(), n)));
          continue;
        }
        const c = get(code);
        if (c) out.push({ code, name: nameOf(c, code) });
      }
      return out;
    },
    get,
    merged(code) {
      if (!LanguageTagSchema.safeParse(code).success) return null;
      const base = readCatalog(join(BUILT_IN_DIR, `${code}.json`));
      const plant = get(code);
      if (!base.ok) return plant;
      return plant ? deepMerge(base.catalog, plant) : base.catalog;
    },
  };
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function deepMerge(a: Catalog, b: Catalog): Catalog {
  const out: Catalog = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] = typeof v === 'object' && typeof old === 'object' ? deepMerge(old, v) : v;
  }
  return out;
}
