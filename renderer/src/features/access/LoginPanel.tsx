import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { needsPin, type Role } from '#contract/auth.ts';
import { useSession, useSessionStore } from '../../api/session-context.tsx';
import { Field } from '../../components/Field.tsx';
import { fieldErrors, fieldOf } from '../../components/field-errors.ts';
import { ROLE_LABEL } from './role-text.ts';

/** "Log in as a supervisor", "… for a supervisor or above": a sentence per role (articles and cases differ by language). */
const AS_ROLE = { operator: 'login.asOperator', technician: 'login.asTechnician', supervisor: 'login.asSupervisor', admin: 'login.asAdmin' } as const;
const FOR_ROLE = { operator: 'login.forOperator', technician: 'login.forTechnician', supervisor: 'login.forSupervisor', admin: 'login.forAdmin' } as const;
const FOR_ROLE_AS = {
  operator: 'login.forOperatorAs',
  technician: 'login.forTechnicianAs',
  supervisor: 'login.forSupervisorAs',
  admin: 'login.forAdminAs',
} as const;
const PIN_AS_WELL = { operator: 'login.pinOperator', technician: 'login.pinTechnician', supervisor: 'login.pinSupervisor', admin: 'login.pinAdmin' } as const;
import './access.css';

interface Props {
  /** The role the screen behind this panel needs; undefined on the plain Log in page. */
  needs?: Role;
  /** Called once logged in (the Log in page goes back where it came from). */
  onLoggedIn?: () => void;
}

/**
 * Log in with a badge (scanned or typed), plus a PIN for every role above operator. The
 * station's refusal is shown as it says it: unknown badge, wrong PIN, badge locked.
 */
export function LoginPanel({ needs, onLoggedIn }: Props) {
  const { t } = useTranslation();
  const store = useSessionStore();
  const { state, endedNote } = useSession();
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const badgeInput = useRef<HTMLInputElement>(null);
  const pinInput = useRef<HTMLInputElement>(null);
  const pinFirst = needs !== undefined && needsPin(needs);
  const session = state?.session;
  const signedInBelow = session?.kind === 'person' && needs !== undefined;

  useEffect(() => {
    badgeInput.current?.focus();
  }, []);

  const submit = async (): Promise<void> => {
    if (!badge.trim()) {
      setFields({ badge: t('login.badgeMissing') });
      badgeInput.current?.focus();
      return;
    }
    if (pinFirst && !pin) {
      setFields({ pin: t(PIN_AS_WELL[needs]) });
      pinInput.current?.focus();
      return;
    }
    setBusy(true);
    const r = await store.login(badge, pin || undefined);
    setBusy(false);
    if (r.ok) {
      setPin('');
      setError(null);
      setFields({});
      onLoggedIn?.();
      return;
    }
    const split = fieldErrors(t, r.error);
    setFields(split.fields);
    setError(split.form);
    setPin('');
    // A wrong or missing PIN: the PIN field again; an unknown, disabled or locked badge: the badge field.
    if (fieldOf(r.error) === 'pin') pinInput.current?.focus();
    else badgeInput.current?.select();
  };

  return (
    <section className="access-panel card" aria-labelledby="login-title">
      <h1 id="login-title" className="access-title">
        {needs ? t(AS_ROLE[needs]) : t('login.title')}
      </h1>
      <p className="access-lead">
        {needs === 'operator'
          ? t('login.operatorLead')
          : needs
            ? signedInBelow
              ? t(FOR_ROLE_AS[needs], { name: session.name, role: session.role ? t(ROLE_LABEL[session.role]) : t('login.noRole') })
              : t(FOR_ROLE[needs])
            : t('login.lead')}
      </p>
      {endedNote ? (
        <p className="access-note" role="status">
          {endedNote.name ? t('login.endedIdle', { name: endedNote.name }) : t('login.ended')}
        </p>
      ) : null}
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
          hint={t('login.badgeHint')}
          value={badge}
          onChange={(e) => setBadge(e.target.value)}
          onKeyDown={(e) => {
            // A scanner ends with Enter: with a PIN to come, Enter moves on to it.
            if (e.key === 'Enter' && pinFirst && badge.trim() && !pin) {
              e.preventDefault();
              pinInput.current?.focus();
            }
          }}
          error={fields['badge']}
          inputRef={badgeInput}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          className="access-badge"
        />
        <Field
          label={t('login.pin')}
          hint={pinFirst ? t('login.pinRequired') : t('login.pinOperators')}
          type="password"
          inputMode="numeric"
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          error={fields['pin']}
          inputRef={pinInput}
          autoComplete="off"
          maxLength={64}
        />
        {error ? (
          <p className="access-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button--primary access-submit" disabled={busy}>
          {busy ? t('login.loggingIn') : t('login.submit')}
        </button>
      </form>
    </section>
  );
}
