import type { MeasurementSpec, PhaseSpec, ProcedureFile } from '#contract/procedure.ts';
import type { FieldChange, FieldPath } from '#contract/procedures.ts';

/** What the editor says about a field it cannot take: a catalog key with its values (the screen words it). */
export type Problem = { key: ProblemKey; params?: Record<string, string> };
export type ProblemKey =
  | 'editor.badRegex'
  | 'editor.aNumber'
  | 'editor.wholeNumber'
  | 'editor.trueFalse'
  | 'editor.atLeastOne'
  | 'editor.numbersCommas'
  | 'editor.upperBelowLower'
  | 'editor.betweenLimits';

/**
 * The editor's working state: the fields a supervisor changed, keyed by their path (dotted), each
 * with what was typed. Values are turned into the file's types (a number, a list) only to check
 * them and to send them; the inputs keep the text as typed.
 */
export type Edits = Readonly<Record<string, { path: FieldPath; text: string }>>;

export type ValueKind = 'number' | 'int' | 'text' | 'bool' | 'regex' | 'list' | 'equals';

export const keyOf = (path: readonly (string | number)[]): string => path.join('.');

/** A value shown in an input: the empty string for a field not given. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return String(value);
}

/** What the typed text means as the file's value, or why it cannot be: `undefined` value = remove. */
export function parseValue(kind: ValueKind, text: string, original: unknown): { ok: true; value: unknown } | { ok: false; message: Problem } {
  const t = text.trim();
  switch (kind) {
    case 'bool':
      return { ok: true, value: t === 'true' };
    case 'text':
      return { ok: true, value: t === '' ? null : text };
    case 'regex':
      if (t === '') return { ok: true, value: null };
      try {
        new RegExp(text);
        return { ok: true, value: text };
      } catch (e) {
        // The engine's own words after the field's: the pattern and what is wrong in it.
        return { ok: false, message: { key: 'editor.badRegex', params: { why: (e as Error).message.replace(/^Invalid regular expression: /, '') } } };
      }
    case 'number':
    case 'int': {
      if (t === '') return { ok: true, value: null };
      const n = Number(t.replace(',', '.'));
      if (!Number.isFinite(n)) return { ok: false, message: { key: 'editor.aNumber' } };
      if (kind === 'int' && !Number.isInteger(n)) return { ok: false, message: { key: 'editor.wholeNumber' } };
      return { ok: true, value: n };
    }
    case 'equals': {
      if (t === '') return { ok: true, value: null };
      if (typeof original === 'boolean')
        return t === 'true' || t === 'false' ? { ok: true, value: t === 'true' } : { ok: false, message: { key: 'editor.trueFalse' } };
      if (typeof original === 'number') {
        const n = Number(t);
        return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: { key: 'editor.aNumber' } };
      }
      return { ok: true, value: text };
    }
    case 'list': {
      if (t === '') return { ok: false, message: { key: 'editor.atLeastOne' } };
      const parts = t
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      const first = Array.isArray(original) ? (original as unknown[])[0] : undefined;
      if (typeof first === 'number') {
        const nums = parts.map(Number);
        return nums.every(Number.isFinite) ? { ok: true, value: nums } : { ok: false, message: { key: 'editor.numbersCommas' } };
      }
      if (typeof first === 'boolean') return { ok: true, value: parts.map((p) => p === 'true') };
      return { ok: true, value: parts };
    }
  }
}

/** Where a field lives in the file, and what kind of value it holds. */
export interface FieldRef {
  path: FieldPath;
  kind: ValueKind;
  original: unknown;
}

export function measurementPath(phase: string, m: string, field: string): FieldPath {
  return ['phases', phase, 'measurements', m, field];
}

/** The value of a field after the edits (parsed), or the file's when untouched or not parseable. */
export function currentValue(ref: FieldRef, edits: Edits): unknown {
  const e = edits[keyOf(ref.path)];
  if (!e) return ref.original;
  const p = parseValue(ref.kind, e.text, ref.original);
  return p.ok ? (p.value ?? undefined) : ref.original;
}

/** Checks that need two fields of a measurement: lower ≤ upper, the marginal band inside the limits. */
export function measurementProblems(phase: string, m: MeasurementSpec, edits: Edits): Record<string, Problem> {
  const v = (field: keyof MeasurementSpec, kind: ValueKind): unknown =>
    currentValue({ path: measurementPath(phase, m.name, field), kind, original: m[field] }, edits);
  const lower = v('lower', 'number') as number | undefined;
  const upper = v('upper', 'number') as number | undefined;
  const ml = v('marginalLower', 'number') as number | undefined;
  const mu = v('marginalUpper', 'number') as number | undefined;
  const out: Record<string, Problem> = {};
  const k = (f: string): string => keyOf(measurementPath(phase, m.name, f));
  if (lower !== undefined && upper !== undefined && lower > upper) out[k('upper')] = { key: 'editor.upperBelowLower' };
  if (ml !== undefined && ((lower !== undefined && ml < lower) || (upper !== undefined && ml > upper)))
    out[k('marginalLower')] = { key: 'editor.betweenLimits' };
  if (mu !== undefined && ((upper !== undefined && mu > upper) || (lower !== undefined && mu < lower)))
    out[k('marginalUpper')] = { key: 'editor.betweenLimits' };
  return out;
}

