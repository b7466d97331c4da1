/**
 * A text a procedure gives in one language or several: `title: Power on` or
 * `title: {en: Power on, de: Einschalten}`. Records, exports and the command line keep the
 * procedure's own language (procedure.yaml `language`, English unless it says); a screen shows
 * its language's text when there is one. No zod here: the renderer imports it.
 */
export type LocalizedText = string | Readonly<Record<string, string>>;

/** The text in the procedure's language (the map has it: the schema checks). */
export function defaultText(t: LocalizedText, language = 'en'): string {
  if (typeof t === 'string') return t;
  return t[language] ?? t[language.split('-')[0]!] ?? Object.values(t)[0] ?? '';
}

/** The map of a text given in several languages, else undefined. */
export function translationsOf(t: LocalizedText | undefined): Record<string, string> | undefined {
  return t === undefined || typeof t === 'string' ? undefined : { ...t };
}

/** The languages a text (or any of several texts) is given in. */
export function languagesOf(texts: readonly (LocalizedText | undefined)[]): string[] {
  const out = new Set<string>();
  for (const t of texts) if (t !== undefined && typeof t !== 'string') for (const k of Object.keys(t)) out.add(k);
  return [...out];
}
