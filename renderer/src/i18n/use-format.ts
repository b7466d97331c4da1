import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { createFormatter, type Formatter } from '../components/format.ts';

/**
 * The formatter of the language on screen. A component that calls it re-renders when the
 * language changes (through useTranslation), memoized ones too.
 */
export function useFormat(): Formatter {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const dates = t('meta.dates') === 'iso' ? 'iso' : 'locale';
  return useMemo(() => createFormatter(lng, t, dates), [lng, t, dates]);
}
