import type { TFunction } from 'i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../i18n/errors.ts';

/** The field a station refusal names (`details.field`), if any: where to put the focus. */
export function fieldOf(error: StationError): string | null {
  const d = error.details;
  return typeof d === 'object' && d !== null && !Array.isArray(d) && typeof (d as { field?: unknown }).field === 'string'
    ? (d as { field: string }).field
    : null;
}

/**
 * The station's refusal of a form, split per field: an `invalid-input` answer carries either
 * the schema's issues with their paths or the one field it names (`details.field`); each goes
 * beside its field. Anything else (a refused login, a missing right) is the form's.
 */
export function fieldErrors(t: TFunction, error: StationError): { fields: Record<string, string>; form: string | null } {
  const named = fieldOf(error);
  const words = errorText(t, error);
  if (error.kind === 'invalid-input' && named) {
    // "pin: a supervisor logs in with badge and PIN…": the field's name is already beside it.
    const text = words.startsWith(`${named}: `) ? words.slice(named.length + 2) : words;
    return { fields: { [named]: capitalize(text) }, form: null };
  }
  if (error.kind !== 'invalid-input' || !Array.isArray(error.details)) return { fields: {}, form: words };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of error.details as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    const key = Array.isArray(path) && path.length > 0 ? String(path[0]) : null;
    // A schema's words about one field: the contract's own (English).
    const text = typeof message === 'string' ? capitalize(message) : t('common.notValid');
    if (key && !(key in fields)) fields[key] = text;
    else if (!key) rest.push(text);
  }
  if (Object.keys(fields).length === 0 && rest.length === 0) return { fields, form: words };
  return { fields, form: rest.length ? rest.join('; ') : null };
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
