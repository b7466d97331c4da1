import { StationFault, type ErrorKind } from './errors.ts';
import { message, type MessageKey, type MessageParams } from './message-text.ts';

export { message, recognize, RECORDED, type MessageKey, type MessageParams } from './message-text.ts';

/**
 * A StationFault whose message is the English text of `key`; the screens show the key in their
 * language. `field`: the message starts with the field it is about (`pin: a supervisor logs in…`),
 * as the station's refusals of a bad input do; the screens put it beside that field instead.
 */
export function fault(kind: ErrorKind, key: MessageKey, params: MessageParams = {}, details?: unknown, field?: string): StationFault {
  const english = message(key, params);
  const f = new StationFault(kind, field ? `${field}: ${english}` : english, details);
  f.key = `station.${key}`;
  f.params = params;
  return f;
}

/** A message as data that carries it beside its English text (a scan's outcome, a storage state). */
export function keyed(key: MessageKey, params: MessageParams = {}): { message: string; key: string; params: MessageParams } {
  return { message: message(key, params), key: `station.${key}`, params };
}
