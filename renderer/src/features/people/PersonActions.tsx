import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStationView } from '../../api/station-context.tsx';
import { errorText } from '../../i18n/errors.ts';
import { languageOptions } from '../../i18n/language.ts';
import { ROLES, needsPin, type Person, type Role } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { NewPinField, SelectField } from '../../components/Field.tsx';
import { fieldErrors } from '../../components/field-errors.ts';
import { ROLE_LABEL, ROLE_WORD } from '../access/role-text.ts';

/** Which person's row has a form open under it, and which form. */
export interface Editing {
  badge: string;
  what: 'role' | 'pin' | 'language';
}

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
  const { t } = useTranslation();
  const client = useStationClient();
  const [busy, setBusy] = useState(false);
  const open = editing?.badge === person.badge ? editing.what : null;
  const toggle = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('people.update', { badge: person.badge, disabled: !person.disabled });
    setBusy(false);
    if (!r.ok) onError(errorText(t, r.error));
    else onChanged(r.value.disabled ? t('people.nowDisabled', { name: person.name }) : t('people.nowActive', { name: person.name }));
  };
  return (
    <div className="row-actions people-actions">
      <button
        type="button"
        className="button button--secondary"
        aria-expanded={open === 'role'}
        aria-label={t('people.roleLabel', { name: person.name })}
        onClick={() => onEdit({ badge: person.badge, what: 'role' })}
      >
        {t('people.roleButton')}
      </button>
      <button
        type="button"
        className="button button--secondary"
        aria-expanded={open === 'language'}
        aria-label={t('people.languageLabel', { name: person.name })}
        onClick={() => onEdit({ badge: person.badge, what: 'language' })}
      >
        {t('people.languageButton')}
      </button>
      <button
        type="button"
        className="button button--secondary"
        aria-expanded={open === 'pin'}
        aria-label={t('people.pinLabel', { name: person.name })}
        onClick={() => onEdit({ badge: person.badge, what: 'pin' })}
      >
        {t('people.pinButton')}
      </button>
      {self ? null : (
        <button
          type="button"
          className="button button--secondary"
          disabled={busy}
          aria-label={person.disabled ? t('people.enableLabel', { name: person.name }) : t('people.disableLabel', { name: person.name })}
          onClick={() => void toggle()}
        >
          {person.disabled ? t('people.enable') : t('people.disable')}
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
  const { t } = useTranslation();
  const client = useStationClient();
  const view = useStationView();
  const [role, setRole] = useState<Role>(person.role);
  const [language, setLanguage] = useState(person.language ?? '');
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(ROLE_LABEL[r]) }));
  const languages = [
    { value: '', label: t('people.stationLanguage') },
    ...languageOptions(view.station?.languages ?? []).map((l) => ({ value: l.code, label: l.name })),
  ];
  // A person's language that is no catalog here any more (a plant's file removed) stays choosable.
  if (language && !languages.some((l) => l.value === language)) languages.push({ value: language, label: language });
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLFormElement>(null);
  const title =
    editing.what === 'role'
      ? t('people.roleTitle', { name: person.name })
      : editing.what === 'language'
        ? t('people.languageTitle', { name: person.name })
        : t('people.pinTitle', { name: person.name });

  useEffect(() => {
    first.current?.querySelector<HTMLElement>('input, select')?.focus();
  }, [editing.what]);

  const submit = async (): Promise<void> => {
    setError(null);
    if (editing.what === 'pin') {
      if (pin.length < 4) return setFields({ pin: t('people.pinShort') });
      if (pin !== pin2) return setFields({ pin2: t('people.pinsDiffer') });
    }
    setFields({});
    setBusy(true);
    const r =
      editing.what === 'role'
        ? await client.invoke('people.update', { badge: person.badge, role })
        : editing.what === 'language'
          ? await client.invoke('people.update', { badge: person.badge, language: language || null })
          : await client.invoke('people.resetPin', { badge: person.badge, pin });
    setBusy(false);
    if (!r.ok) {
      const split = fieldErrors(t, r.error);
      setFields(split.fields);
      setError(split.form);
      return;
    }
    if (editing.what === 'pin') onChanged(t('people.pinChanged', { name: person.name }));
    else if (editing.what === 'language')
      onChanged(
        r.value.language
          ? t('people.languageSet', { name: person.name, language: languages.find((l) => l.value === r.value.language)?.label ?? r.value.language })
          : t('people.languageStation', { name: person.name }),
      );
    else onChanged(t('people.nowRole', { name: person.name, role: t(ROLE_WORD[r.value.role]) }));
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
            label={t('people.newRole')}
            value={role}
            options={roleOptions}
            onChange={setRole}
            error={fields['role']}
            hint={needsPin(role) && !person.hasPin ? t('people.roleNeedsPin', { name: person.name }) : undefined}
          />
        ) : editing.what === 'language' ? (
          <SelectField
            label={t('people.language')}
            value={language}
            options={languages}
            onChange={setLanguage}
            error={fields['language']}
            hint={t('people.languageHint')}
          />
        ) : (
          <>
            <NewPinField label={t('people.newPin')} value={pin} onChange={(e) => setPin(e.target.value)} error={fields['pin']} />
            <NewPinField label={t('people.pinAgain')} value={pin2} onChange={(e) => setPin2(e.target.value)} error={fields['pin2']} />
          </>
        )}
      </div>
      <div className="row-actions person-editor-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {editing.what === 'role' ? t('people.saveRole') : editing.what === 'language' ? t('people.saveLanguage') : t('people.setPin')}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('common.cancel')}
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
