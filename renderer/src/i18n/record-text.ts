import type { TFunction } from 'i18next';
import { recognize } from '#contract/message-text.ts';
import type { Formatter } from '../components/format.ts';

/** A key that came with the data: looked up untyped, '' when no catalog has it. */
function lookup(t: TFunction, key: string, params: Record<string, unknown>): string {
  return (t as unknown as (k: string, o: Record<string, unknown>) => string)(key, { ...params, defaultValue: '' });
}

/** "3.05 V" as the language writes it ("3,05 V"); anything else as it is. */
function localNumber(f: Formatter, text: string): string {
  const m = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)((?: \S+)?)$/i.exec(text);
  return m ? `${f.number(Number(m[1]))}${m[2]}` : text;
}

/**
 * A text the station stored in English (a run's outcome reason, a measurement's reason, a
 * phase's error, a storage notice) in the language on screen, when it is one the station's
 * catalog knows (contract/message-text.ts RECORDED); else as stored: what phase code wrote is the
 * test engineer's own words.
 */
export function recordedText(t: TFunction, f: Formatter, text: string): string {
  const r = recognize(text);
  if (!r) return text;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.params)) params[k] = k === 'why' ? recordedText(t, f, v) : localNumber(f, v);
  return lookup(t, r.key, params) || text;
}
