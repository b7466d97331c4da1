import { z } from 'zod';

/**
 * Languages of the screens: the tags catalogs are named by, a catalog's shape, and the command
 * that hands a screen a plant's own catalog (the folder named by the `languagesDir` setting).
 * The built-in catalogs are beside this file (locales/<tag>.json).
 */

/** A language tag as the catalogs are named: `en`, `de`, `zh-CN`, a plant's own `pt-BR`. */
export const LanguageTagSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'a language tag such as en, de, zh-CN or pt-BR');

export type Catalog = { [key: string]: string | Catalog };
/** Nested objects of strings, as i18next reads them: `{ "history": { "title": "Historie" } }`. */
export const CatalogSchema: z.ZodType<Catalog> = z.lazy(() => z.record(z.string(), z.union([z.string(), CatalogSchema])));

/** A language a screen can offer: its tag and its own name for itself (the catalog's `meta.name`). */
export const LanguageInfoSchema = z.object({ code: z.string(), name: z.string() });
export type LanguageInfo = z.infer<typeof LanguageInfoSchema>;

export const LocaleCommands = {
  /**
   * A plant's catalog of one language, as the folder holds it (null: none there). The screens
   * put it over the built-in one of the same language, key by key, and fall back to English.
   */
  'locales.get': {
    input: z.object({ language: LanguageTagSchema }).strict(),
    output: z.object({ language: z.string(), catalog: CatalogSchema.nullable() }),
  },
} as const;