/** The changes to send: every edited field whose value differs from the file's. */
export function changesOf(edits: Edits, refs: ReadonlyMap<string, FieldRef>): { changes: FieldChange[]; errors: Record<string, Problem> } {
  const changes: FieldChange[] = [];
  const errors: Record<string, Problem> = {};
  for (const [key, e] of Object.entries(edits)) {
    const ref = refs.get(key);
    if (!ref) continue;
    const p = parseValue(ref.kind, e.text, ref.original);
    if (!p.ok) {
      errors[key] = p.message;
      continue;
    }
    if (same(p.value ?? undefined, ref.original)) continue;
    changes.push({ path: ref.path, value: p.value ?? null });
  }
  return { changes, errors };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every field the editor shows, by key: what `changesOf` needs to know each field's kind and value. */
export function fieldRefs(file: ProcedureFile): Map<string, FieldRef> {
  const refs = new Map<string, FieldRef>();
  const add = (path: FieldPath, kind: ValueKind, original: unknown): void => void refs.set(keyOf(path), { path, kind, original });
  add(['serialPattern'], 'regex', file.serialPattern);
  add(['serialExample'], 'text', file.serialExample);
  add(['stopOnFailure'], 'bool', file.stopOnFailure);
  for (const ph of file.phases) phaseRefs(ph, add);
  for (const [key, p] of Object.entries(file.prompts)) {
    // A question in several languages: a field per language.
    if (typeof p.message === 'string') add(['prompts', key, 'message'], 'text', p.message);
    else for (const [lng, text] of Object.entries(p.message)) add(['prompts', key, 'message', lng], 'text', text);
  }
  return refs;
}

function phaseRefs(ph: PhaseSpec, add: (path: FieldPath, kind: ValueKind, original: unknown) => void): void {
  add(['phases', ph.name, 'enabled'], 'bool', ph.enabled);
  add(['phases', ph.name, 'timeoutMs'], 'int', ph.timeoutMs);
  add(['phases', ph.name, 'retry', 'count'], 'int', ph.retry?.count);
  add(['phases', ph.name, 'retry', 'delayMs'], 'int', ph.retry?.delayMs);
  for (const [k, v] of Object.entries(ph.params))
    add(['phases', ph.name, 'params', k], typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'text', v);
  for (const m of ph.measurements) {
    const p = (f: string): FieldPath => measurementPath(ph.name, m.name, f);
    add(p('units'), 'text', m.units);
    for (const f of ['lower', 'upper', 'marginalLower', 'marginalUpper', 'tolerance', 'tolerancePercent', 'tolerancePpm'] as const) add(p(f), 'number', m[f]);
    add(p('lowerInclusive'), 'bool', m.lowerInclusive ?? true);
    add(p('upperInclusive'), 'bool', m.upperInclusive ?? true);
    add(p('equals'), 'equals', m.equals);
    add(p('regex'), 'regex', m.regex);
    add(p('oneOf'), 'list', m.oneOf);
  }
}

/** The kind of limit a measurement has: the editor shows that kind's fields. */
export function limitKind(m: MeasurementSpec): 'range' | 'equals' | 'regex' | 'oneOf' | 'code' {
  if (m.equals !== undefined) return 'equals';
  if (m.regex !== undefined) return 'regex';
  if (m.oneOf !== undefined) return 'oneOf';
  if (m.validator !== undefined || m.aggregate !== undefined || m.each !== undefined) return 'code';
  return 'range';
}

/** A change in words, for the review before saving ("rail_3v3 · v_3v3 upper 3.4 → 3.45 V"). */
export function changeWords(c: FieldChange, ref: FieldRef | undefined, units: string | undefined, words: { notSet: string; prompt: string }): string {
  const p = c.path.map(String);
  const show = (v: unknown): string => (v === undefined || v === null ? words.notSet : `${textOf(v)}${units && typeof v === 'number' ? ` ${units}` : ''}`);
  const where =
    p[0] === 'phases' && p[2] === 'measurements'
      ? `${p[1]} · ${p[3]} ${p.slice(4).join(' ')}`
      : p[0] === 'phases'
        ? `${p[1]} · ${p.slice(2).join(' ')}`
        : p[0] === 'prompts'
          ? `${words.prompt} ${p[1]} ${p.slice(2).join(' ')}`
          : p.join(' ');
  return `${where} ${show(ref?.original)} → ${show(c.value)}`;
}
