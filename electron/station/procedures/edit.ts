import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.ts';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { ProcedureFileSchema, type MeasurementSpec, type ProcedureFile } from '#contract/procedure.ts';
import { EDITABLE_FIELDS, type FieldChange, type FieldDiff, type FieldPath } from '#contract/procedures.ts';
import { StationFault } from '#contract/errors.ts';
import { PROCEDURE_FILE } from './files.ts';

/**
 * A supervisor's edit of procedure.yaml: field paths by name (contract/procedures.ts FieldPath)
 * applied to the YAML document so comments and layout stay, checked like a load, the patch
 * version bumped, the change told in words, and the file written atomically.
 */

type DocPath = (string | number)[];

const includes = (list: readonly string[], k: string | number): k is string => typeof k === 'string' && list.includes(k);
const bad = (path: FieldPath, message: string): StationFault => new StationFault('invalid-input', `${path.join(' · ')}: ${message}`, { field: path });

/** The index of the item named `name` in the sequence at `seqPath`, or -1. */
function indexByName(doc: Document, seqPath: DocPath, name: string): number {
  const seq = doc.getIn(seqPath, true);
  if (!isSeq(seq)) return -1;
  return seq.items.findIndex((it) => isMap(it) && it.get('name') === name);
}

/** Whether the path names a field a supervisor may change, and its place in the document. */
export function docPathOf(doc: Document, path: FieldPath): DocPath {
  const [head, ...rest] = path;
  if (rest.length === 0 && includes(EDITABLE_FIELDS.procedure, head!)) return [head];
  if (head === 'prompts' && rest.length === 2 && typeof rest[0] === 'string' && includes(EDITABLE_FIELDS.prompt, rest[1]!)) {
    if (!isMap(doc.getIn(['prompts', rest[0]], true))) throw bad(path, `there is no prompt "${rest[0]}"`);
    return ['prompts', rest[0], rest[1]];
  }
  // A question given in several languages: one language's text (prompts · led · message · de).
  if (head === 'prompts' && rest.length === 3 && typeof rest[0] === 'string' && rest[1] === 'message' && typeof rest[2] === 'string') {
    if (!isMap(doc.getIn(['prompts', rest[0], 'message'], true))) throw bad(path, `prompt "${rest[0]}" has its message in one language only`);
    return ['prompts', rest[0], 'message', rest[2]];
  }
  if (head !== 'phases' || typeof rest[0] !== 'string') throw bad(path, 'not a field a supervisor may change in the app (see docs/sequences.md)');
  const pi = indexByName(doc, ['phases'], rest[0]);
  if (pi < 0) throw bad(path, `there is no phase "${rest[0]}"`);
  const at: DocPath = ['phases', pi];
  const tail = rest.slice(1);
  const measurement = (base: DocPath, t: (string | number)[], mayAdd: boolean): DocPath => {
    if (typeof t[0] !== 'string' || t.length !== 2 || !includes(EDITABLE_FIELDS.measurement, t[1]!))
      throw bad(path, 'not a measurement field a supervisor may change');
    let mi = indexByName(doc, [...base, 'measurements'], t[0]);
    if (mi < 0 && mayAdd) {
      // An instance's first own limit for a declared measurement: an override entry replaces the
      // declared one whole (engine/plan.ts), so it starts as a copy of it and only the edited field differs.
      const declared = doc.getIn([...at, 'measurements', indexByName(doc, [...at, 'measurements'], t[0])], true) as { toJSON(): unknown };
      const list = doc.getIn([...base, 'measurements'], true);
      if (!isSeq(list)) doc.setIn([...base, 'measurements'], doc.createNode([]));
      (doc.getIn([...base, 'measurements'], true) as { add(v: unknown): void }).add(doc.createNode(declared.toJSON()));
      mi = indexByName(doc, [...base, 'measurements'], t[0]);
    }
    if (mi < 0) throw bad(path, `there is no measurement "${t[0]}" in phase "${rest[0]}"`);
    return [...base, 'measurements', mi, t[1]];
  };
  if (tail.length === 1 && includes(EDITABLE_FIELDS.phase, tail[0]!)) return [...at, tail[0]];
  if (tail[0] === 'retry' && tail.length === 2 && includes(EDITABLE_FIELDS.retry, tail[1]!)) return [...at, 'retry', tail[1]];
  if (tail[0] === 'params' && tail.length === 2 && typeof tail[1] === 'string') return [...at, 'params', tail[1]];
  if (tail[0] === 'measurements') return measurement(at, tail.slice(1), false);
  if (tail[0] === 'instances' && typeof tail[1] === 'number') {
    const inst: DocPath = [...at, 'instances', tail[1]];
    if (!isMap(doc.getIn(inst, true))) throw bad(path, `phase "${rest[0]}" has no instance ${tail[1]}`);
    const t = tail.slice(2);
    if (t.length === 1 && (t[0] === 'title' || t[0] === 'params')) return [...inst, t[0]];
    if (t[0] === 'params' && t.length === 2 && typeof t[1] === 'string') return [...inst, 'params', t[1]];
    if (t[0] === 'measurements') {
      if (indexByName(doc, [...at, 'measurements'], String(t[1])) < 0) throw bad(path, `there is no measurement "${String(t[1])}" in phase "${rest[0]}"`);
      return measurement(inst, t.slice(1), true);
    }
  }
  throw bad(path, 'not a field a supervisor may change in the app (see docs/sequences.md)');
}

