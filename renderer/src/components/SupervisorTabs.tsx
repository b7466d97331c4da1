import { canSee, type ScreenName } from '#contract/access.ts';
import type { Role } from '#contract/auth.ts';
import type { Route } from '../router.ts';
import './SupervisorTabs.css';

/** The screens behind the header's Supervisor link, each shown only to a role that may open it. */
const TABS: readonly { screen: ScreenName; href: string; label: string }[] = [
  { screen: 'supervisor', href: '#/supervisor', label: 'Supervisor' },
  { screen: 'yield', href: '#/yield', label: 'Yield' },
  { screen: 'pareto', href: '#/pareto', label: 'Pareto' },
  { screen: 'spc', href: '#/spc', label: 'SPC' },
  { screen: 'procedures', href: '#/procedures', label: 'Procedures' },
  { screen: 'audit', href: '#/audit', label: 'Audit' },
  { screen: 'settings', href: '#/settings', label: 'Settings' },
  { screen: 'people', href: '#/people', label: 'People' },
  { screen: 'tokens', href: '#/tokens', label: 'Tokens' },
];

export const SUPERVISOR_AREA: ReadonlySet<Route['name']> = new Set(TABS.map((t) => t.screen));

/** A strip of tabs over the supervisor screens; nothing for a session that may see none of them. */
export function SupervisorTabs({ route, role }: { route: Route; role: Role | null }) {
  const tabs = TABS.filter((t) => canSee(role, t.screen));
  if (tabs.length === 0) return null;
  return (
    <nav className="area-tabs" aria-label="Supervisor screens">
      {tabs.map((t) => (
        <a key={t.screen} href={t.href} className="area-tab" aria-current={route.name === t.screen ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}
