import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import { SCREEN_ACCESS, canSee, type ScreenName } from '#contract/access.ts';
import { useSession } from '../../api/session-context.tsx';
import { FirstAdminSetup } from './FirstAdminSetup.tsx';
import { LoginPanel } from './LoginPanel.tsx';
import { useFreshSession } from './use-fresh-session.ts';

/**
 * A screen for a role above operator: the first admin's creation while the station has none
 * (it cannot be skipped), the login panel naming the role needed while the session lacks it,
 * else the screen. The station refuses the screen's commands all the same.
 */
export function ScreenGate({ screen, children }: { screen: ScreenName; children: ReactNode }) {
  const { t } = useTranslation();
  const { state } = useSession();
  const fresh = useFreshSession(screen);
  // No admin as the page last knew: make sure before asking for one.
  if (state === null || (state.setupRequired && !fresh)) {
    return (
      <section className="page page--center" aria-busy="true">
        <p className="connecting-title">{t('login.checking')}</p>
      </section>
    );
  }
  const needs = SCREEN_ACCESS[screen];
  if (needs !== 'operator' && state.setupRequired) {
    return (
      <div className="page">
        <FirstAdminSetup />
      </div>
    );
  }
  if (!canSee(state.session.role, screen)) {
    return (
      <div className="page">
        <LoginPanel needs={needs} />
      </div>
    );
  }
  return <>{children}</>;
}
