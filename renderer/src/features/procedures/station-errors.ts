import type { TFunction } from 'i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';
import type { FieldChange } from '#contract/procedures.ts';
import { keyOf } from './edit-model.ts';

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A refusal of procedures.propose split per field: `details.field` (a field path, or its dotted
 * text) names the field; the schema's issues name `changes[i]` (whose path is the i-th change's) or
 * `reason`. What names no field is the form's.
 */
export function refusalByField(t: TFunction, error: StationError, changes: readonly FieldChange[]): { fields: Record<string, string>; form: string | null } {
  const d = error.details as unknown;
  const message = errorText(t, error);
  const named = typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as { field?: unknown }).field : undefined;
  if (Array.isArray(named) || typeof named === 'string') {
    const parts = Array.isArray(named) ? (named as (string | number)[]) : named.split('.');
    const key = keyOf(parts);
    return { fields: { [key]: capitalize(strip(strip(message, key), parts.join(' · '))) }, form: null };
  }
  if (error.kind === 'invalid-input' && Array.isArray(d)) {
    const fields: Record<string, string> = {};
    const rest: string[] = [];
    for (const issue of d as unknown[]) {
      if (typeof issue !== 'object' || issue === null) continue;
      const { path, message: issueMessage } = issue as { path?: unknown; message?: unknown };
      const text = capitalize(typeof issueMessage === 'string' ? issueMessage : t('common.notValid'));
      if (Array.isArray(path) && path[0] === 'changes' && typeof path[1] === 'number' && changes[path[1]]) fields[keyOf(changes[path[1]]!.path)] = text;
      else if (Array.isArray(path) && path[0] === 'reason') fields.reason = text;
      else rest.push(text);
    }
    return { fields, form: rest.length > 0 ? rest.join('; ') : Object.keys(fields).length > 0 ? null : message };
  }
  return { fields: {}, form: message };
}

const strip = (message: string, key: string): string => (message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message);
