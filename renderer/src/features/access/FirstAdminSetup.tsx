import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSessionStore } from '../../api/session-context.tsx';
import { Field, NewPinField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import './access.css';

/**
 * A new station has no admin: the first supervisor screen opened asks for one, and shows
 * nothing else until there is one. The admin is logged in at once.
 */
export function FirstAdminSetup({ onCreated }: { onCreated?: () => void }) {
  const { t } = useTranslation();
  const store = useSessionStore();
  const [badge, setBadge] = useState('');
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const submit = async (): Promise<void> => {
    const local: Record<string, string> = {};
    if (!badge.trim()) local['badge'] = t('setup.badgeMissing');
    if (!name.trim()) local['name'] = t('setup.nameMissing');
    if (pin.length < 4) local['pin'] = t('people.pinShort');
    else if (pin !== pin2) local['pin2'] = t('setup.pinsDiffer');
    setFields(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    const r = await store.createAdmin({ badge: badge.trim(), name: name.trim(), pin });
    setBusy(false);
    if (r.ok) {
      onCreated?.();
      return;
    }
    // Someone made the first admin meanwhile (another client): the gate turns into the login.
    if (r.error.kind === 'forbidden') await store.refresh();
    const split = fieldErrors(t, r.error);
    setFields(split.fields);
    setError(split.form);
  };

  return (
    <section className="access-panel access-panel--setup card" aria-labelledby="setup-title">
      <h1 id="setup-title" className="access-title" ref={heading} tabIndex={-1}>
        {t('setup.title')}
      </h1>
      <p className="access-lead">{t('setup.lead')}</p>
      <form
        className="access-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label={t('login.badge')}
          hint={t('setup.badgeHint')}
          value={badge}
          onChange={(e) => setBadge(e.target.value)}
          error={fields['badge']}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          className="access-badge"
        />
        <Field label={t('people.name')} value={name} onChange={(e) => setName(e.target.value)} error={fields['name']} autoComplete="off" maxLength={100} />
        <div className="access-pair">
          <NewPinField label={t('login.pin')} hint={t('setup.pinHint')} value={pin} onChange={(e) => setPin(e.target.value)} error={fields['pin']} />
          <NewPinField label={t('people.pinAgain')} hint={t('setup.pin2Hint')} value={pin2} onChange={(e) => setPin2(e.target.value)} error={fields['pin2']} />
        </div>
        {error ? (
          <p className="access-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button--primary access-submit" disabled={busy}>
          {busy ? t('setup.creating') : t('setup.create')}
        </button>
      </form>
    </section>
  );
}
