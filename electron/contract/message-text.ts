import en from './locales/en.json' with { type: 'json' };
import type { MessageParam } from './errors.ts';

/**
 * Messages the station sends (refusals, errors, notices) as a catalog key with parameters:
 * the screens translate the key (electron/contract/locales/<lng>.json, `station.*`), the CLI,
 * API clients and logs read the English `message` made here from the same English catalog, so
 * the two cannot drift. Parameters are data (serials, names, numbers, times), never words; a
 * sentence that depends on a word (a role, a state) has a variant per word (`context`, as
 * i18next has it: `pinRequired_supervisor`), and a sentence around another message nests it
 * (`Not logged in: $t(station.{{reason}}).`).
 */

type Catalog = typeof en.station;
/** `retestLimit_one` / `retestLimit_other` are one key, `retestLimit`; so are a key's context variants. */
type Variant = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other' | 'operator' | 'technician' | 'supervisor' | 'admin' | DraftState;
type DraftState = 'pending' | 'approved' | 'rejected' | 'superseded';
type BaseKey<K> = K extends `${infer B}_${Variant}` ? BaseKey<B> : K;
export type MessageKey = BaseKey<keyof Catalog & string>;
export type MessageParams = Record<string, MessageParam>;

const STATION: Record<string, string> = en.station;
const plural = new Intl.PluralRules('en');

function template(key: string, params: MessageParams): string {
  const ctx = typeof params.context === 'string' ? `_${params.context}` : '';
  const n = typeof params.count === 'number' ? `_${plural.select(params.count)}` : null;
  const tries = [...(n ? [`${key}${ctx}${n}`] : []), `${key}${ctx}`, ...(n ? [`${key}${n}`] : []), key];
  for (const k of tries) if (STATION[k] !== undefined) return STATION[k];
  return key;
}

/**
 * The English text of a station message. Interpolation as i18next does it: `{{name}}`, and
 * `{{name, format}}` with the formats the screens have too (`date`, `time`: the station writes
 * the ISO day and the UTC time, a screen the local ones), then `$t(station.key)` nested.
 */
export function message(key: MessageKey, params: MessageParams = {}): string {
  return template(key, params)
    .replace(/\{\{\s*(\w+)\s*(?:,\s*(\w+)\s*)?\}\}/g, (_, name: string, format: string | undefined) => formatParam(params[name], format))
    .replace(/\$t\(station\.(\w+)\)/g, (_, inner: string) => message(inner as MessageKey, params));
}

function formatParam(v: MessageParam | undefined, format: string | undefined): string {
  if (v === undefined || v === null) return '';
  if (format === 'time' && typeof v === 'string') return `${v.slice(11, 19)} UTC`;
  if (format === 'date' && typeof v === 'string') return v.slice(0, 10);
  return String(v);
}

/**
 * Texts the station stores in English as data (a run's outcome reason, a measurement's reason, a
 * phase's error, a storage notice): records and exports keep them as they are, and a screen
 * recognises them here to show them in its language. Only these keys are recognised, so a text
 * written by phase code is never mistaken for one.
 */
export const RECORDED: readonly MessageKey[] = [
  'reasonOperatorAborted',
  'reasonStationStopped',
  'reasonRunnerCrashed',
  'reasonNotSaved',
  'reasonPhaseHung',
  'reasonAbortForced',
  'checkBelow',
  'checkBelowExclusive',
  'checkAbove',
  'checkAboveExclusive',
  'checkMarginalBelow',
  'checkMarginalAbove',
  'checkNotWithin',
  'checkNotEqual',
  'checkNoMatch',
  'checkNotOneOf',
  'checkNoValue',
  'checkNaN',
  'checkNotFinite',
  'checkNoPoints',
  'checkNotDeclared',
  'phaseTimedOut',
  'phaseIgnoredAbort',
  'phaseStationStopped',
  'phaseRunnerEnded',
  'storageFull',
  'storageLow',
  'storageFullAtStart',
  'storageReadOnly',
];

let matchers: { key: MessageKey; re: RegExp; names: string[] }[] | null = null;

/** The recorded message `text` is, with its parameters (as text), or null. */
export function recognize(text: string): { key: string; params: Record<string, string> } | null {
  matchers ??= RECORDED.map((key) => {
    const t = STATION[key] ?? '';
    const names: string[] = [];
    const source = t
      .split(/(\{\{\s*\w+\s*(?:,\s*\w+\s*)?\}\})/)
      .map((part) => {
        const m = /^\{\{\s*(\w+)/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return '(.+?)';
      })
      .join('');
    return { key, re: new RegExp(`^${source}$`, 's'), names };
  });
  for (const { key, re, names } of matchers) {
    const m = re.exec(text);
    if (m) return { key: `station.${key}`, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]!])) };
  }
  return null;
}
