import { canSee, type ScreenName } from '#contract/access.ts';
import type { Role } from '#contract/auth.ts';
import { useTranslation } from 'react-i18next';
import type { Route } from '../router.ts';
import './SupervisorTabs.css';

/** The screens behind the header's Supervisor link, each shown only to a role that may open it. */
const TABS = [
  { screen: 'supervisor', href: '#/supervisor', label: 'nav.supervisor' },
  { screen: 'yield', href: '#/yield', label: 'nav.yield' },
  { screen: 'pareto', href: '#/pareto', label: 'nav.pareto' },
  { screen: 'spc', href: '#/spc', label: 'nav.spc' },
  { screen: 'procedures', href: '#/procedures', label: 'nav.procedures' },
  { screen: 'audit', href: '#/audit', label: 'nav.audit' },
  { screen: 'settings', href: '#/settings', label: 'nav.settings' },
  { screen: 'people', href: '#/people', label: 'nav.people' },
  { screen: 'tokens', href: '#/tokens', label: 'nav.tokens' },
] as const satisfies readonly { screen: ScreenName; href: string; label: string }[];

export const SUPERVISOR_AREA: ReadonlySet<Route['name']> = new Set(TABS.map((tab) => tab.screen));

/** A strip of tabs over the supervisor screens; nothing for a session that may see none of them. */
export function SupervisorTabs({ route, role }: { route: Route; role: Role | null }) {
  const { t } = useTranslation();
  const tabs = TABS.filter((tab) => canSee(role, tab.screen));
  if (tabs.length === 0) return null;
  return (
    <nav className="area-tabs" aria-label={t('nav.supervisorScreens')}>
      {tabs.map((tab) => (
        <a key={tab.screen} href={tab.href} className="area-tab" aria-current={route.name === tab.screen ? 'page' : undefined}>
          {t(tab.label)}
        </a>
      ))}
    </nav>
  );
}
