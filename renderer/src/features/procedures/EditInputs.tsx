import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Field, SelectField } from '../../components/Field.tsx';
import { keyOf, textOf, type Edits, type FieldRef } from './edit-model.ts';

export interface EditProps {
  refs: ReadonlyMap<string, FieldRef>;
  edits: Edits;
  errors: Readonly<Record<string, string>>;
  onEdit(ref: FieldRef, text: string): void;
}

const refAt = (refs: ReadonlyMap<string, FieldRef>, path: readonly (string | number)[]): FieldRef | undefined => refs.get(keyOf(path));

/** A field as shown: its place in the file, the text in the input, and whether it differs from the file. */
function stateOf(p: EditProps, path: readonly (string | number)[]): { ref: FieldRef; key: string; value: string; changed: boolean } | null {
  const ref = refAt(p.refs, path);
  if (!ref) return null;
  const key = keyOf(path);
  const edit = p.edits[key];
  return { ref, key, value: edit ? edit.text : textOf(ref.original), changed: edit !== undefined && edit.text !== textOf(ref.original) };
}

/** One editable field of the file: what was typed, or the file's value; its error beside it; marked when changed. */
export function EditField({
  path,
  label,
  hint,
  unit,
  wide,
  placeholder,
  ...p
}: EditProps & { path: readonly (string | number)[]; label: string; hint?: string; unit?: string | undefined; wide?: boolean; placeholder?: string }) {
  const st = stateOf(p, path);
  if (!st) return null;
  const { ref, key, value, changed } = st;
  return (
    <Field
      label={unit ? `${label} (${unit})` : label}
      hint={hint}
      className={`edit-field${wide ? ' edit-field--wide' : ''}${changed ? ' edit-field--changed' : ''}`}
      value={value}
      placeholder={placeholder}
      inputMode={ref.kind === 'number' || ref.kind === 'int' ? 'decimal' : undefined}
      spellCheck={false}
      autoComplete="off"
      error={p.errors[key]}
      data-field={key}
      onChange={(e) => p.onEdit(ref, e.target.value)}
    />
  );
}

/** A yes/no field of the file as a checkbox. */
export function EditToggle({ path, label, ...p }: EditProps & { path: readonly (string | number)[]; label: string }) {
  const id = useId();
  const ref = refAt(p.refs, path);
  if (!ref) return null;
  const key = keyOf(path);
  const edit = p.edits[key];
  const checked = edit ? edit.text === 'true' : ref.original === true;
  const changed = edit !== undefined && edit.text !== textOf(ref.original);
  return (
    <div className={`edit-toggle${changed ? ' edit-field--changed' : ''}`}>
      <input id={id} type="checkbox" checked={checked} data-field={key} onChange={(e) => p.onEdit(ref, String(e.target.checked))} />
      <label htmlFor={id}>{label}</label>
      {p.errors[key] ? (
        <span className="form-field-error" role="alert">
          {p.errors[key]}
        </span>
      ) : null}
    </div>
  );
}

/** Inclusive or not, as the comparison a reader knows: ≤ or <. */
export function EditInclusive({ path, label, ...p }: EditProps & { path: readonly (string | number)[]; label: string }) {
  const { t } = useTranslation();
  const ref = refAt(p.refs, path);
  if (!ref) return null;
  const key = keyOf(path);
  const edit = p.edits[key];
  const value = edit ? edit.text : String(ref.original !== false);
  return (
    <SelectField
      label={label}
      value={value === 'false' ? 'false' : 'true'}
      options={[
        { value: 'true', label: t('editor.inclusive') },
        { value: 'false', label: t('editor.exclusive') },
      ]}
      error={p.errors[key]}
      onChange={(v) => p.onEdit(ref, v)}
    />
  );
}

/** An `equals: true/false` limit: a choice of the two, nothing to mistype. */
export function EditBoolSelect({ path, label, ...p }: EditProps & { path: readonly (string | number)[]; label: string }) {
  const ref = refAt(p.refs, path);
  if (!ref) return null;
  const key = keyOf(path);
  const edit = p.edits[key];
  const value = edit ? edit.text : String(ref.original);
  return (
    <SelectField
      label={label}
      value={value === 'false' ? 'false' : 'true'}
      options={[
        { value: 'true', label: 'true' },
        { value: 'false', label: 'false' },
      ]}
      error={p.errors[key]}
      onChange={(v) => p.onEdit(ref, v)}
    />
  );
}

/** One of a few words, or the default (the field removed): a phase's on-failure, a prompt's image. */
export function EditChoice({
  path,
  label,
  hint,
  choices,
  ...p
}: EditProps & { path: readonly (string | number)[]; label: string; hint?: string; choices: readonly { value: string; label: string }[] }) {
  const st = stateOf(p, path);
  if (!st) return null;
  const { ref, key, value, changed } = st;
  // A value the file has that the list lacks (an image outside the folder) stays choosable as it is.
  const options = choices.some((c) => c.value === value) ? choices : [...choices, { value, label: value }];
  return (
    <div className={`edit-choice${changed ? ' edit-field--changed' : ''}`} data-field={key}>
      <SelectField label={label} hint={hint} value={value} options={options} error={p.errors[key]} onChange={(v) => p.onEdit(ref, v)} />
    </div>
  );
}
