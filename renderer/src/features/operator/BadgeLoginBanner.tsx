import { useSession } from '../../api/session-context.tsx';
import './BadgeLoginBanner.css';

/** With requireBadgeLogin on, nobody tests before logging in: the screen says how, above the sockets. */
export function BadgeLoginBanner() {
  const { state } = useSession();
  if (!state?.requireBadgeLogin || state.session.role !== null) return null;
  return (
    <section className="badge-login-banner" role="status" aria-labelledby="badge-login-title">
      <h2 id="badge-login-title">Scan your badge to start testing</h2>
      <p>This station asks every operator to log in first. Scan your badge anywhere on this screen.</p>
    </section>
  );
}
