import { useState } from 'react';
import { ROLES, needsPin, type Person, type Role } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, NewPinField, SelectField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { ROLE_LABEL } from '../access/role-text.ts';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

/** A new person: badge, name, role, and a PIN for every role above operator. */
export function AddPersonForm({ onAdded }: { onAdded: (p: Person) => void }) {
  const client = useStationClient();
  const [badge, setBadge] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pinNeeded = needsPin(role);

  const submit = async (): Promise<void> => {
    const local: Record<string, string> = {};
    if (!badge.trim()) local['badge'] = 'Scan or type the person’s badge.';
    if (!name.trim()) local['name'] = 'Give the person’s name.';
    if (pinNeeded && !pin) local['pin'] = `A ${ROLE_LABEL[role].toLowerCase()} needs a PIN to log in.`;
    else if (pin && pin !== pin2) local['pin2'] = 'The two PINs differ.';
    setFields(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    const r = await client.invoke('people.add', { badge: badge.trim(), name: name.trim(), role, ...(pin ? { pin } : {}) });
    setBusy(false);
    if (!r.ok) {
      const split = fieldErrors(r.error);
      setFields(split.fields);
      setError(split.form);
      return;
    }
    setBadge('');
    setName('');
    setPin('');
    setPin2('');
    setRole('operator');
    onAdded(r.value);
  };

  return (
    <section className="card people-add" aria-labelledby="people-add-title">
      <h2 id="people-add-title" className="section-title">
        Add a person
      </h2>
      <form
        className="people-add-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label="Badge"
          value={badge}
          onChange={(e) => setBadge(e.target.value)}
          error={fields['badge']}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          className="people-badge"
        />
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields['name']} autoComplete="off" maxLength={100} />
        <SelectField label="Role" value={role} options={ROLE_OPTIONS} onChange={setRole} error={fields['role']} />
        <NewPinField
          label="PIN"
          hint={pinNeeded ? 'Required for this role' : 'Operators: badge only'}
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          error={fields['pin']}
          disabled={!pinNeeded}
        />
        <NewPinField
          label="PIN again"
          hint={pinNeeded ? 'Type it once more' : 'Not needed'}
          value={pin2}
          onChange={(e) => setPin2(e.target.value)}
          error={fields['pin2']}
          disabled={!pinNeeded}
        />
        <button type="submit" className="button button--primary people-add-submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add person'}
        </button>
      </form>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
