import { useState } from 'react';
import { SCOPES, type Scope, type TokenInfo } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, SelectField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { SCOPE_TEXT } from './scope-text.ts';

const SCOPE_OPTIONS = SCOPES.map((s) => ({ value: s, label: `${s} — ${SCOPE_TEXT[s]}` }));

export function CreateTokenForm({ onCreated }: { onCreated: (c: { token: TokenInfo; secret: string }) => void }) {
  const client = useStationClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('runs:read');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (): Promise<void> => {
    if (!name.trim()) {
      setFields({ name: 'Name what the token is for (the client that will use it).' });
      return;
    }
    setFields({});
    setError(null);
    setBusy(true);
    const r = await client.invoke('tokens.create', { name: name.trim(), scope });
    setBusy(false);
    if (!r.ok) {
      const split = fieldErrors(r.error);
      setFields(split.fields);
      setError(split.form);
      return;
    }
    setName('');
    onCreated(r.value);
  };

  return (
    <section className="card tokens-create" aria-labelledby="tokens-create-title">
      <h2 id="tokens-create-title" className="section-title">
        Create a token
      </h2>
      <form
        className="tokens-create-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label="Name"
          hint="What uses it, e.g. MES bridge line 3"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields['name']}
          autoComplete="off"
          maxLength={100}
        />
        <SelectField label="Scope" hint="What it may do" value={scope} options={SCOPE_OPTIONS} onChange={setScope} error={fields['scope']} />
        <button type="submit" className="button button--primary tokens-create-submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create token'}
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
