import { useId, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';
import './Field.css';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'children'> {
  label: string;
  /** A line under the label: what goes in, in a few words. */
  hint?: ReactNode;
  /** What is wrong with this field, named beside it (and read out). */
  error?: string | null | undefined;
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled input with its hint and its own error; the kit's forms are built of these. */
export function Field({ label, hint, error, inputRef, className, ...input }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`form-field${error ? ' form-field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="form-field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <input id={id} ref={inputRef} aria-invalid={error ? true : undefined} aria-describedby={described || undefined} {...input} />
      {error ? (
        <span className="form-field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** A new PIN, typed hidden (the browser may offer to keep it, never to fill in an old one). */
export function NewPinField(props: Omit<FieldProps, 'type' | 'autoComplete' | 'maxLength'>) {
  return <Field type="password" autoComplete="new-password" maxLength={64} {...props} />;
}

interface SelectProps<V extends string> {
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange(value: NoInfer<V>): void;
  hint?: ReactNode;
  error?: string | null | undefined;
  disabled?: boolean;
}

/** A labelled select of a closed set of values (roles, scopes). */
export function SelectField<V extends string>({ label, value, options, onChange, hint, error, disabled }: SelectProps<V>) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`form-field${error ? ' form-field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="form-field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as V)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error ? (
        <span className="form-field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