/** 1.2.3 → 1.2.4; 2.0 → 2.0.1; v7 → v7.1 (the last number counts up, or `.1` is added). */
export function bumpPatch(version: string): string {
  const m = /^(.*?)(\d+)(\.\d+)?(\.\d+)?([-+].*)?$/.exec(version);
  if (!m) return `${version}.1`;
  const [, pre = '', major, minor, patch] = m;
  if (patch !== undefined) return `${pre}${major}${minor}.${Number(patch.slice(1)) + 1}`;
  if (minor !== undefined) return `${pre}${major}${minor}.1`;
  return `${pre}${major}.1`;
}

/** Index paths of the schema ([phases, 1, measurements, 0, upper]) in names ([phases, second, measurements, volts, upper]). */
function namedPath(js: Record<string, unknown>, path: readonly PropertyKey[]): FieldPath {
  const out: FieldPath = [];
  let node: unknown = js;
  for (let i = 0; i < path.length; i++) {
    const k = path[i]!;
    const parent = path[i - 1];
    const child = (node as Record<string | number, unknown> | undefined)?.[k as string];
    if (typeof k === 'number' && (parent === 'phases' || parent === 'measurements')) {
      const name = (child as { name?: unknown } | undefined)?.name;
      out.push(typeof name === 'string' ? name : k);
    } else out.push(typeof k === 'symbol' ? String(k) : k);
    node = child;
  }
  return out;
}

/** The checks a load makes on procedure.yaml (schema and load-time rules), naming the field in names. */
export function checkProcedure(doc: Document, changed: readonly FieldPath[]): ProcedureFile {
  const js = doc.toJS() as Record<string, unknown>;
  const parsed = ProcedureFileSchema.safeParse(js);
  const same = (a: FieldPath, b: FieldPath) => a.length === b.length && a.every((x, i) => x === b[i]);
  const name = (p: FieldPath): FieldPath => {
    // "lower must not be above upper" is about the field the supervisor changed, lower or upper.
    if (changed.some((c) => same(c, p))) return p;
    const sibling = changed.find((c) => c.length === p.length && same(c.slice(0, -1), p.slice(0, -1)));
    return sibling ?? p;
  };
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = name(namedPath(js, issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path));
    throw bad(path, issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message);
  }
  // Units are checked by the schema (contract/units.ts), instances' own measurements included.
  return parsed.data;
}

/** What a prompt may show: the kinds the operator's screen draws. */
export const PROMPT_IMAGE_RE = /\.(png|jpe?g|gif|svg|webp)$/i;

/** Image files a prompt may name: in the procedure folder or below it, relative paths, sorted. */
export async function imagesIn(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true });
  return all
    .map((f) => f.split(sep).join('/'))
    .filter((f) => PROMPT_IMAGE_RE.test(f) && !f.split('/').includes('node_modules'))
    .sort();
}

/** A prompt image the supervisor changed must be one of the folder's image files (checked on the field, as a load would). */
export function checkPromptImages(file: ProcedureFile, before: ProcedureFile, images: readonly string[]): void {
  for (const [key, p] of Object.entries(file.prompts)) {
    if (p.image === undefined || p.image === before.prompts[key]?.image) continue;
    const path: FieldPath = ['prompts', key, 'image'];
    if (!PROMPT_IMAGE_RE.test(p.image)) throw bad(path, 'an image is a png, jpg, gif, svg or webp file');
    if (!images.includes(p.image)) throw bad(path, `there is no image file ${p.image} in the procedure folder`);
  }
}

