import { useEffect, useRef, useState } from 'react';
import { needsPin, type Role } from '#contract/auth.ts';
import { useSession, useSessionStore } from '../../api/session-context.tsx';
import { Field } from '../../components/Field.tsx';
import { fieldErrors, fieldOf } from '../../components/field-errors.ts';
import { ROLE_LABEL, ROLE_WITH_ARTICLE } from './role-text.ts';
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
      setFields({ badge: 'Scan or type a badge.' });
      badgeInput.current?.focus();
      return;
    }
    if (pinFirst && !pin) {
      setFields({ pin: `${ROLE_LABEL[needs]}s log in with their PIN as well.` });
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
    const split = fieldErrors(r.error);
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
        {needs ? `Log in as ${ROLE_WITH_ARTICLE[needs]}` : 'Log in'}
      </h1>
      <p className="access-lead">
        {needs === 'operator'
          ? 'This station asks every operator to log in before testing. Scan your badge.'
          : needs
            ? signedInBelow
              ? `This screen is for ${ROLE_WITH_ARTICLE[needs]} or above. You are logged in as ${session.name} (${session.role ? ROLE_LABEL[session.role].toLowerCase() : 'no role'}).`
              : `This screen is for ${ROLE_WITH_ARTICLE[needs]} or above. Scan your badge and enter your PIN.`
            : 'Scan your badge. Technicians, supervisors and admins enter their PIN as well.'}
      </p>
      {endedNote ? (
        <p className="access-note" role="status">
          {endedNote}
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
          label="Badge"
          hint="Scan it, or type the number"
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
          label="PIN"
          hint={pinFirst ? 'Required for your role' : 'Operators: badge only, leave it empty'}
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
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </section>
  );
}
