import type { MeasurementSpec, PhaseSpec, ProcedureFile } from '#contract/procedure.ts';
import type { FieldChange, FieldPath } from '#contract/procedures.ts';
import { unitProblem } from '#contract/units.ts';

/**
 * The editor's working state: the fields a supervisor changed, keyed by their path (dotted), each
 * with what was typed. Values are turned into the file's types (a number, a list) only to check
 * them and to send them; the inputs keep the text as typed.
 */
export type Edits = Readonly<Record<string, { path: FieldPath; text: string }>>;

/** `choice`: one of a few words (a phase's on-failure); empty text removes the field (its default). */
export type ValueKind = 'number' | 'int' | 'text' | 'bool' | 'regex' | 'list' | 'equals' | 'choice' | 'units';

export const keyOf = (path: readonly (string | number)[]): string => path.join('.');

/** A value shown in an input: the empty string for a field not given. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return String(value);
}

/** What the typed text means as the file's value, or why it cannot be: `undefined` value = remove. */
export function parseValue(kind: ValueKind, text: string, original: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const t = text.trim();
  switch (kind) {
    case 'bool':
      return { ok: true, value: t === 'true' };
    case 'text':
      return { ok: true, value: t === '' ? null : text };
    case 'choice':
      return { ok: true, value: t === '' ? null : t };
    case 'units': {
      // The loader's own check (contract/units.ts), as the field is typed; empty removes the units.
      if (t === '') return { ok: true, value: null };
      const problem = unitProblem(text);
      return problem ? { ok: false, message: problem.charAt(0).toUpperCase() + problem.slice(1) } : { ok: true, value: text };
    }
    case 'regex':
      if (t === '') return { ok: true, value: null };
      try {
        new RegExp(text);
        return { ok: true, value: text };
      } catch (e) {
        return { ok: false, message: `Not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}` };
      }
    case 'number':
    case 'int': {
      if (t === '') return { ok: true, value: null };
      const n = Number(t.replace(',', '.'));
      if (!Number.isFinite(n)) return { ok: false, message: 'A number, such as 3.45' };
      if (kind === 'int' && !Number.isInteger(n)) return { ok: false, message: 'A whole number' };
      return { ok: true, value: n };
    }
    case 'equals': {
      if (t === '') return { ok: true, value: null };
      if (typeof original === 'boolean') return t === 'true' || t === 'false' ? { ok: true, value: t === 'true' } : { ok: false, message: 'true or false' };
      if (typeof original === 'number') {
        const n = Number(t);
        return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: 'A number, such as 3.45' };
      }
      return { ok: true, value: text };
    }
    case 'list': {
      if (t === '') return { ok: false, message: 'At least one value, separated by commas' };
      const parts = t
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      const first = Array.isArray(original) ? (original as unknown[])[0] : undefined;
      if (typeof first === 'number') {
        const nums = parts.map(Number);
        return nums.every(Number.isFinite) ? { ok: true, value: nums } : { ok: false, message: 'Numbers separated by commas' };
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

/** A measurement's field: the phase's declared one, or (with `instance`) that instance's own limits. */
export function measurementPath(phase: string, m: string, field: string, instance?: number): FieldPath {
  return instance === undefined ? ['phases', phase, 'measurements', m, field] : ['phases', phase, 'instances', instance, 'measurements', m, field];
}

/** The value of a field after the edits (parsed), or the file's when untouched or not parseable. */
export function currentValue(ref: FieldRef, edits: Edits): unknown {
  const e = edits[keyOf(ref.path)];
  if (!e) return ref.original;
  const p = parseValue(ref.kind, e.text, ref.original);
  return p.ok ? (p.value ?? undefined) : ref.original;
}

/** Checks that need two fields of a measurement: lower ≤ upper, the marginal band inside the limits. */
export function measurementProblems(phase: string, m: MeasurementSpec, edits: Edits, instance?: number): Record<string, string> {
  const v = (field: keyof MeasurementSpec, kind: ValueKind): unknown =>
    currentValue({ path: measurementPath(phase, m.name, field, instance), kind, original: m[field] }, edits);
  const lower = v('lower', 'number') as number | undefined;
  const upper = v('upper', 'number') as number | undefined;
  const ml = v('marginalLower', 'number') as number | undefined;
  const mu = v('marginalUpper', 'number') as number | undefined;
  const out: Record<string, string> = {};
  const k = (f: string): string => keyOf(measurementPath(phase, m.name, f, instance));
  if (lower !== undefined && upper !== undefined && lower > upper) out[k('upper')] = 'Upper must not be below lower';
  if (ml !== undefined && ((lower !== undefined && ml < lower) || (upper !== undefined && ml > upper)))
    out[k('marginalLower')] = 'Must lie between lower and upper';
  if (mu !== undefined && ((upper !== undefined && mu > upper) || (lower !== undefined && mu < lower)))
    out[k('marginalUpper')] = 'Must lie between lower and upper';
  return out;
}

/** An instance's measurements as they run: its own entry of a name, else the declared one (engine/plan.ts). */
export function instanceMeasurements(ph: PhaseSpec, i: number): MeasurementSpec[] {
  const own = new Map((ph.instances?.[i]?.measurements ?? []).map((m) => [m.name, m]));
  return ph.measurements.map((m) => own.get(m.name) ?? m);
}

/** Every cross-field problem of the file under the edits, by field key. */
export function fileProblems(file: ProcedureFile, edits: Edits): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ph of file.phases) {
    for (const m of ph.measurements) Object.assign(out, measurementProblems(ph.name, m, edits));
    ph.instances?.forEach((_, i) => {
      for (const m of instanceMeasurements(ph, i)) Object.assign(out, measurementProblems(ph.name, m, edits, i));
    });
  }
  return out;
}

/** An instance as the run names it: rail_voltage[rail=3V3]. */
export function instanceLabel(phase: string, params: Readonly<Record<string, unknown>>): string {
  return `${phase}[${Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ')}]`;
}

/** The changes to send: every edited field whose value differs from the file's. */
export function changesOf(edits: Edits, refs: ReadonlyMap<string, FieldRef>): { changes: FieldChange[]; errors: Record<string, string> } {
  const changes: FieldChange[] = [];
  const errors: Record<string, string> = {};
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
    add(['prompts', key, 'message'], 'text', p.message);
    add(['prompts', key, 'image'], 'choice', p.image);
  }
  return refs;
}

