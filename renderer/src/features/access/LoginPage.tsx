import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session-context.tsx';
import { FirstAdminSetup } from './FirstAdminSetup.tsx';
import { LoginPanel } from './LoginPanel.tsx';
import { useFreshSession } from './use-fresh-session.ts';

/** The header's Log in: the panel, then back to the page it was opened from. */
export function LoginPage({ from }: { from: string }) {
  const { t } = useTranslation();
  const { state } = useSession();
  const fresh = useFreshSession('login');
  const back = (): void => {
    location.hash = `#${from}`;
  };
  // No admin yet means no one who could log in: the first admin comes first.
  if (state === null || (state.setupRequired && !fresh)) {
    return (
      <section className="page page--center" aria-busy="true">
        <p className="connecting-title">{t('login.checking')}</p>
      </section>
    );
  }
  if (state.setupRequired) {
    return (
      <div className="page">
        <FirstAdminSetup onCreated={back} />
      </div>
    );
  }
  return (
    <div className="page">
      <LoginPanel onLoggedIn={back} />
    </div>
  );
}
