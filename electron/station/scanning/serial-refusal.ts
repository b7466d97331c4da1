/**
 * Why a serial does not match the procedure's pattern, in words an operator can act on:
 * a character that does not show on screen (a scanner's zero-width space or direction
 * mark), small letters where the labels have capitals (Caps Lock inverts a wedge
 * scanner's letters), or else the expected form.
 */

/** Names of the invisible characters scanners and copied text bring in; others by code point. */
const INVISIBLE_NAMES: Record<string, string> = {
  '\u00ad': 'soft hyphen',
  '\u200b': 'zero-width space',
  '\u200c': 'zero-width non-joiner',
  '\u200d': 'zero-width joiner',
  '\u200e': 'left-to-right mark',
  '\u200f': 'right-to-left mark',
  '\u2060': 'word joiner',
  '\ufeff': 'byte order mark',
};

/** Format and control characters: nothing on screen, but part of the text. */
const INVISIBLE = /[\p{Cf}\p{Cc}]/u;

import type { MessageKey, MessageParams } from '#contract/messages.ts';

const codePoint = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export interface SerialForm {
  name: string;
  serialPattern: string;
  serialExample?: string | undefined;
}

/** The refusal of a serial that does not match `proc.serialPattern`, as a station message. */
export function serialRefusal(serial: string, proc: SerialForm): { key: MessageKey; params: MessageParams } {
  const expected = proc.serialExample ?? proc.serialPattern;
  const hidden = [...serial].findIndex((c) => INVISIBLE.test(c));
  if (hidden >= 0) {
    const c = [...serial][hidden]!;
    const visible = [...serial].filter((x) => !INVISIBLE.test(x)).join('');
    const params = { visible, character: INVISIBLE_NAMES[c] ?? 'control character', code: codePoint(c) };
    return hidden === 0
      ? { key: 'serialInvisibleStart', params }
      : { key: 'serialInvisibleAfter', params: { ...params, before: [...serial].slice(0, hidden).join('') } };
  }
  const upper = serial.toUpperCase();
  if (upper !== serial && new RegExp(proc.serialPattern).test(upper)) {
    return { key: 'serialLowercase', params: { serial, procedure: proc.name, expected } };
  }
  return { key: 'serialInvalid', params: { serial, procedure: proc.name, expected } };
}
