import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { StationError } from '#contract/errors.ts';

/** A bad input's own sentences ("a serial number has at most 128 characters"), without the field path in front. */
function plainMessage(error: StationError): string {
  if (error.kind === 'invalid-input' && Array.isArray(error.details)) {
    const parts = (error.details as { message?: unknown }[]).map((i) => (typeof i.message === 'string' ? i.message : '')).filter(Boolean);
    if (parts.length) return parts.join('; ');
  }
  return error.message;
}

/** First letter capital, a full stop at the end (any script's). */
function sentence(s: string): string {
  const c = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.?!。！？]$/.test(c) ? c : `${c}.`;
}

/**
 * A station error in the language on screen: its key (`station.*`) with its parameters when it
 * has one the catalogs know, else the station's English message as it came (a message the
 * station has no key for is technical: a file and line, a driver's words).
 */
export function errorText(t: TFunction, error: StationError): string {
  if (error.key) {
    // A key from the wire: not one the compiler can check, so looked up untyped (and '' when unknown).
    const lookup = t as unknown as (key: string, options: Record<string, unknown>) => string;
    const text = lookup(error.key, { ...error.params, defaultValue: '' });
    if (text) return text;
  }
  return error.message;
}

/** The same, as an operator reads a refusal: always a sentence. */
export function refusalText(t: TFunction, error: StationError): string {
  return sentence(error.key ? errorText(t, error) : plainMessage(error));
}

/** `errorText` bound to the language on screen. */
export function useErrorText(): (error: StationError) => string {
  const { t } = useTranslation();
  return useCallback((error: StationError) => errorText(t, error), [t]);
}