type Add = (path: FieldPath, kind: ValueKind, original: unknown) => void;

const paramKind = (v: unknown): ValueKind => (typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'text');

function phaseRefs(ph: PhaseSpec, add: Add): void {
  add(['phases', ph.name, 'enabled'], 'bool', ph.enabled);
  add(['phases', ph.name, 'onFailure'], 'choice', ph.onFailure);
  add(['phases', ph.name, 'timeoutMs'], 'int', ph.timeoutMs);
  add(['phases', ph.name, 'retry', 'count'], 'int', ph.retry?.count);
  add(['phases', ph.name, 'retry', 'delayMs'], 'int', ph.retry?.delayMs);
  for (const [k, v] of Object.entries(ph.params)) add(['phases', ph.name, 'params', k], paramKind(v), v);
  for (const m of ph.measurements) measurementRefs(ph.name, m, add);
  ph.instances?.forEach((inst, i) => {
    for (const [k, v] of Object.entries(inst.params)) add(['phases', ph.name, 'instances', i, 'params', k], paramKind(v), v);
    for (const m of instanceMeasurements(ph, i)) measurementRefs(ph.name, m, add, i);
  });
}

function measurementRefs(phase: string, m: MeasurementSpec, add: Add, instance?: number): void {
  const p = (f: string): FieldPath => measurementPath(phase, m.name, f, instance);
  add(p('units'), 'units', m.units);
  for (const f of ['lower', 'upper', 'marginalLower', 'marginalUpper', 'tolerance', 'tolerancePercent', 'tolerancePpm'] as const) add(p(f), 'number', m[f]);
  add(p('lowerInclusive'), 'bool', m.lowerInclusive ?? true);
  add(p('upperInclusive'), 'bool', m.upperInclusive ?? true);
  add(p('equals'), 'equals', m.equals);
  add(p('regex'), 'regex', m.regex);
  add(p('oneOf'), 'list', m.oneOf);
}

/** The kind of limit a measurement has: the editor shows that kind's fields. */
export function limitKind(m: MeasurementSpec): 'range' | 'equals' | 'regex' | 'oneOf' | 'code' {
  if (m.equals !== undefined) return 'equals';
  if (m.regex !== undefined) return 'regex';
  if (m.oneOf !== undefined) return 'oneOf';
  if (m.validator !== undefined || m.aggregate !== undefined || m.each !== undefined) return 'code';
  return 'range';
}
