import { useEffect, useState } from 'react';
import type { SessionState } from '#contract/auth.ts';
import type { LanguageInfo } from '#contract/locales.ts';
import type { StationClient } from '../api/client.ts';
import type { StationView } from '../api/station-view.ts';
import { BUILT_IN, setLanguage, type FetchCatalog } from './i18n.ts';

/** Each built-in language by the name it gives itself (the menu lists them before their catalogs load). */
export const BUILT_IN_NAMES: Record<(typeof BUILT_IN)[number], string> = {
  en: 'English',
  de: 'Deutsch',
  es: 'Español',
  'zh-CN': '简体中文',
  cs: 'Čeština',
};

export interface LanguageChoice {
  /** The language on screen. */
  current: string;
  /** Built-in languages, then the plant's own. */
  options: readonly LanguageInfo[];
  /** A pick from the header's menu: for this session only (see useLanguage). */
  choose(code: string): void;
  /** The station's language was changed on this screen (Settings): shown at once, before the next snapshot says so. */
  stationChanged(code: string): void;
}

/**
 * Which language the screens show: a pick from the header's menu, else the logged-in person's
 * own (People), else the station's (settings.language). The pick is a display preference of the
 * session, kept in this page only: it changes nothing on the station, needs no role and is not
 * audited; it ends when the person logged in changes (a badge login, a logout), so the next
 * operator sees their own language, or the station's.
 */
export function useLanguage(view: StationView, session: SessionState | null, client: StationClient): LanguageChoice {
  const person = session?.session.kind === 'person' ? session.session.id : null;
  const [pick, setPick] = useState<{ code: string; person: string | null } | null>(null);
  const [saved, setSaved] = useState<{ code: string; boot: string | undefined } | null>(null);
  const plant = view.station?.languages ?? [];
  // A language saved here holds until the station's own view catches up (a new snapshot).
  const station = (saved && saved.boot === view.station?.bootId ? saved.code : null) ?? view.station?.language ?? 'en';
  const current = (pick && pick.person === person ? pick.code : null) ?? session?.session.language ?? station;
  const plantCodes = plant.map((l) => l.code).join(' ');

  useEffect(() => {
    const fromPlant: FetchCatalog | null = plantCodes.split(' ').includes(current)
      ? async (language) => {
          const r = await client.invoke('locales.get', { language });
          return r.ok ? r.value.catalog : null;
        }
      : null;
    void setLanguage(current, fromPlant);
  }, [current, plantCodes, client]);

  return {
    current,
    options: languageOptions(plant),
    choose: (code) => setPick({ code, person }),
    stationChanged: (code) => setSaved({ code, boot: view.station?.bootId }),
  };
}

/** The languages a station offers: built in, then the plant's own (its catalogs folder). */
export function languageOptions(plant: readonly LanguageInfo[]): LanguageInfo[] {
  return [
    ...BUILT_IN.map((code) => ({ code, name: plant.find((l) => l.code === code)?.name ?? BUILT_IN_NAMES[code] })),
    ...plant.filter((l) => !(BUILT_IN as readonly string[]).includes(l.code)),
  ];
}
