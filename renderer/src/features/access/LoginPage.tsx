import { useSession } from '../../api/session-context.tsx';
import { FirstAdminSetup } from './FirstAdminSetup.tsx';
import { LoginPanel } from './LoginPanel.tsx';

/** The header's Log in: the panel, then back to the page it was opened from. */
export function LoginPage({ from }: { from: string }) {
  const { state } = useSession();
  const back = (): void => {
    location.hash = `#${from}`;
  };
  // No admin yet means no one who could log in: the first admin comes first.
  if (state?.setupRequired) {
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
