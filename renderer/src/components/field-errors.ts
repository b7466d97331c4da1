import type { StationError } from '#contract/errors.ts';

/**
 * The station's refusal of a form, split per field: an `invalid-input` answer carries the
 * schema's issues with their paths, each goes beside its field; anything else is the form's.
 */
export function fieldErrors(error: StationError): { fields: Record<string, string>; form: string | null } {
  if (error.kind !== 'invalid-input' || !Array.isArray(error.details)) return { fields: {}, form: error.message };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of error.details as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    const key = Array.isArray(path) && path.length > 0 ? String(path[0]) : null;
    const text = typeof message === 'string' ? message : 'not valid';
    if (key && !(key in fields)) fields[key] = text;
    else if (!key) rest.push(text);
  }
  if (Object.keys(fields).length === 0 && rest.length === 0) return { fields, form: error.message };
  return { fields, form: rest.length ? rest.join('; ') : null };
}
