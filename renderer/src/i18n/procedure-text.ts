import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Texts a procedure carries in several languages (procedure.yaml: `title: {en: …, de: …}`):
 * the one of the language on screen, else of its base language (`de` for `de-AT`), else the
 * procedure's own default (the plain text every record and export keeps).
 */
export function pickText(lng: string, text: string | undefined, translations: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!translations) return text;
  return translations[lng] ?? translations[lng.split('-')[0]!] ?? text;
}

/** `pickText` in the language on screen. */
export function useProcedureText(): (text: string | undefined, translations?: Readonly<Record<string, string>>) => string | undefined {
  const { i18n } = useTranslation();
  const lng = i18n.language;
  return useCallback((text, translations) => pickText(lng, text, translations), [lng]);
}
