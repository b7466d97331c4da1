import { useEffect, useRef, useState } from 'react';
import { ROLES, needsPin, type Person, type Role } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { NewPinField, SelectField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { ROLE_LABEL } from '../access/role-text.ts';

/** Which person's row has a form open under it, and which form. */
export interface Editing {
  badge: string;
  what: 'role' | 'pin';
}

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

interface ActionsProps {
  person: Person;
  /** The admin's own row: they cannot disable themselves here. */
  self: boolean;
  editing: Editing | null;
  onEdit(e: Editing): void;
  onChanged(notice: string): void;
  onError(message: string): void;
}

/** A row's buttons: change role and reset PIN open a form under the row; disable/enable acts at once. */
export function PersonActions({ person, self, editing, onEdit, onChanged, onError }: ActionsProps) {
  const client = useStationClient();
  const [busy, setBusy] = useState(false);
  const open = editing?.badge === person.badge ? editing.what : null;
  const toggle = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('people.update', { badge: person.badge, disabled: !person.disabled });
    setBusy(false);
    if (!r.ok) onError(r.error.message);
    else onChanged(r.value.disabled ? `${person.name} is disabled: their badge opens nothing.` : `${person.name} is active again.`);
  };
  return (
    <div className="row-actions people-actions">
      <button
        type="button"
        className="button button--secondary"
        aria-expanded={open === 'role'}
        aria-label={`Change role of ${person.name}`}
        onClick={() => onEdit({ badge: person.badge, what: 'role' })}
      >
        Role…
      </button>
      <button
        type="button"
        className="button button--secondary"
        aria-expanded={open === 'pin'}
        aria-label={`Reset PIN of ${person.name}`}
        onClick={() => onEdit({ badge: person.badge, what: 'pin' })}
      >
        Reset PIN…
      </button>
      {self ? null : (
        <button
          type="button"
          className="button button--secondary"
          disabled={busy}
          aria-label={`${person.disabled ? 'Enable' : 'Disable'} ${person.name}`}
          onClick={() => void toggle()}
        >
          {person.disabled ? 'Enable' : 'Disable'}
        </button>
      )}
    </div>
  );
}

interface EditorProps {
  person: Person;
  editing: Editing;
  onCancel(): void;
  onChanged(notice: string): void;
}

/** The form under a row: a new role, or a new PIN typed twice. */
export function PersonEditor({ person, editing, onCancel, onChanged }: EditorProps) {
  const client = useStationClient();
  const [role, setRole] = useState<Role>(person.role);
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLFormElement>(null);
  const title = editing.what === 'role' ? `Change the role of ${person.name}` : `Set a new PIN for ${person.name}`;

  useEffect(() => {
    first.current?.querySelector<HTMLElement>('input, select')?.focus();
  }, [editing.what]);

  const submit = async (): Promise<void> => {
    setError(null);
    if (editing.what === 'pin') {
      if (pin.length < 4) return setFields({ pin: 'A PIN has at least 4 characters.' });
      if (pin !== pin2) return setFields({ pin2: 'The two PINs differ.' });
    }
    setFields({});
    setBusy(true);
    const r =
      editing.what === 'role'
        ? await client.invoke('people.update', { badge: person.badge, role })
        : await client.invoke('people.resetPin', { badge: person.badge, pin });
    setBusy(false);
    if (!r.ok) {
      const split = fieldErrors(r.error);
      setFields(split.fields);
      setError(split.form);
      return;
    }
    if (editing.what === 'pin') onChanged(`${person.name} has a new PIN.`);
    else {
      onChanged(`${person.name} is now ${ROLE_LABEL[r.value.role].toLowerCase()}.`);
    }
  };

  return (
    <form
      ref={first}
      className="person-editor"
      noValidate
      aria-label={title}
      onChange={() => setFields({})}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 className="person-editor-title">{title}</h3>
      <div className="person-editor-fields">
        {editing.what === 'role' ? (
          <SelectField
            label="New role"
            value={role}
            options={ROLE_OPTIONS}
            onChange={setRole}
            error={fields['role']}
            hint={needsPin(role) && !person.hasPin ? `This role logs in with a PIN: reset ${person.name}’s PIN first` : undefined}
          />
        ) : (
          <>
            <NewPinField label="New PIN" value={pin} onChange={(e) => setPin(e.target.value)} error={fields['pin']} />
            <NewPinField label="PIN again" value={pin2} onChange={(e) => setPin2(e.target.value)} error={fields['pin2']} />
          </>
        )}
      </div>
      <div className="row-actions person-editor-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {editing.what === 'role' ? 'Save role' : 'Set PIN'}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error ? (
        <p className="field-error person-editor-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
