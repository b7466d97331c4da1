import en from './locales/en.json' with { type: 'json' };
import { StationFault, type ErrorKind, type MessageParam } from './errors.ts';

/**
 * Messages the station sends (refusals, errors, notices) as a catalog key with parameters:
 * the screens translate the key (electron/contract/locales/<lng>.json, `station.*`), the CLI,
 * API clients and logs read the English `message` made here from the same English catalog, so
 * the two cannot drift. Parameters are data (serials, names, numbers, times), never words.
 */

type Catalog = typeof en.station;
/** `retestLimit_one` / `retestLimit_other` are one key, `retestLimit`, chosen by `count`. */
type BaseKey<K> = K extends `${infer B}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? B : K;
export type MessageKey = BaseKey<keyof Catalog & string>;
export type MessageParams = Record<string, MessageParam>;

const STATION: Record<string, string> = en.station;
const plural = new Intl.PluralRules('en');

/**
 * The English text of a station message. Interpolation as i18next does it: `{{name}}`, and
 * `{{name, format}}` with the formats the renderer has too (`time`: the station says UTC, a screen its local time).
 */
export function message(key: MessageKey, params: MessageParams = {}): string {
  const count = params.count;
  const template = (typeof count === 'number' ? STATION[`${key}_${plural.select(count)}`] : undefined) ?? STATION[key] ?? key;
  return template.replace(/\{\{\s*(\w+)\s*(?:,\s*(\w+)\s*)?\}\}/g, (_, name: string, format: string | undefined) => formatParam(params[name], format));
}

function formatParam(v: MessageParam | undefined, format: string | undefined): string {
  if (v === undefined || v === null) return '';
  if (format === 'time' && typeof v === 'string') return `${v.slice(11, 19)} UTC`;
  return String(v);
}

/** A StationFault whose message is the English text of `key`; the screens show the key in their language. */
export function fault(kind: ErrorKind, key: MessageKey, params: MessageParams = {}, details?: unknown): StationFault {
  const f = new StationFault(kind, message(key, params), details);
  f.key = `station.${key}`;
  f.params = params;
  return f;
}

/** The catalog key and parameters of a message, for data that carries them beside its English text (scan.received). */
export function keyed(key: MessageKey, params: MessageParams = {}): { message: string; key: string; params: MessageParams } {
  return { message: message(key, params), key: `station.${key}`, params };
}
