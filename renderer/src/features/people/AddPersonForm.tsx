import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStationView } from '../../api/station-context.tsx';
import { languageOptions } from '../../i18n/language.ts';
import { ROLES, needsPin, type Person, type Role } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { Field, NewPinField, SelectField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { ROLE_LABEL, ROLE_WORD } from '../access/role-text.ts';

/** A new person: badge, name, role, and a PIN for every role above operator. */
export function AddPersonForm({ onAdded }: { onAdded: (p: Person) => void }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const view = useStationView();
  const [language, setLanguage] = useState('');
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(ROLE_LABEL[r]) }));
  const languages = [
    { value: '', label: t('people.stationLanguage') },
    ...languageOptions(view.station?.languages ?? []).map((l) => ({ value: l.code, label: l.name })),
  ];
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
    if (!badge.trim()) local['badge'] = t('people.badgeMissing');
    if (!name.trim()) local['name'] = t('people.nameMissing');
    if (pinNeeded && !pin) local['pin'] = t('people.pinNeeded', { role: t(ROLE_WORD[role]) });
    else if (pin && pin !== pin2) local['pin2'] = t('people.pinsDiffer');
    setFields(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    const r = await client.invoke('people.add', { badge: badge.trim(), name: name.trim(), role, ...(pin ? { pin } : {}), ...(language ? { language } : {}) });
    setBusy(false);
    if (!r.ok) {
      const split = fieldErrors(t, r.error);
      setFields(split.fields);
      setError(split.form);
      return;
    }
    setBadge('');
    setName('');
    setPin('');
    setPin2('');
    setRole('operator');
    setLanguage('');
    onAdded(r.value);
  };

  return (
    <section className="card people-add" aria-labelledby="people-add-title">
      <h2 id="people-add-title" className="section-title">
        {t('people.add')}
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
          label={t('login.badge')}
          value={badge}
          onChange={(e) => setBadge(e.target.value)}
          error={fields['badge']}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          className="people-badge"
        />
        <Field label={t('people.name')} value={name} onChange={(e) => setName(e.target.value)} error={fields['name']} autoComplete="off" maxLength={100} />
        <SelectField label={t('people.role')} value={role} options={roleOptions} onChange={setRole} error={fields['role']} />
        <SelectField label={t('people.language')} value={language} options={languages} onChange={setLanguage} error={fields['language']} />
        <NewPinField
          label={t('login.pin')}
          hint={pinNeeded ? t('people.pinRequired') : t('people.pinOperators')}
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          error={fields['pin']}
          disabled={!pinNeeded}
        />
        <NewPinField
          label={t('people.pinAgain')}
          hint={pinNeeded ? t('people.pinOnceMore') : t('people.notNeeded')}
          value={pin2}
          onChange={(e) => setPin2(e.target.value)}
          error={fields['pin2']}
          disabled={!pinNeeded}
        />
        <button type="submit" className="button button--primary people-add-submit" disabled={busy}>
          {busy ? t('people.adding') : t('people.addSubmit')}
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
