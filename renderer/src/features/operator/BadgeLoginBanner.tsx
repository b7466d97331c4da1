import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session-context.tsx';
import './BadgeLoginBanner.css';

/** With requireBadgeLogin on, nobody tests before logging in: the screen says how, above the sockets. */
export function BadgeLoginBanner() {
  const { t } = useTranslation();
  const { state } = useSession();
  if (!state?.requireBadgeLogin || state.session.role !== null) return null;
  return (
    <section className="badge-login-banner" role="status" aria-labelledby="badge-login-title">
      <h2 id="badge-login-title">{t('operator.badgeTitle')}</h2>
      <p>{t('operator.badgeText')}</p>
    </section>
  );
}