/** Applies the edits to procedure.yaml's text: new text (comments kept), version bumped, checked. */
export function applyChanges(text: string, changes: readonly FieldChange[]): { text: string; file: ProcedureFile; before: ProcedureFile } {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new StationFault('sequence.invalid', `${PROCEDURE_FILE}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const before = ProcedureFileSchema.parse(doc.toJS());
  for (const c of changes) {
    const at = docPathOf(doc, c.path);
    if (c.value === null) doc.deleteIn(at);
    else doc.setIn(at, doc.createNode(c.value));
  }
  doc.setIn(['version'], bumpPatch(before.version));
  const file = checkProcedure(
    doc,
    changes.map((c) => c.path),
  );
  return { text: String(doc), file, before };
}

/** Sets only the version of a whole file (a rollback's text, written as a new version). */
export function withVersion(text: string, version: string): string {
  const doc = parseDocument(text, { prettyErrors: false });
  doc.setIn(['version'], version);
  return String(doc);
}

// ---- the change in words ----

const fmt = (v: unknown, units?: string): string => {
  if (v === undefined) return '(none)';
  if (typeof v === 'number') return `${String(v)}${units ? ` ${units}` : ''}`;
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
};

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const eq = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Field by field between two versions of procedure.yaml (as parsed, defaults filled in):
 * phases and measurements matched by name. Each entry says it in words:
 * "rail_3v3 · v_3v3 upper 3.40 V → 3.45 V".
 */
export function diffProcedures(a: ProcedureFile, b: ProcedureFile): FieldDiff[] {
  const out: FieldDiff[] = [];
  const push = (path: FieldPath, from: unknown, to: unknown, label: string, units?: string) => {
    if (eq(from, to)) return;
    out.push({
      path,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      words: `${label} ${fmt(from, units)} → ${fmt(to, units)}`,
    });
  };
  const fields = (path: FieldPath, label: string, x: Record<string, unknown>, y: Record<string, unknown>, skip: string[] = [], units?: string): void => {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => !skip.includes(k)))
      // params and retry: key by key ("burn_in params minutes 10 → 20").
      if ((k === 'params' || k === 'retry') && isObj(x[k] ?? {}) && isObj(y[k] ?? {}) && (x[k] !== undefined || y[k] !== undefined))
        fields([...path, k], `${label}${label ? ' ' : ''}${k}`, (x[k] ?? {}) as Record<string, unknown>, (y[k] ?? {}) as Record<string, unknown>);
      else push([...path, k], x[k], y[k], `${label}${label ? ' ' : ''}${k}`, units && /^(lower|upper|marginal|equals|tolerance$)/.test(k) ? units : undefined);
  };
  const byName = <T extends { name: string }>(list: readonly T[]) => new Map(list.map((x) => [x.name, x]));
  const measurements = (path: FieldPath, label: string, xs: readonly Record<string, unknown>[], ys: readonly Record<string, unknown>[]) => {
    const mx = byName(xs as { name: string }[]);
    const my = byName(ys as { name: string }[]);
    for (const n of [...new Set([...mx.keys(), ...my.keys()])]) {
      const x = mx.get(n) as Record<string, unknown> | undefined;
      const y = my.get(n) as Record<string, unknown> | undefined;
      if (!x || !y) push([...path, 'measurements', n], x, y, `${label} · ${n}`);
      else fields([...path, 'measurements', n], `${label} · ${n}`, x, y, ['name'], (y.units ?? x.units) as string | undefined);
    }
  };
  fields([], '', a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, ['phases', 'prompts', 'instruments', 'retest']);
  for (const k of ['instruments', 'retest', 'prompts'] as const) {
    const x = (a[k] ?? {}) as Record<string, unknown>;
    const y = (b[k] ?? {}) as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])]) {
      const label = k === 'prompts' ? `prompt ${key} ·` : `${k} · ${key}`;
      if (isObj(x[key]) && isObj(y[key])) fields([k, key], label, x[key], y[key]);
      else push([k, key], x[key], y[key], label);
    }
  }
  const px = byName(a.phases);
  const py = byName(b.phases);
  for (const n of [...new Set([...px.keys(), ...py.keys()])]) {
    const x = px.get(n);
    const y = py.get(n);
    if (!x || !y) {
      push(['phases', n], x ? 'present' : undefined, y ? 'present' : undefined, `phase ${n}`);
      continue;
    }
    fields(['phases', n], `${n} ·`, x as unknown as Record<string, unknown>, y as unknown as Record<string, unknown>, ['name', 'measurements', 'instances']);
    measurements(['phases', n], n, x.measurements, y.measurements);
    const ix = x.instances ?? [];
    const iy = y.instances ?? [];
    for (let i = 0; i < Math.max(ix.length, iy.length); i++) {
      const u = ix[i];
      const v = iy[i];
      if (!u || !v) push(['phases', n, 'instances', i], u, v, `${n} instance ${i}`);
      else {
        // Named as the run names it (rail_voltage[rail=3V3]); limits compared as they run: the override, else the declared one.
        const label = `${n}[${Object.entries(v.params)
          .map(([k, p]) => `${k}=${String(p)}`)
          .join(', ')}]`;
        fields(['phases', n, 'instances', i], `${label} ·`, u, v, ['measurements']);
        measurements(['phases', n, 'instances', i], label, effective(x.measurements, u.measurements), effective(y.measurements, v.measurements));
      }
    }
  }
  return out;
}

/** An instance's measurements as they run: each declared one, or the instance's own of that name. */
function effective(declared: readonly MeasurementSpec[], own: readonly MeasurementSpec[]): MeasurementSpec[] {
  const byName = new Map(own.map((m) => [m.name, m]));
  return declared.map((m) => byName.get(m.name) ?? m);
}

/** procedure.yaml replaced atomically (see store/atomic-file.ts). */
export function writeProcedureFile(dir: string, text: string): void {
  writeFileAtomic(join(dir, PROCEDURE_FILE), text);
}
