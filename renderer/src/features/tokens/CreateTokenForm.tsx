import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SCOPES, type Scope, type TokenInfo } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, SelectField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { SCOPE_TEXT } from './scope-text.ts';

export function CreateTokenForm({ onCreated }: { onCreated: (c: { token: TokenInfo; secret: string }) => void }) {
  const { t } = useTranslation();
  // The scope's own name (the API's word) with what it allows in the language on screen.
  const scopeOptions = SCOPES.map((s) => ({ value: s, label: `${s} — ${t(SCOPE_TEXT[s])}` }));
  const client = useStationClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('runs:read');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (): Promise<void> => {
    if (!name.trim()) {
      setFields({ name: t('tokens.nameMissing') });
      return;
    }
    setFields({});
    setError(null);
    setBusy(true);
    const r = await client.invoke('tokens.create', { name: name.trim(), scope });
    setBusy(false);
    if (!r.ok) {
      const split = fieldErrors(t, r.error);
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
        {t('tokens.create')}
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
          label={t('people.name')}
          hint={t('tokens.nameHint')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields['name']}
          autoComplete="off"
          maxLength={100}
        />
        <SelectField label={t('tokens.scope')} hint={t('tokens.scopeHint')} value={scope} options={scopeOptions} onChange={setScope} error={fields['scope']} />
        <button type="submit" className="button button--primary tokens-create-submit" disabled={busy}>
          {busy ? t('setup.creating') : t('tokens.createSubmit')}
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
