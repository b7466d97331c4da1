import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession, useSessionStore } from '../../api/session-context.tsx';
import { loginHref, type Route } from '../../router.ts';
import { ROLE_LABEL } from './role-text.ts';
import './access.css';

/** The header's corner: who is logged in (name and role) with Log out, or the way to log in. */
export function SessionControl({ route }: { route: Route }) {
  const { t } = useTranslation();
  const { state } = useSession();
  const store = useSessionStore();
  const [busy, setBusy] = useState(false);
  if (state === null) return null;
  const s = state.session;
  if (s.kind === 'person') {
    return (
      <div className="header-session" role="group" aria-label={t('login.loggedIn')}>
        <div className="header-session-who">
          <span className="header-session-name">{s.name}</span>
          <span className="header-session-role">{s.role ? t(ROLE_LABEL[s.role]) : ''}</span>
        </div>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void store.logout().finally(() => setBusy(false));
          }}
        >
          {t('login.logout')}
        </button>
      </div>
    );
  }
  const here = location.hash.replace(/^#/, '') || '/';
  return (
    <div className="header-session">
      {route.name === 'login' ? null : (
        <a className="button" href={loginHref(here)}>
          {t('login.title')}
        </a>
      )}
    </div>
  );
}
